// The front-end's record of storage health, fed by the partition workers' events: storage errors are logged
// (rate-limited, with how many errors each line stands for) and counted per operation for metrics, and once any
// worker takes the log dir offline the whole broker treats it as offline until it is restarted.
import type { Logger } from 'pino';
import { RateLimitedLog } from '../rate-limited-log.js';
import { describeStorageError, STORAGE_OPERATIONS, type StorageErrorReport, type StorageOperation } from './worker-events.js';

export interface OfflineState {
  reason: string;
  /** Date.now() when it went offline. */
  since: number;
}

export class LogDirHealth {
  readonly #log: Logger;
  readonly #lines: RateLimitedLog;
  readonly #errors = new Map<StorageOperation, number>(STORAGE_OPERATIONS.map((op) => [op, 0]));
  /** Errors of each log-line kind not yet mentioned in a written line. */
  readonly #unlogged = new Map<string, number>();
  readonly #offlineListeners: Array<(state: OfflineState) => void> = [];
  #offline: OfflineState | null = null;

  constructor(log: Logger, lines: RateLimitedLog = new RateLimitedLog(log)) {
    this.#log = log;
    this.#lines = lines;
  }

  /** Storage errors reported so far, per operation. */
  get errorCounts(): ReadonlyMap<StorageOperation, number> {
    return this.#errors;
  }

  get offline(): OfflineState | null {
    return this.#offline;
  }

  onOffline(listener: (state: OfflineState) => void): void {
    this.#offlineListeners.push(listener);
  }

  /** One storage error seen on the main thread (worker null). */
  storageError(operation: StorageOperation, what: string, error: unknown): void {
    this.storageErrors(null, [{ operation, count: 1, partition: what, ...describeStorageError(error) }]);
  }

  storageErrors(worker: number | null, reports: readonly StorageErrorReport[]): void {
    for (const report of reports) {
      this.#errors.set(report.operation, (this.#errors.get(report.operation) ?? 0) + report.count);
      const kind = `storage-${report.operation}-${report.code}`;
      const errors = (this.#unlogged.get(kind) ?? 0) + report.count;
      const written = this.#lines.write(
        'error',
        kind,
        { worker, operation: report.operation, code: report.code, partition: report.partition, errors, totalErrors: this.#errors.get(report.operation), error: report.message },
        `storage error: ${report.operation} failed with ${report.code}`,
      );
      if (written) this.#unlogged.delete(kind);
      else this.#unlogged.set(kind, errors);
    }
  }

  /** Takes the log dir offline (once; later reasons are ignored). */
  markOffline(worker: number | null, reason: string): void {
    if (this.#offline) return;
    this.#offline = { reason, since: Date.now() };
    this.#log.error(
      { worker, reason },
      'log dir is offline: every partition answers KAFKA_STORAGE_ERROR until the broker is restarted (after the disk is fixed)',
    );
    for (const listener of this.#offlineListeners) listener(this.#offline);
  }
}
