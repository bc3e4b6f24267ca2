// Produce-side validation of an incoming record batch v2, as Kafka's LogValidator does it: structure, CRC-32C,
// record count and offset deltas, the records themselves, and the fields a client must leave to the broker.
import { crc32c } from './crc32c.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  ATTR_COMPRESSION_MASK,
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
import { DecompressionError, decompressRecords, isSupportedCodec } from './compression.js';
import { countRecords } from './record-walk.js';

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
 * Largest records section a compressed batch may decompress to on the produce path. Each worker decompresses one
 * batch at a time, so this bounds the transient memory (and the time) one hostile batch can cost a worker; a
 * legitimate batch this large would hold 64 times the default max.message.bytes of compressed data.
 */
export const MAX_DECOMPRESSED_BATCH_BYTES = 64 * 1024 * 1024;

/**
 * Validates the single batch a Produce (v3+) partition entry carries, at bytes[start, start + length).
 * Damaged bytes (truncation, a bad CRC, a records section that cannot be decompressed, an unknown codec) are
 * CORRUPT_MESSAGE; a batch whose records do not match its header (count, offset deltas, record structure: Kafka's
 * InvalidRecordException), or that decompresses past MAX_DECOMPRESSED_BATCH_BYTES, or that the broker refuses
 * for other reasons, is INVALID_RECORD; legacy message sets are UNSUPPORTED_FOR_MESSAGE_FORMAT.
 * Returns 0 when acceptable.
 */
export function validateIncomingBatch(
  bytes: Uint8Array,
  start: number,
  length: number,
  maxDecompressedBytes = MAX_DECOMPRESSED_BATCH_BYTES,
): BatchValidationCode {
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
  return validateRecords(bytes, start, total, recordCount, maxDecompressedBytes);
}

/**
 * The header's record count must be the number of records the batch really holds, each with offset delta equal
 * to its index (Kafka's iterator: "Incorrect declared batch size"). Without this, a one-record batch claiming a
 * billion records would move the log end offset by a billion. Compressed batches are decompressed (bounded) and
 * walked the same way, as Kafka's LogValidator does.
 */
function validateRecords(bytes: Uint8Array, start: number, total: number, recordCount: number, maxDecompressedBytes: number): BatchValidationCode {
  const codec = bytes[start + ATTRIBUTES + 1]! & ATTR_COMPRESSION_MASK;
  const recordsStart = start + BATCH_HEADER_BYTES;
  const end = start + total;
  if (codec === 0) return countRecords(bytes, recordsStart, end, recordCount) ? BATCH_OK : INVALID_RECORD;
  if (!isSupportedCodec(codec)) return CORRUPT_MESSAGE;
  let body: Uint8Array;
  try {
    body = decompressRecords(codec, bytes.subarray(recordsStart, end), maxDecompressedBytes);
  } catch (error) {
    if (error instanceof DecompressionError) return error.failure === 'too-large' ? INVALID_RECORD : CORRUPT_MESSAGE;
    throw error;
  }
  return countRecords(body, 0, body.length, recordCount) ? BATCH_OK : INVALID_RECORD;
}
