// Record-level timestamp lookups inside one stored batch, for ListOffsets: the batch index finds the batch,
// this finds the exact record, as Kafka answers. Pure: no I/O, works on any Uint8Array view. The records are
// walked by the shared codec in ./records.ts.
import { ATTR_COMPRESSION_MASK, ATTR_TIMESTAMP_TYPE_LOG_APPEND, readBatchHeader } from './batch.js';
import { forEachRecord, type RecordErrorFactory } from './codec.js';
import { isSupportedCodec } from './compression.js';

export interface RecordPosition {
  offset: number;
  timestamp: number;
}

const rangeError: RecordErrorFactory = (_failure, message) => new RangeError(message);

/**
 * The first record of the batch at `start` whose timestamp satisfies `match`, or null if none does.
 * Returns undefined when the records cannot be read (an unknown codec id): the caller then falls back to
 * batch granularity.
 */
export function findRecordInBatch(bytes: Uint8Array, start: number, match: (timestamp: number) => boolean): RecordPosition | null | undefined {
  const header = readBatchHeader(bytes, start);
  // LogAppendTime: every record carries the batch's max timestamp.
  if ((header.attributes & ATTR_TIMESTAMP_TYPE_LOG_APPEND) !== 0) {
    return match(header.maxTimestamp) ? { offset: header.baseOffset, timestamp: header.maxTimestamp } : null;
  }
  if (!isSupportedCodec(header.attributes & ATTR_COMPRESSION_MASK)) return undefined;
  let found: RecordPosition | null = null;
  forEachRecord(
    bytes,
    start,
    header,
    (r) => {
      if (!match(r.timestamp)) return false;
      found = { offset: r.offset, timestamp: r.timestamp };
      return true;
    },
    { headers: false, strictCount: false, fail: rangeError },
  );
  return found;
}
