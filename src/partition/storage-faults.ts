// A partition worker's view of its log dir's health: it counts storage errors, reports them to the front-end
// coalesced (a disk that fails every write must not cost a message per failed request), and decides when the
// log dir is to be taken offline, as Kafka's LogDirFailureChannel does: at once when an fdatasync fails (what
// reached the disk is then unknown, and a retried fsync can falsely succeed), or when writes keep failing with
// no success in between (a full disk). Offline is final until the broker restarts, as in Kafka.
import { describeStorageError, type StorageErrorReport, type StorageOperation, type WorkerEvent } from './worker-events.js';

/** Failed appends in a row (no append succeeding in between) that take the log dir offline. */
export const FAILED_APPENDS_BEFORE_OFFLINE = 5;
/** Coalesced error reports go out at most this often. */
const REPORT_INTERVAL_MS = 100;

export class StorageFaults {
  readonly #post: (event: WorkerEvent) => void;
  /** Keyed by operation and code, so the map stays small however many partitions fail. */
  readonly #pending = new Map<string, StorageErrorReport>();
  #lastReport = 0;
  #failedAppendsInARow = 0;
  #offlineReason: string | null = null;

  constructor(post: (event: WorkerEvent) => void) {
    this.#post = post;
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
    } else if (operation === 'append' && ++this.#failedAppendsInARow >= FAILED_APPENDS_BEFORE_OFFLINE) {
      this.takeOffline(`${this.#failedAppendsInARow} appends in a row failed, the last on ${partition} (${code}): ${message}`);
    }
  }

  appendSucceeded(): void {
    this.#failedAppendsInARow = 0;
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
    this.#lastReport = Number.isFinite(nowMs) ? nowMs : Date.now();
    this.#post({ type: 'storage-errors', errors: [...this.#pending.values()] });
    this.#pending.clear();
  }
}
