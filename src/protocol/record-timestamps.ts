// Record-level timestamp lookups inside one stored batch, for ListOffsets: the batch index finds the batch,
// this finds the exact record, as Kafka answers. Pure: no I/O, works on any Uint8Array view.
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_TIMESTAMP_TYPE_LOG_APPEND,
  BATCH_HEADER_BYTES,
  LOG_OVERHEAD,
  readBatchHeader,
} from './record-batch.js';

export interface RecordPosition {
  offset: number;
  timestamp: number;
}

const GZIP = 1;
const ZSTD = 4;

/**
 * The first record of the batch at `start` whose timestamp satisfies `match`, or null if none does.
 * Returns undefined when the records cannot be read here (snappy or lz4 compression): the caller then falls
 * back to batch granularity.
 */
export function findRecordInBatch(bytes: Uint8Array, start: number, match: (timestamp: number) => boolean): RecordPosition | null | undefined {
  const header = readBatchHeader(bytes, start);
  // LogAppendTime: every record carries the batch's max timestamp.
  if ((header.attributes & ATTR_TIMESTAMP_TYPE_LOG_APPEND) !== 0) {
    return match(header.maxTimestamp) ? { offset: header.baseOffset, timestamp: header.maxTimestamp } : null;
  }
  const end = start + LOG_OVERHEAD + header.batchLength;
  let records: Uint8Array = bytes.subarray(start + BATCH_HEADER_BYTES, end);
  switch (header.attributes & ATTR_COMPRESSION_MASK) {
    case 0:
      break;
    case GZIP:
      records = gunzipSync(records);
      break;
    case ZSTD:
      records = zstdDecompressSync(records);
      break;
    default:
      return undefined;
  }
  let pos = 0;
  const varint = (): number => {
    let z = 0;
    let mul = 1;
    for (let shift = 0; shift < 64; shift += 7) {
      if (pos >= records.length) throw new RangeError('record varint runs past the batch');
      const b = records[pos++]!;
      z += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      mul *= 0x80;
    }
    throw new RangeError('record varint is too long');
  };
  for (let i = 0; i < header.recordCount && pos < records.length; i++) {
    const length = varint();
    const recordEnd = pos + length;
    pos++; // record attributes
    const timestamp = header.baseTimestamp + varint();
    const offset = header.baseOffset + varint();
    if (match(timestamp)) return { offset, timestamp };
    pos = recordEnd;
  }
  return null;
}
