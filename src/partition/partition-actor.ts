// One partition: the only code that touches its log. It lives on exactly one partition worker thread,
// so appends need no locks: the worker's frame loop is the actor's mailbox.
import { ErrorCode } from '../protocol/error-codes.js';
import {
  ATTR_TIMESTAMP_TYPE_LOG_APPEND,
  ATTRIBUTES,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAX_TIMESTAMP as MAX_TIMESTAMP_FIELD,
  readInt32,
  updateBatchCrc,
  writeInt64,
} from '../records/batch.js';
import { validateIncomingBatch } from '../records/validation.js';
import { findRecordInBatch } from '../records/timestamps.js';
import { PartitionLog } from '../storage/partition-log.js';
import type { SegmentScan } from '../storage/segment-scan.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from './ring-messages.js';

/** Topic configs a partition acts on; changed at runtime by updateConfig. */
export interface PartitionLimits {
  segmentBytes: number;
  segmentMs: number;
  maxMessageBytes: number;
  /** flush.messages: fdatasync once this many offsets are unflushed. */
  flushMessages: number;
  /** flush.ms: fdatasync data older than this. */
  flushMs: number;
  /** retention.ms / retention.bytes; -1 disables. */
  retentionMs: number;
  retentionBytes: number;
  /** cleanup.policy includes `delete`: only then do retention.ms and retention.bytes delete segments (Kafka's rule). */
  deleteRetention: boolean;
  indexIntervalBytes: number;
  /** log.retention.check.interval.ms (a broker setting, carried here so the worker knows it). */
  retentionCheckMs: number;
  /** message.timestamp.type=LogAppendTime: batches are stamped with the broker's time on append. */
  logAppendTime: boolean;
}

