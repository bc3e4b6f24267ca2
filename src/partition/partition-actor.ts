// One partition: the only code that touches its log. It lives on exactly one partition worker thread,
// so appends need no locks: the worker's frame loop is the actor's mailbox.
import { ErrorCode } from '../protocol/error-codes.js';
import { LOG_OVERHEAD, validateIncomingBatch } from '../protocol/record-batch.js';
import { PartitionLog } from '../storage/partition-log.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from './ring-messages.js';

export interface PartitionSpec {
  partitionId: number;
  topic: string;
  partition: number;
  dir: string;
  segmentBytes: number;
  segmentMs: number;
  maxMessageBytes: number;
}

export interface AppendOutcome {
  errorCode: number;
  baseOffset: number;
}

export interface OffsetLookup {
  errorCode: number;
  offset: number;
  timestamp: number;
}

export interface PartitionDescription {
  partitionId: number;
  logStartOffset: number;
  logEndOffset: number;
  sizeBytes: number;
}

export class PartitionActor {
  readonly spec: PartitionSpec;
  readonly #log: PartitionLog;

  private constructor(spec: PartitionSpec, log: PartitionLog) {
    this.spec = spec;
    this.#log = log;
  }

  static open(spec: PartitionSpec): PartitionActor {
    const log = PartitionLog.open(spec.dir, { segmentBytes: spec.segmentBytes, segmentMs: spec.segmentMs });
    return new PartitionActor(spec, log);
  }

  get recoveryReport(): PartitionLog['recoveryReport'] {
    return this.#log.recoveryReport;
  }

  get logStartOffset(): number {
    return this.#log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.#log.logEndOffset;
  }

  updateConfig(spec: Pick<PartitionSpec, 'segmentBytes' | 'segmentMs' | 'maxMessageBytes'>): void {
    Object.assign(this.spec, spec);
    this.#log.updateConfig?.({ segmentBytes: spec.segmentBytes, segmentMs: spec.segmentMs });
  }

  /** Validates one incoming batch (CRC-32C included) and appends it straight from `bytes`, patching its base offset. */
  append(bytes: Uint8Array, start: number, length: number): AppendOutcome {
    if (length > this.spec.maxMessageBytes + LOG_OVERHEAD) return { errorCode: ErrorCode.MESSAGE_TOO_LARGE, baseOffset: -1 };
    const errorCode = validateIncomingBatch(bytes, start, length);
    if (errorCode !== ErrorCode.NONE) return { errorCode, baseOffset: -1 };
    const baseOffset = this.#log.append(bytes, start, length);
    return { errorCode: ErrorCode.NONE, baseOffset };
  }

  /** Bytes a fetch from `offset` would return, or -1 if the offset is out of range. */
  fetchSize(offset: number, maxBytes: number, firstBatchWhole: boolean): number {
    if (offset < this.#log.logStartOffset || offset > this.#log.logEndOffset) return -1;
    return this.#log.readSize(offset, maxBytes, firstBatchWhole);
  }

  fetchInto(offset: number, maxBytes: number, firstBatchWhole: boolean, target: Uint8Array, targetOffset: number): number {
    return this.#log.read(offset, maxBytes, firstBatchWhole, target, targetOffset);
  }

  listOffset(timestamp: number): OffsetLookup {
    if (timestamp === LATEST_TIMESTAMP) return { errorCode: 0, offset: this.#log.logEndOffset, timestamp: -1 };
    if (timestamp === EARLIEST_TIMESTAMP) return { errorCode: 0, offset: this.#log.logStartOffset, timestamp: -1 };
    if (timestamp === MAX_TIMESTAMP) {
      const found = this.#log.maxTimestamp();
      return { errorCode: 0, offset: found.offset, timestamp: found.timestamp };
    }
    if (timestamp < 0) return { errorCode: ErrorCode.INVALID_REQUEST, offset: -1, timestamp: -1 };
    const found = this.#log.offsetForTimestamp(timestamp);
    return { errorCode: 0, offset: found.offset, timestamp: found.timestamp };
  }

  describe(): PartitionDescription {
    return {
      partitionId: this.spec.partitionId,
      logStartOffset: this.#log.logStartOffset,
      logEndOffset: this.#log.logEndOffset,
      sizeBytes: this.#log.sizeBytes,
    };
  }

  close(): void {
    this.#log.close();
  }

  delete(): void {
    this.#log.delete();
  }
}
