// Time as the group coordinator sees it. Session timeouts, rebalance deadlines, the initial rebalance delay,
// the offset expiry sweep and commit timestamps all read this clock: the broker passes the system clock, the
// coordinator's tests a manual one they move forward, so they never sleep.

/** A scheduled callback; cancelling one that already ran does nothing. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `fn` once, `ms` milliseconds from now, unless cancelled first. Never runs it synchronously. */
  setTimer(ms: number, fn: () => void): Timer;
}

/** setTimeout cannot wait longer than this (int32 ms); longer waits would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** Date.now and setTimeout. Timers are unref'd so an idle broker can exit. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};
