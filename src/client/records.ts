// Record batches v2 on the client side: building a batch from records (keys, values, headers, timestamps;
// uncompressed, gzip or zstd) with a correct CRC-32C, and reading the batches a Fetch returns back into records.
// Snappy and LZ4 need native packages that are not runtime dependencies, so they are refused with a clear error.
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { crc32c } from '../protocol/crc32c.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_TIMESTAMP_TYPE_LOG_APPEND,
  ATTRIBUTES,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH,
  CRC,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  MAGIC,
  readBatchHeader,
  readInt32,
  writeInt32,
  writeInt64,
} from '../protocol/record-batch.js';
import { ClientError } from './errors.js';

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

const CODEC_IDS: Readonly<Record<Compression, number>> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
const CODEC_NAMES: readonly string[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface ProducerRecord {
  key?: Buffer | string | null;
  /** null is a tombstone. */
  value: Buffer | string | null;
  headers?: RecordHeader[];
  /** Epoch ms; default: the batch's timestamp (now). */
  timestamp?: number;
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
  return CODEC_IDS[compression];
}

function unsupportedCodec(name: string): ClientError {
  return new ClientError(
    'SPATE_CLIENT_UNSUPPORTED',
    `compression codec ${name} is not supported by the spate client (gzip, zstd and none are); its native package is not a runtime dependency`,
  );
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function varintSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    n++;
  }
  return n;
}

function writeVarint(buf: Buffer, pos: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 0x80) {
    buf[pos++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  buf[pos++] = z;
  return pos;
}

function bytesSize(b: Buffer | null): number {
  return b === null ? varintSize(-1) : varintSize(b.length) + b.length;
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

function compress(codec: Compression, data: Buffer): Buffer {
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      return gzipSync(data);
    case 'zstd':
      return zstdCompressSync(data);
    default:
      throw unsupportedCodec(codec);
  }
}

function decompress(codecId: number, data: Buffer): Buffer {
  switch (codecId) {
    case 1:
      return gunzipSync(data);
    case 4:
      return zstdDecompressSync(data);
    default:
      throw unsupportedCodec(CODEC_NAMES[codecId] ?? `#${codecId}`);
  }
}

/**
 * One v2 record batch holding `records` (at least one), base offset 0, no producer id, CreateTime timestamps,
 * ready to be sent in a Produce request.
 */
export function buildRecordBatch(records: readonly ProducerRecord[], options: BuildBatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const compression = options.compression ?? 'none';
  if (!(compression in CODEC_IDS)) throw unsupportedCodec(String(compression));
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
    let bodySize = 1 + varintSize(ts - baseTimestamp) + varintSize(i) + bytesSize(key) + bytesSize(value) + varintSize(headers.length);
    for (const [hk, hv] of headers) bodySize += bytesSize(hk) + bytesSize(hv);
    recordsSize += varintSize(bodySize) + bodySize;
    return { key, value, headers, timestampDelta: ts - baseTimestamp, bodySize };
  });

  let body: Buffer = Buffer.allocUnsafe(recordsSize);
  let pos = 0;
  prepared.forEach((r, i) => {
    pos = writeVarint(body, pos, r.bodySize);
    body[pos++] = 0; // record attributes
    pos = writeVarint(body, pos, r.timestampDelta);
    pos = writeVarint(body, pos, i);
    pos = writeBytes(body, pos, r.key);
    pos = writeBytes(body, pos, r.value);
    pos = writeVarint(body, pos, r.headers.length);
    for (const [hk, hv] of r.headers) {
      pos = writeBytes(body, pos, hk);
      pos = writeBytes(body, pos, hv);
    }
  });
  body = compress(compression, body);

  const total = BATCH_HEADER_BYTES + body.length;
  const batch = Buffer.allocUnsafe(total);
  writeInt64(batch, 0, 0); // baseOffset: assigned by the broker
  writeInt32(batch, BATCH_LENGTH, total - LOG_OVERHEAD);
  writeInt32(batch, 12, -1); // partitionLeaderEpoch
  batch[MAGIC] = CURRENT_MAGIC;
  batch.writeInt16BE(CODEC_IDS[compression], ATTRIBUTES);
  writeInt32(batch, 23, records.length - 1); // lastOffsetDelta
  writeInt64(batch, 27, baseTimestamp);
  writeInt64(batch, 35, maxTimestamp);
  writeInt64(batch, 43, -1); // producerId
  batch.writeInt16BE(-1, 51); // producerEpoch
  writeInt32(batch, 53, -1); // baseSequence
  writeInt32(batch, 57, records.length);
  body.copy(batch, BATCH_HEADER_BYTES);
  writeInt32(batch, CRC, crc32c(batch, ATTRIBUTES, total));
  return batch;
}

export interface DecodedBatches {
  records: ConsumedRecord[];
  /** The offset after the last whole batch read, or -1 when there was none. */
  nextOffset: number;
}

function corrupt(message: string): ClientError {
  return new ClientError('SPATE_CLIENT_PROTOCOL', message);
}

class VarReader {
  constructor(
    private readonly data: Buffer,
    public pos: number,
    private readonly end: number,
  ) {}

  varint(): number {
    let z = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end || i >= 10) throw corrupt('malformed varint in a record');
      const b = this.data[this.pos++]!;
      z += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 0x80;
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  bytes(): Buffer | null {
    const len = this.varint();
    if (len < 0) return null;
    if (this.pos + len > this.end) throw corrupt('record field runs past its batch');
    const out = this.data.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
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
    const isControl = (h.attributes & ATTR_CONTROL) !== 0;
    if (!isControl && nextOffset > fromOffset) {
      const codec = h.attributes & ATTR_COMPRESSION_MASK;
      const logAppend = (h.attributes & ATTR_TIMESTAMP_TYPE_LOG_APPEND) !== 0;
      let body: Buffer = data.subarray(pos + BATCH_HEADER_BYTES, pos + size);
      if (codec !== 0) body = decompress(codec, body);
      const reader = new VarReader(body, 0, body.length);
      for (let i = 0; i < h.recordCount; i++) {
        const length = reader.varint();
        const end = reader.pos + length;
        if (length < 0 || end > body.length) throw corrupt(`record ${i} of batch at offset ${h.baseOffset} overruns it`);
        reader.pos++; // record attributes
        const timestampDelta = reader.varint();
        const offsetDelta = reader.varint();
        const key = reader.bytes();
        const value = reader.bytes();
        const headerCount = reader.varint();
        const headers: RecordHeader[] = [];
        for (let j = 0; j < headerCount; j++) {
          const hk = reader.bytes();
          const hv = reader.bytes();
          headers.push({ key: hk === null ? '' : hk.toString('utf8'), value: hv });
        }
        reader.pos = end;
        const offset = h.baseOffset + offsetDelta;
        if (offset < fromOffset) continue;
        records.push({
          offset,
          timestamp: logAppend ? h.maxTimestamp : h.baseTimestamp + timestampDelta,
          timestampType: logAppend ? 'LogAppendTime' : 'CreateTime',
          key,
          value,
          headers,
        });
      }
    }
    pos += size;
  }
  return { records, nextOffset };
}
