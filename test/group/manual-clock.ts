// A clock the coordinator tests move forward by hand: timers fire when `advance` passes their due time, in
// due order, so timeouts are tested without sleeping and without depending on how busy the machine is. As on
// a real event loop, a timer already due (0 ms) fires on the next turn without any advance.
import type { Clock, Timer } from '../../src/group/index.js';

interface Scheduled {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Lets pending promise reactions (a parked JoinGroup being answered, an offset write) run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private scheduled: Scheduled[] = [];

  constructor(start = 1_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const entry: Scheduled = { due: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.scheduled.push(entry);
    if (entry.due <= this.current) setImmediate(() => this.fireDue(this.current));
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Timers not yet fired nor cancelled. */
  get pendingTimers(): number {
    return this.scheduled.filter((s) => !s.cancelled).length;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way (also those scheduled by an
   * earlier one), each at its due time; what each one sets off settles before the next fires.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    while (this.fireNext(target)) await settle();
    this.current = target;
    await settle();
  }

  private fireDue(until: number): void {
    while (this.fireNext(until));
  }

  /** Fires the earliest timer due by `until`, moving the time to its due time; false when there is none. */
  private fireNext(until: number): boolean {
    this.scheduled = this.scheduled.filter((s) => !s.cancelled);
    let next: Scheduled | undefined;
    for (const s of this.scheduled) if (s.due <= until && (!next || s.due < next.due || (s.due === next.due && s.seq < next.seq))) next = s;
    if (!next) return false;
    this.scheduled.splice(this.scheduled.indexOf(next), 1);
    this.current = next.due;
    next.fn();
    return true;
  }
}
