// Log lines that an outsider can trigger at will (malformed frames, failing disks, refused connections) go
// through here, so a flood of them costs a bounded number of lines: the first of each kind is written at once,
// the rest within the window are counted, and the next line written for that kind carries the count.
import type { Logger } from 'pino';

type Level = 'error' | 'warn' | 'info' | 'debug';

interface KindState {
  windowStart: number;
  written: number;
  suppressed: number;
}

export interface RateLimitOptions {
  /** Lines of one kind written per window before the rest are only counted. */
  linesPerWindow?: number;
  windowMs?: number;
  /** Distinct kinds remembered; beyond it the oldest is forgotten (its suppressed count is then reported as lost). */
  maxKinds?: number;
  now?: () => number;
}

export class RateLimitedLog {
  readonly #log: Logger;
  readonly #linesPerWindow: number;
  readonly #windowMs: number;
  readonly #maxKinds: number;
  readonly #now: () => number;
  readonly #kinds = new Map<string, KindState>();

  constructor(log: Logger, options: RateLimitOptions = {}) {
    this.#log = log;
    this.#linesPerWindow = options.linesPerWindow ?? 5;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#maxKinds = options.maxKinds ?? 256;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Writes `message` at `level` unless lines of `kind` already used up this window. Returns whether it was
   * written. A written line carries `suppressed`: how many lines of the kind were dropped since the last one.
   */
  write(level: Level, kind: string, fields: Record<string, unknown>, message: string): boolean {
    const now = this.#now();
    let state = this.#kinds.get(kind);
    if (state === undefined) {
      if (this.#kinds.size >= this.#maxKinds) {
        const oldest = this.#kinds.keys().next().value;
        if (oldest !== undefined) this.#kinds.delete(oldest);
      }
      state = { windowStart: now, written: 0, suppressed: 0 };
      this.#kinds.set(kind, state);
    } else if (now - state.windowStart >= this.#windowMs) {
      state.windowStart = now;
      state.written = 0;
    }
    if (state.written >= this.#linesPerWindow) {
      state.suppressed++;
      return false;
    }
    state.written++;
    const suppressed = state.suppressed;
    state.suppressed = 0;
    this.#log[level](suppressed > 0 ? { ...fields, suppressed } : fields, message);
    return true;
  }

  /** Lines of `kind` counted but not written since its last written line. */
  suppressedCount(kind: string): number {
    return this.#kinds.get(kind)?.suppressed ?? 0;
  }
}
