// The record batch v2 codec: the records inside a batch (zig-zag varints, key, value, headers, timestamp and
// offset deltas), building a whole batch with a correct CRC-32C and any of the five codecs, and walking the
// records of one batch. Pure: no sockets, no threads. The client, the broker's own `__consumer_offsets` store,
// ListOffsets and Produce validation all use this one implementation; each supplies the errors it reports.
import { crc32c } from './crc32c.js';
import {
  COMPRESSION_CODEC_IDS,
  compressionName,
  compressRecords,
  decompressRecords,
  DecompressionError,
  isSupportedCodec,
  type Compression,
} from './compression.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_TIMESTAMP_TYPE_LOG_APPEND,
  ATTRIBUTES,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH,
  CRC,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  MAGIC,
  type RecordBatchHeader,
  writeInt32,
  writeInt64,
} from './batch.js';

/** What went wrong: damaged bytes (or a records section too large to decompress), or an unknown codec id. */
export type RecordCodecFailure = 'corrupt' | 'unsupported';

export class RecordCodecError extends Error {
  override readonly name = 'RecordCodecError';
  constructor(
    readonly failure: RecordCodecFailure,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Makes the error a caller reports; the default makes a RecordCodecError. `codec` names the codec of an
 * 'unsupported' failure.
 */
export type RecordErrorFactory = (failure: RecordCodecFailure, message: string, codec?: string) => Error;

const defaultError: RecordErrorFactory = (failure, message) => new RecordCodecError(failure, message);

function unsupported(fail: RecordErrorFactory, codec: string): Error {
  return fail('unsupported', `compression codec ${codec} is not supported`, codec);
}

// ---------------------------------------------------------------------------------------------------------
// Zig-zag varints (varint and varlong share one encoding), exact for |v| < 2^52.

export function varintSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    n++;
  }
  return n;
}

/** Writes `v` at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 0x80) {
    buf[pos++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  buf[pos++] = z;
  return pos;
}

/** Longest varlong: ceil(64 / 7) bytes. */
const MAX_VARINT_BYTES = 10;

/** Reads varints and length-prefixed byte fields from data[pos, end). */
export class VarintReader {
  constructor(
    private readonly data: Uint8Array,
    public pos: number,
    private readonly end: number,
    private readonly fail: RecordErrorFactory = defaultError,
  ) {}

