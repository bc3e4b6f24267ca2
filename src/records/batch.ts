// Record batch v2 (magic 2): the header layout, field access and the in-place patches the broker makes (baseOffset, partitionLeaderEpoch: both outside the CRC). Pure functions over a
// Uint8Array that may be a view over a SharedArrayBuffer, so fields are read byte by byte rather than
// through Buffer methods or a DataView allocated per call.
import { crc32c } from './crc32c.js';

// Header field offsets, relative to the start of the batch.
export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORD_COUNT = 57;
export const RECORDS = 61;

export const BATCH_HEADER_BYTES = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;
/** Smallest legal batchLength (a header with no records). */
export const MIN_BATCH_LENGTH = BATCH_HEADER_BYTES - LOG_OVERHEAD;
export const CURRENT_MAGIC = 2;

// Attribute bits.
export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE_LOG_APPEND = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
export const ATTR_DELETE_HORIZON = 0x40;

const TWO_POW_32 = 0x1_0000_0000;

export function readInt16(bytes: Uint8Array, pos: number): number {
  return ((bytes[pos]! << 24) | (bytes[pos + 1]! << 16)) >> 16;
}

export function readInt32(bytes: Uint8Array, pos: number): number {
  return (bytes[pos]! << 24) | (bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
}

export function readUint32(bytes: Uint8Array, pos: number): number {
  return readInt32(bytes, pos) >>> 0;
}

/** Big-endian int64 as a number; exact for |v| < 2^53 (offsets, timestamps, producer ids in practice). */
export function readInt64(bytes: Uint8Array, pos: number): number {
  return readInt32(bytes, pos) * TWO_POW_32 + readUint32(bytes, pos + 4);
}

export function writeInt32(bytes: Uint8Array, pos: number, value: number): void {
  bytes[pos] = value >>> 24;
  bytes[pos + 1] = value >>> 16;
  bytes[pos + 2] = value >>> 8;
  bytes[pos + 3] = value;
}

export function writeInt64(bytes: Uint8Array, pos: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`int64 value ${value} is not a safe integer`);
  const hi = Math.floor(value / TWO_POW_32);
  writeInt32(bytes, pos, hi | 0);
  writeInt32(bytes, pos + 4, value - hi * TWO_POW_32);
}

export interface RecordBatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Decodes the 61-byte header at `start`. The caller guarantees the header bytes are present. */
export function readBatchHeader(bytes: Uint8Array, start: number): RecordBatchHeader {
  return {
    baseOffset: readInt64(bytes, start + BASE_OFFSET),
    batchLength: readInt32(bytes, start + BATCH_LENGTH),
    partitionLeaderEpoch: readInt32(bytes, start + PARTITION_LEADER_EPOCH),
    magic: bytes[start + MAGIC]! << 24 >> 24,
    crc: readUint32(bytes, start + CRC),
    attributes: readInt16(bytes, start + ATTRIBUTES),
    lastOffsetDelta: readInt32(bytes, start + LAST_OFFSET_DELTA),
    baseTimestamp: readInt64(bytes, start + BASE_TIMESTAMP),
    maxTimestamp: readInt64(bytes, start + MAX_TIMESTAMP),
    producerId: readInt64(bytes, start + PRODUCER_ID),
    producerEpoch: readInt16(bytes, start + PRODUCER_EPOCH),
    baseSequence: readInt32(bytes, start + BASE_SEQUENCE),
    recordCount: readInt32(bytes, start + RECORD_COUNT),
  };
}

/** Total bytes of the batch at `start` (batchLength + LOG_OVERHEAD); needs only the first 12 bytes. */
export function batchTotalSize(bytes: Uint8Array, start: number): number {
  return readInt32(bytes, start + BATCH_LENGTH) + LOG_OVERHEAD;
}

/** Offset of the last record of the batch at `start`. */
export function batchLastOffset(bytes: Uint8Array, start: number): number {
  return readInt64(bytes, start + BASE_OFFSET) + readInt32(bytes, start + LAST_OFFSET_DELTA);
}

/** CRC-32C the batch at `start` should carry (attributes..end). */
export function computeBatchCrc(bytes: Uint8Array, start: number): number {
  return crc32c(bytes, start + ATTRIBUTES, start + batchTotalSize(bytes, start));
}

/** Rewrites the stored CRC after a change to a CRC-covered field (attributes, maxTimestamp). */
export function updateBatchCrc(bytes: Uint8Array, start: number): void {
  writeInt32(bytes, start + CRC, computeBatchCrc(bytes, start));
}

/** baseOffset lies outside the CRC, so assigning it needs no checksum update. */
export function patchBaseOffset(bytes: Uint8Array, start: number, baseOffset: number): void {
  if (baseOffset < 0) throw new RangeError(`baseOffset ${baseOffset} is negative`);
  writeInt64(bytes, start + BASE_OFFSET, baseOffset);
}

/** partitionLeaderEpoch lies outside the CRC as well. */
export function patchLeaderEpoch(bytes: Uint8Array, start: number, epoch: number): void {
  writeInt32(bytes, start + PARTITION_LEADER_EPOCH, epoch);
}
