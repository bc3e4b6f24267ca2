// Produce-side validation of an incoming record batch v2, as Kafka's LogValidator does it: structure, CRC-32C,
// record count and offset deltas, and the fields a client must leave to the broker.
import { crc32c } from './crc32c.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  ATTR_CONTROL,
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_SEQUENCE,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH,
  CRC,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MIN_BATCH_LENGTH,
  PRODUCER_ID,
  RECORD_COUNT,
  readInt32,
  readInt64,
  readUint32,
} from './batch.js';

// The Kafka error codes validateIncomingBatch can return.
export const BATCH_OK = ErrorCode.NONE;
export const CORRUPT_MESSAGE = ErrorCode.CORRUPT_MESSAGE;
export const UNSUPPORTED_FOR_MESSAGE_FORMAT = ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT;
export const INVALID_RECORD = ErrorCode.INVALID_RECORD;

export type BatchValidationCode =
  | typeof BATCH_OK
  | typeof CORRUPT_MESSAGE
  | typeof UNSUPPORTED_FOR_MESSAGE_FORMAT
  | typeof INVALID_RECORD;

/**
 * Validates the single batch a Produce (v3+) partition entry carries, at bytes[start, start + length).
 * Structural problems and a bad CRC are CORRUPT_MESSAGE; a well-formed batch the broker refuses is
 * INVALID_RECORD; legacy message sets are UNSUPPORTED_FOR_MESSAGE_FORMAT. Returns 0 when acceptable.
 */
export function validateIncomingBatch(bytes: Uint8Array, start: number, length: number): BatchValidationCode {
  if (start < 0 || length < 0 || start + length > bytes.length) return CORRUPT_MESSAGE;
  // Magic sits at the same offset in v0/v1 message sets, so it is safe to look at before anything else.
  if (length <= MAGIC) return CORRUPT_MESSAGE;
  const magic = bytes[start + MAGIC]!;
  if (magic === 0 || magic === 1) return UNSUPPORTED_FOR_MESSAGE_FORMAT;
  if (magic !== CURRENT_MAGIC) return INVALID_RECORD;
  if (length < BATCH_HEADER_BYTES) return CORRUPT_MESSAGE;

  const batchLength = readInt32(bytes, start + BATCH_LENGTH);
  if (batchLength < MIN_BATCH_LENGTH) return CORRUPT_MESSAGE;
  const total = batchLength + LOG_OVERHEAD;
  if (total > length) return CORRUPT_MESSAGE;
  if (total < length) {
    // A second complete batch is a protocol violation; a ragged tail is just damage.
    const extra = length - total;
    const next = start + total;
    if (extra >= BATCH_HEADER_BYTES && readInt32(bytes, next + BATCH_LENGTH) + LOG_OVERHEAD <= extra) {
      return INVALID_RECORD;
    }
    return CORRUPT_MESSAGE;
  }

  if (readUint32(bytes, start + CRC) !== crc32c(bytes, start + ATTRIBUTES, start + total)) return CORRUPT_MESSAGE;

  const recordCount = readInt32(bytes, start + RECORD_COUNT);
  if (recordCount <= 0) return INVALID_RECORD;
  if (readInt32(bytes, start + LAST_OFFSET_DELTA) + 1 !== recordCount) return INVALID_RECORD;
  if ((bytes[start + ATTRIBUTES + 1]! & ATTR_CONTROL) !== 0) return INVALID_RECORD;
  // Clients always send 0 here; the broker assigns the real base offset (AK LogValidator).
  if (readInt64(bytes, start + BASE_OFFSET) !== 0) return INVALID_RECORD;
  // An idempotent producer (producerId >= 0) must number its batches.
  if (readInt32(bytes, start + PRODUCER_ID) >= 0 && readInt32(bytes, start + BASE_SEQUENCE) < 0) return INVALID_RECORD;
  return BATCH_OK;
}
