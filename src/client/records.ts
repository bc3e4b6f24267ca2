// Record batches v2 on the client side: building a batch from records (keys, values, headers, timestamps; any
// of the five codecs) with a correct CRC-32C, and reading the batches a Fetch returns back into records.
// The codec itself is src/records/codec.ts; this module adds the client's errors and the fetch-result walk.
import { crc32c } from '../records/crc32c.js';
import { ATTR_CONTROL, ATTRIBUTES, BATCH_HEADER_BYTES, BATCH_LENGTH, CURRENT_MAGIC, LOG_OVERHEAD, MAGIC, readBatchHeader, readInt32 } from '../records/batch.js';
import { COMPRESSION_CODEC_IDS, type Compression } from '../records/compression.js';
import {
  encodeRecordBatch,
  forEachRecord,
  type RecordErrorFactory,
  type RecordHeader,
  type RecordInput,
} from '../records/codec.js';
import { ClientError } from './errors.js';

export type { Compression, RecordHeader };

export interface ProducerRecord extends RecordInput {
  headers?: RecordHeader[];
}

export interface ConsumedRecord {
  offset: number;
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface BuildBatchOptions {
  compression?: Compression;
  /** Timestamp for records without one; default Date.now(). */
  timestamp?: number;
}

export function compressionCodecId(compression: Compression): number {
  return COMPRESSION_CODEC_IDS[compression];
}

function unsupportedCodec(name: string): ClientError {
  return new ClientError(
    'SPATE_CLIENT_UNSUPPORTED',
    `compression codec ${name} is not one Kafka defines (none, gzip, snappy, lz4, zstd)`,
  );
}

function corrupt(message: string): ClientError {
  return new ClientError('SPATE_CLIENT_PROTOCOL', message);
}

const clientError: RecordErrorFactory = (failure, message, codec) => (failure === 'corrupt' ? corrupt(message) : unsupportedCodec(codec ?? 'unknown'));

/**
 * One v2 record batch holding `records` (at least one), base offset 0, no producer id, CreateTime timestamps,
 * ready to be sent in a Produce request.
 */
export function buildRecordBatch(records: readonly ProducerRecord[], options: BuildBatchOptions = {}): Buffer {
  return encodeRecordBatch(records, { ...options, fail: clientError });
}

export interface DecodedBatches {
  records: ConsumedRecord[];
  /** The offset after the last whole batch read, or -1 when there was none. */
  nextOffset: number;
}

/**
 * Reads the batches of a fetched `records` field: whole batches back to back, possibly followed by a partial
 * batch (the broker cut at max bytes), which is ignored. Checks every batch's CRC-32C, decompresses gzip and
 * zstd, skips control batches, and drops records below `fromOffset` (a fetch starts at a batch boundary).
 */
export function decodeRecordBatches(data: Buffer | null, fromOffset = 0): DecodedBatches {
  const records: ConsumedRecord[] = [];
  let nextOffset = -1;
  if (data === null) return { records, nextOffset };
  let pos = 0;
  while (pos + LOG_OVERHEAD + 5 <= data.length) {
    const size = readInt32(data, pos + BATCH_LENGTH) + LOG_OVERHEAD;
    const magic = data[pos + MAGIC]!;
    if (magic !== CURRENT_MAGIC) {
      throw new ClientError('SPATE_CLIENT_UNSUPPORTED', `fetched a message set with magic ${magic}: only record batch v2 is supported`);
    }
    if (size < BATCH_HEADER_BYTES) throw corrupt(`record batch at byte ${pos} has a bad length ${size - LOG_OVERHEAD}`);
    if (pos + size > data.length) break;
    const h = readBatchHeader(data, pos);
    if (crc32c(data, pos + ATTRIBUTES, pos + size) !== h.crc) throw corrupt(`record batch at offset ${h.baseOffset} fails its CRC-32C check`);
    nextOffset = h.baseOffset + h.lastOffsetDelta + 1;
    if ((h.attributes & ATTR_CONTROL) === 0 && nextOffset > fromOffset) {
      forEachRecord(
        data,
        pos,
        h,
        (r) => {
          if (r.offset < fromOffset) return;
          records.push({
            offset: r.offset,
            timestamp: r.timestamp,
            timestampType: r.logAppendTime ? 'LogAppendTime' : 'CreateTime',
            key: r.key,
            value: r.value,
            headers: r.headers,
          });
        },
        { fail: clientError },
      );
    }
    pos += size;
  }
  return { records, nextOffset };
}
