// Building and walking uncompressed record batches v2 (magic 2) on the broker side. The broker writes its own
// internal topics (`__consumer_offsets`) through the same partition actors as client data, so it needs what a
// client has: a batch encoder with a correct CRC-32C. Both directions are the shared codec in ./records.ts;
// the reader below walks what such a writer made (uncompressed only: compressed batches are reported, not
// decoded).
import { crc32c } from './crc32c.js';
import { ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTRIBUTES, BATCH_HEADER_BYTES, BATCH_LENGTH, CURRENT_MAGIC, LOG_OVERHEAD, readBatchHeader, readInt32 } from './batch.js';
import { encodeRecordBatch, forEachRecord, type RecordErrorFactory } from './codec.js';

export interface BatchRecord {
  key: Buffer | null;
  /** null is a tombstone. */
  value: Buffer | null;
  /** Epoch ms; defaults to the batch timestamp. */
  timestamp?: number;
}

/**
 * One uncompressed v2 batch holding `records`, base offset 0 (the partition actor assigns the real one), no
 * producer id, CreateTime timestamps. The result passes `validateIncomingBatch`.
 */
export function buildRecordBatch(records: readonly BatchRecord[], timestamp: number = Date.now()): Buffer {
  return encodeRecordBatch(records, { timestamp });
}

export interface ReadRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

export class RecordBatchReadError extends Error {
  override readonly name = 'RecordBatchReadError';
}

const readError: RecordErrorFactory = (_failure, message) => new RecordBatchReadError(message);

/**
 * Walks the whole batches in `data` (a fetch result: batches back to back, possibly with a truncated tail,
 * which is ignored). Calls `onRecord` for every record of every uncompressed data batch; control batches are
 * skipped. Returns the offset after the last whole batch, or -1 when there was none. A CRC mismatch or a
 * compressed batch throws, since only the broker writes the topics read this way.
 */
export function readRecordBatches(data: Uint8Array, onRecord: (r: ReadRecord) => void): number {
  let pos = 0;
  let next = -1;
  while (pos + BATCH_HEADER_BYTES <= data.length) {
    const size = readInt32(data, pos + BATCH_LENGTH) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_BYTES || pos + size > data.length) break;
    const h = readBatchHeader(data, pos);
    if (h.magic !== CURRENT_MAGIC) throw new RecordBatchReadError(`batch at offset ${h.baseOffset} has magic ${h.magic}`);
    if (crc32c(data, pos + ATTRIBUTES, pos + size) !== h.crc) throw new RecordBatchReadError(`batch at offset ${h.baseOffset} fails its CRC-32C check`);
    if ((h.attributes & ATTR_COMPRESSION_MASK) !== 0) throw new RecordBatchReadError(`batch at offset ${h.baseOffset} is compressed`);
    if ((h.attributes & ATTR_CONTROL) === 0) {
      forEachRecord(data, pos, h, (r) => onRecord({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value }), {
        headers: false,
        fail: readError,
      });
    }
    next = h.baseOffset + h.lastOffsetDelta + 1;
    pos += size;
  }
  return next;
}
