// Every timer the coordinator starts, tracked so that close() can cancel them all and none fires after it.
import type { Clock, Timer } from './clock.js';

export class GroupTimers {
  private readonly live = new Set<Timer>();
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  schedule(ms: number, fn: () => void): Timer {
    if (this.stopped) return { cancel: () => undefined };
    const timer = this.clock.setTimer(ms, () => {
      this.live.delete(timer);
      if (!this.stopped) fn();
    });
    this.live.add(timer);
    return timer;
  }

  /** Cancels `timer` if given; returns null so callers can clear the field that held it in one statement. */
  cancel(timer: Timer | null | undefined): null {
    if (timer) {
      timer.cancel();
      this.live.delete(timer);
    }
    return null;
  }

  /** Cancels every live timer; timers scheduled afterwards never start. */
  stopAll(): void {
    this.stopped = true;
    for (const timer of this.live) timer.cancel();
    this.live.clear();
  }
}
