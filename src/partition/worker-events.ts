// Events a partition worker reports to the front-end on its event port (a MessagePort of its own, apart from the
// comlink control plane): things the worker notices by itself between requests, which the main thread logs,
// counts for metrics and acts on. Plain data: they are structured-cloned across threads.
import type { SegmentDamage } from '../storage/partition-log.js';

/** What was being done when storage failed ('checkpoint' is the front-end's recovery-point checkpoint). */
export type StorageOperation = 'append' | 'flush' | 'read' | 'retention' | 'delete-records' | 'open' | 'close' | 'checkpoint';

export const STORAGE_OPERATIONS: readonly StorageOperation[] = ['append', 'flush', 'read', 'retention', 'delete-records', 'open', 'close', 'checkpoint'];

/** Storage errors of one operation and error code, coalesced over a short interval. */
export interface StorageErrorReport {
  operation: StorageOperation;
  /** errno code (ENOSPC, EIO, ...) or the error's name when it has none. */
  code: string;
  /** How many errors of this kind since the previous report. */
  count: number;
  /** The first of them: its partition (`topic-index`) and message. */
  partition: string;
  message: string;
}

export type WorkerEvent =
  | { type: 'storage-errors'; errors: StorageErrorReport[] }
  /** The worker stopped using the log dir (a failed fdatasync, or writes that keep failing). */
  | { type: 'log-dir-offline'; reason: string }
  /** Opening a partition's log found a damaged sealed segment (recovered in place; later segments kept). */
  | { type: 'segment-damaged'; partition: string; damage: SegmentDamage }
  /** Retention deleted whole segments of one partition, moving its log start offset. */
  | { type: 'retention'; partitionId: number; topic: string; partition: number; deletedSegments: number; deletedBytes: number; logStartOffset: number };

/** The code and message a StorageErrorReport carries for `error`. */
export function describeStorageError(error: unknown): { code: string; message: string } {
  let code = 'UNKNOWN';
  if (typeof error === 'object' && error !== null) {
    const errno = (error as { code?: unknown }).code;
    if (typeof errno === 'string') code = errno;
    else if (error instanceof Error) code = error.name;
  }
  return { code, message: error instanceof Error ? error.message : String(error) };
}