  varint(): number {
    let z = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) throw this.fail('corrupt', 'record varint runs past its batch');
      if (i >= MAX_VARINT_BYTES) throw this.fail('corrupt', 'record varint is too long');
      const b = this.data[this.pos++]!;
      z += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 0x80;
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** A varint length and that many bytes (a Buffer view, no copy); length -1 is null. */
  bytes(): Buffer | null {
    const len = this.varint();
    if (len < 0) return null;
    if (this.pos + len > this.end) throw this.fail('corrupt', 'record field runs past its batch');
    const out = Buffer.from(this.data.buffer, this.data.byteOffset + this.pos, len);
    this.pos += len;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Compression of the records section (./compression.ts), with the caller's errors.

function decompress(codecId: number, data: Uint8Array, fail: RecordErrorFactory): Uint8Array {
  try {
    return decompressRecords(codecId, data);
  } catch (error) {
    if (!(error instanceof DecompressionError)) throw error;
    throw error.failure === 'unsupported' ? unsupported(fail, compressionName(codecId)) : fail('corrupt', error.message);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Encoding.

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface RecordInput {
  key?: Buffer | string | null;
  /** null is a tombstone. */
  value: Buffer | string | null;
  headers?: readonly RecordHeader[];
  /** Epoch ms; default: the batch's timestamp. */
  timestamp?: number;
}

export interface EncodeBatchOptions {
  /** Default none. */
  compression?: Compression;
  /** Timestamp for records without one; default Date.now(). */
  timestamp?: number;
  fail?: RecordErrorFactory;
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function bytesSize(b: Buffer | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length;
}

function writeBytes(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  return pos + b.copy(buf, pos);
}

interface PreparedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<[Buffer, Buffer | null]>;
  timestampDelta: number;
  bodySize: number;
}

/**
 * One v2 record batch holding `records` (at least one): base offset 0 (the partition actor assigns the real
 * one), no producer id, CreateTime timestamps, the records section compressed with `compression`. The result
 * passes `validateIncomingBatch`.
 */
export function encodeRecordBatch(records: readonly RecordInput[], options: EncodeBatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const fail = options.fail ?? defaultError;
  const compression = options.compression ?? 'none';
  const codecId = COMPRESSION_CODEC_IDS[compression] as number | undefined;
  if (codecId === undefined || !isSupportedCodec(codecId)) {
    throw unsupported(fail, String(compression));
  }
  const now = options.timestamp ?? Date.now();
  const baseTimestamp = records[0]!.timestamp ?? now;
  let maxTimestamp = baseTimestamp;
  let recordsSize = 0;
  const prepared: PreparedRecord[] = records.map((r, i) => {
    const ts = r.timestamp ?? now;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const key = toBuffer(r.key);
    const value = toBuffer(r.value);
    const headers: Array<[Buffer, Buffer | null]> = (r.headers ?? []).map((h) => [Buffer.from(h.key, 'utf8'), h.value]);
    const timestampDelta = ts - baseTimestamp;
    let bodySize = 1 + varintSize(timestampDelta) + varintSize(i) + bytesSize(key) + bytesSize(value) + varintSize(headers.length);
    for (const [hk, hv] of headers) bodySize += bytesSize(hk) + bytesSize(hv);
    recordsSize += varintSize(bodySize) + bodySize;
    return { key, value, headers, timestampDelta, bodySize };
  });

  // Uncompressed records are written in place after the header; compressed ones go through a scratch buffer.
  // The batch gets its own ArrayBuffer (not the shared pool), so callers may transfer or keep it freely.
  let batch: Buffer;
  if (codecId === 0) {
    batch = Buffer.allocUnsafeSlow(BATCH_HEADER_BYTES + recordsSize);
    writeRecords(batch, BATCH_HEADER_BYTES, prepared);
  } else {
    const body = Buffer.allocUnsafe(recordsSize);
    writeRecords(body, 0, prepared);
    const compressed = compressRecords(compression, body);
    batch = Buffer.allocUnsafeSlow(BATCH_HEADER_BYTES + compressed.length);
    compressed.copy(batch, BATCH_HEADER_BYTES);
  }

  const total = batch.length;
  writeInt64(batch, 0, 0); // baseOffset: assigned by the broker
  writeInt32(batch, BATCH_LENGTH, total - LOG_OVERHEAD);
  writeInt32(batch, 12, -1); // partitionLeaderEpoch
  batch[MAGIC] = CURRENT_MAGIC;
  batch.writeInt16BE(codecId, ATTRIBUTES);
  writeInt32(batch, 23, records.length - 1); // lastOffsetDelta
  writeInt64(batch, 27, baseTimestamp);
  writeInt64(batch, 35, maxTimestamp);
  writeInt64(batch, 43, -1); // producerId
  batch.writeInt16BE(-1, 51); // producerEpoch
  writeInt32(batch, 53, -1); // baseSequence
  writeInt32(batch, 57, records.length);
  writeInt32(batch, CRC, crc32c(batch, ATTRIBUTES, total));
  return batch;
}

function writeRecords(buf: Buffer, pos: number, prepared: readonly PreparedRecord[]): void {
  prepared.forEach((r, i) => {
    pos = writeVarint(buf, pos, r.bodySize);
    buf[pos++] = 0; // record attributes
    pos = writeVarint(buf, pos, r.timestampDelta);
    pos = writeVarint(buf, pos, i);
    pos = writeBytes(buf, pos, r.key);
    pos = writeBytes(buf, pos, r.value);
    pos = writeVarint(buf, pos, r.headers.length);
    for (const [hk, hv] of r.headers) {
      pos = writeBytes(buf, pos, hk);
      pos = writeBytes(buf, pos, hv);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// Decoding.

/** One record as the iterator sees it. The object is reused: copy what you keep out of the callback. */
export interface RecordView {
  offset: number;
  /** baseTimestamp + delta, or the batch's maxTimestamp under LogAppendTime. */
  timestamp: number;
  logAppendTime: boolean;
  key: Buffer | null;
  value: Buffer | null;
  /** Fresh for every record; empty when headers are not decoded. */
  headers: RecordHeader[];
}

export interface RecordIterationOptions {
  /** Decode the headers; default true. */
  headers?: boolean;
  /**
   * Default true: a records section that ends before the header's record count is corrupt. When false the
   * walk just stops there.
   */
  strictCount?: boolean;
  fail?: RecordErrorFactory;
}

/**
 * Calls `visit` for every record of the batch at `start`, whose `header` the caller has read (and whose CRC it
 * has checked if it wants to). Decompresses every codec; an unknown codec id fails as 'unsupported'. `visit` returning true stops the walk.
 * Returns the number of records visited.
 */
export function forEachRecord(
  bytes: Uint8Array,
  start: number,
  header: RecordBatchHeader,
  visit: (record: RecordView, index: number) => boolean | void,
  options: RecordIterationOptions = {},
): number {
  const fail = options.fail ?? defaultError;
  const withHeaders = options.headers ?? true;
  const batchEnd = start + LOG_OVERHEAD + header.batchLength;
  if (batchEnd > bytes.length || batchEnd < start + BATCH_HEADER_BYTES) {
    throw fail('corrupt', `record batch at offset ${header.baseOffset} runs past its data`);
  }
  const body = decompress(header.attributes & ATTR_COMPRESSION_MASK, bytes.subarray(start + BATCH_HEADER_BYTES, batchEnd), fail);
  const logAppendTime = (header.attributes & ATTR_TIMESTAMP_TYPE_LOG_APPEND) !== 0;
  const reader = new VarintReader(body, 0, body.length, fail);
  const view: RecordView = { offset: 0, timestamp: 0, logAppendTime, key: null, value: null, headers: [] };
  let i = 0;
  for (; i < header.recordCount; i++) {
    if (reader.pos >= body.length && options.strictCount === false) break;
    const length = reader.varint();
    const end = reader.pos + length;
    if (length < 0 || end > body.length) throw fail('corrupt', `record ${i} of batch at offset ${header.baseOffset} overruns it`);
    reader.pos++; // record attributes
    const timestampDelta = reader.varint();
    view.offset = header.baseOffset + reader.varint();
    view.timestamp = logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta;
    view.key = reader.bytes();
    view.value = reader.bytes();
    view.headers = [];
    if (withHeaders) {
      const headerCount = reader.varint();
      for (let j = 0; j < headerCount; j++) {
        const hk = reader.bytes();
        const hv = reader.bytes();
        view.headers.push({ key: hk === null ? '' : hk.toString('utf8'), value: hv });
      }
    }
    reader.pos = end;
    if (visit(view, i) === true) return i + 1;
  }
  return i;
}