export interface PartitionSpec extends PartitionLimits {
  partitionId: number;
  topic: string;
  partition: number;
  dir: string;
  /** From the recovery-point checkpoint; undefined when it has no entry. */
  recoveryPoint?: number;
  /** Segment scans done at startup by the recovery pool. */
  prescanned?: SegmentScan[];
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
    const { prescanned, ...kept } = spec;
    const log = PartitionLog.open(
      spec.dir,
      { segmentBytes: spec.segmentBytes, segmentMs: spec.segmentMs, indexIntervalBytes: spec.indexIntervalBytes },
      { recoveryPoint: spec.recoveryPoint, prescanned },
    );
    // The scans hold rebuilt index bytes; they are not kept past the open.
    return new PartitionActor(kept, log);
  }

  /** `topic-partition`, for logs. */
  get name(): string {
    return `${this.spec.topic}-${this.spec.partition}`;
  }

  get sizeBytes(): number {
    return this.#log.sizeBytes;
  }

  get segmentCount(): number {
    return this.#log.segmentCount;
  }

  get recoveryReport(): PartitionLog['recoveryReport'] {
    return this.#log.recoveryReport;
  }

  get recoveryDetails(): readonly string[] {
    return this.#log.recoveryDetails;
  }

  get recoveryDamage(): PartitionLog['damage'] {
    return this.#log.damage;
  }

  get recoveryPoint(): number {
    return this.#log.recoveryPoint;
  }

  /** Whether flush.messages or flush.ms asks for an fdatasync now. */
  flushDue(nowMs: number): boolean {
    const unflushed = this.#log.unflushedMessages;
    if (unflushed === 0) return false;
    return unflushed >= this.spec.flushMessages || nowMs - this.#log.lastFlushTime >= this.spec.flushMs;
  }

  get unflushed(): boolean {
    return this.#log.unflushedMessages > 0;
  }

  /** fdatasync everything appended so far. */
  flush(): void {
    this.#log.flush();
  }

  /** Deletes segments past retention.ms / retention.bytes; returns how many went. */
  applyRetention(nowMs: number): number {
    // A compact-only topic (__consumer_offsets among them) keeps its segments whatever their age or size.
    if (!this.spec.deleteRetention) return 0;
    return this.#log.applyRetention(nowMs, this.spec.retentionMs, this.spec.retentionBytes);
  }

  /** DeleteRecords: the new log start offset, or an error code. */
  deleteRecords(offset: number): { errorCode: number; lowWatermark: number } {
    if (offset < 0 || offset > this.#log.logEndOffset) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: this.#log.logStartOffset };
    return { errorCode: ErrorCode.NONE, lowWatermark: this.#log.deleteRecordsBefore(offset) };
  }

  get logStartOffset(): number {
    return this.#log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.#log.logEndOffset;
  }

  updateConfig(limits: PartitionLimits): void {
    Object.assign(this.spec, limits);
    this.#log.updateConfig({ segmentBytes: limits.segmentBytes, segmentMs: limits.segmentMs, indexIntervalBytes: limits.indexIntervalBytes });
  }

  /** Validates one incoming batch (CRC-32C included) and appends it straight from `bytes`, patching its base offset. */
  append(bytes: Uint8Array, start: number, length: number, brokerTimeMs: number): AppendOutcome {
    if (length > this.spec.maxMessageBytes + LOG_OVERHEAD) return { errorCode: ErrorCode.MESSAGE_TOO_LARGE, baseOffset: -1 };
    const errorCode = validateIncomingBatch(bytes, start, length);
    if (errorCode !== ErrorCode.NONE) return { errorCode, baseOffset: -1 };
    // Offsets travel as doubles (rings, index arithmetic): past 2^53 they would silently lose precision. Kafka has
    // no wire code for an exhausted offset space; like its offset-overflow failures this is an unknown server error.
    if (!Number.isSafeInteger(this.#log.logEndOffset + readInt32(bytes, start + LAST_OFFSET_DELTA) + 1)) {
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, baseOffset: -1 };
    }
    if (this.spec.logAppendTime) {
      // Kafka's LogAppendTime: the timestamp-type bit and the max timestamp change, and both lie inside the
      // CRC, so it is recomputed (the client's CRC was checked just above). Readers then use maxTimestamp
      // as every record's timestamp.
      const attributesLow = start + ATTRIBUTES + 1;
      bytes[attributesLow] = bytes[attributesLow]! | ATTR_TIMESTAMP_TYPE_LOG_APPEND;
      writeInt64(bytes, start + MAX_TIMESTAMP_FIELD, brokerTimeMs);
      updateBatchCrc(bytes, start);
    }
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
      if (found.offset < 0) return { errorCode: 0, offset: -1, timestamp: -1 };
      return { errorCode: 0, ...this.#exactRecord(found, (ts) => ts === found.timestamp) };
    }
    if (timestamp < 0) return { errorCode: ErrorCode.INVALID_REQUEST, offset: -1, timestamp: -1 };
    const found = this.#log.offsetForTimestamp(timestamp);
    // No record at or after the timestamp: Kafka answers offset -1 and timestamp -1.
    if (found.timestamp < 0) return { errorCode: 0, offset: -1, timestamp: -1 };
    return { errorCode: 0, ...this.#exactRecord(found, (ts) => ts >= timestamp) };
  }

  /** The index finds the batch; the record inside it that matches is the answer (the batch's own if unreadable). */
  #exactRecord(batch: { offset: number; timestamp: number }, match: (timestamp: number) => boolean): { offset: number; timestamp: number } {
    const size = this.#log.readSize(batch.offset, 1, true);
    if (size <= 0) return batch;
    const bytes = Buffer.allocUnsafe(size);
    this.#log.read(batch.offset, 1, true, bytes, 0);
    return findRecordInBatch(bytes, 0, match) ?? batch;
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

  /** Closes the log's files without flushing or marking a clean shutdown (its log dir is offline). */
  abandon(): void {
    this.#log.abandon();
  }

  delete(): void {
    this.#log.delete();
  }
}
