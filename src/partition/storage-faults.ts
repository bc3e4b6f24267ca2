// A partition worker's view of its log dir's health: it counts storage errors, reports them to the front-end
// coalesced (a disk that fails every write must not cost a message per failed request), and decides when the
// log dir is to be taken offline, as Kafka's LogDirFailureChannel does: at once when an fdatasync fails (what
// reached the disk is then unknown, and a retried fsync can falsely succeed), or when appends keep failing with
// no success in between (a full disk). Kafka gives up on the first failed write; Spate lets a moment of trouble
// pass (a disk briefly full is answered KAFKA_STORAGE_ERROR, which clients retry) and gives up when it lasts.
// Offline is final until the broker restarts, as in Kafka.
import { describeStorageError, type StorageErrorReport, type StorageOperation, type WorkerEvent } from './worker-events.js';

/** How long appends may keep failing, none succeeding, before the log dir is taken offline. */
export const FAILING_APPENDS_OFFLINE_AFTER_MS = 2000;
/** Coalesced error reports go out at most this often. */
const REPORT_INTERVAL_MS = 100;

export class StorageFaults {
  readonly #post: (event: WorkerEvent) => void;
  readonly #now: () => number;
  /** Keyed by operation and code, so the map stays small however many partitions fail. */
  readonly #pending = new Map<string, StorageErrorReport>();
  #lastReport = 0;
  /** Date.now() of the first failed append since the last one that succeeded, or null. */
  #failingSince: number | null = null;
  #failedAppends = 0;
  #offlineReason: string | null = null;

  constructor(post: (event: WorkerEvent) => void, now: () => number = Date.now) {
    this.#post = post;
    this.#now = now;
  }

  /** Why the log dir is offline, or null while it is in use. */
  get offlineReason(): string | null {
    return this.#offlineReason;
  }

  /** Counts one failure of `operation` on `partition`; may take the log dir offline. */
  record(operation: StorageOperation, partition: string, error: unknown): void {
    const { code, message } = describeStorageError(error);
    const key = `${operation}\u0000${code}`;
    const report = this.#pending.get(key);
    if (report) report.count++;
    else this.#pending.set(key, { operation, code, count: 1, partition, message });
    if (operation === 'flush') {
      this.takeOffline(`fdatasync of ${partition} failed (${code}): ${message}`);
    } else if (operation === 'append') {
      const now = this.#now();
      this.#failingSince ??= now;
      this.#failedAppends++;
      if (now - this.#failingSince >= FAILING_APPENDS_OFFLINE_AFTER_MS) {
        this.takeOffline(`every append failed for ${now - this.#failingSince} ms (${this.#failedAppends} appends), the last on ${partition} (${code}): ${message}`);
      }
    }
  }

  appendSucceeded(): void {
    if (this.#failingSince === null) return;
    this.#failingSince = null;
    this.#failedAppends = 0;
  }

  /** Stops using the log dir: told by the front-end, or decided here (then the front-end is told). */
  takeOffline(reason: string, tellFrontEnd = true): void {
    if (this.#offlineReason !== null) return;
    this.#offlineReason = reason;
    this.report(Infinity);
    if (tellFrontEnd) this.#post({ type: 'log-dir-offline', reason });
  }

  /** Sends what was counted since the last report, at most every REPORT_INTERVAL_MS (Infinity: now). */
  report(nowMs: number): void {
    if (this.#pending.size === 0 || nowMs - this.#lastReport < REPORT_INTERVAL_MS) return;
    this.#lastReport = Number.isFinite(nowMs) ? nowMs : this.#now();
    this.#post({ type: 'storage-errors', errors: [...this.#pending.values()] });
    this.#pending.clear();
  }
}
