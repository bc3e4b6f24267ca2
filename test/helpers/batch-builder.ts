// Builds uncompressed record batch v2 blobs for tests, exactly as a client would send them.
// The header overrides exist so tests can produce deliberately invalid batches that still carry a
// correct CRC (the CRC is computed last, over whatever the header ended up holding).
import { COMPRESSION_CODEC_IDS, compressRecords, type Compression } from '../../src/records/compression.js';
import { crc32c } from '../../src/records/crc32c.js';

export interface TestRecord {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: Array<[string, Buffer]>;
  /** Epoch ms; defaults to the batch's base timestamp. */
  timestamp?: number;
}

export interface BuildBatchOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  magic?: number;
  attributes?: number;
  /** Default: the first record's timestamp (or Date.now()), as the Java producer does. */
  baseTimestamp?: number;
  /** Default: the largest record timestamp. */
  maxTimestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Default: records.length - 1. */
  lastOffsetDelta?: number;
  /** Default: records.length. */
  recordCount?: number;
}

class Writer {
  private buf = Buffer.alloc(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Zig-zag varint/varlong, exact for |v| < 2^52. */
  varint(v: number): void {
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    this.reserve(10);
    while (z >= 0x80) {
      this.buf[this.length++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    this.buf[this.length++] = z;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function encodeRecord(r: TestRecord, index: number, baseTimestamp: number): Buffer {
  const body = new Writer();
  body.bytes(Uint8Array.of(0)); // record attributes, unused
  body.varint((r.timestamp ?? baseTimestamp) - baseTimestamp);
  body.varint(index);
  const key = r.key ?? null;
  if (key === null) body.varint(-1);
  else {
    body.varint(key.length);
    body.bytes(key);
  }
  if (r.value === null) body.varint(-1);
  else {
    body.varint(r.value.length);
    body.bytes(r.value);
  }
  const headers = r.headers ?? [];
  body.varint(headers.length);
  for (const [hk, hv] of headers) {
    const k = Buffer.from(hk, 'utf8');
    body.varint(k.length);
    body.bytes(k);
    body.varint(hv.length);
    body.bytes(hv);
  }
  const out = new Writer();
  out.varint(body.length);
  out.bytes(body.result());
  return Buffer.from(out.result());
}

/** An uncompressed magic-2 record batch with a correct CRC-32C. */
export function buildRecordBatch(records: TestRecord[], opts: BuildBatchOptions = {}): Buffer {
  const first = records[0];
  const baseTimestamp = opts.baseTimestamp ?? first?.timestamp ?? Date.now();
  let maxTs = -1;
  for (const r of records) maxTs = Math.max(maxTs, r.timestamp ?? baseTimestamp);
  if (records.length === 0) maxTs = baseTimestamp;
  const encoded = records.map((r, i) => encodeRecord(r, i, baseTimestamp));
  const recordsBytes = encoded.reduce((n, b) => n + b.length, 0);

  const batch = Buffer.alloc(61 + recordsBytes);
  batch.writeBigInt64BE(BigInt(opts.baseOffset ?? 0), 0);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(opts.partitionLeaderEpoch ?? 0, 12);
  batch.writeInt8(opts.magic ?? 2, 16);
  batch.writeInt16BE(opts.attributes ?? 0, 21);
  batch.writeInt32BE(opts.lastOffsetDelta ?? records.length - 1, 23);
  batch.writeBigInt64BE(BigInt(baseTimestamp), 27);
  batch.writeBigInt64BE(BigInt(opts.maxTimestamp ?? maxTs), 35);
  batch.writeBigInt64BE(BigInt(opts.producerId ?? -1), 43);
  batch.writeInt16BE(opts.producerEpoch ?? -1, 51);
  batch.writeInt32BE(opts.baseSequence ?? -1, 53);
  batch.writeInt32BE(opts.recordCount ?? records.length, 57);
  let pos = 61;
  for (const e of encoded) {
    e.copy(batch, pos);
    pos += e.length;
  }
  batch.writeUInt32BE(crc32c(batch, 21, batch.length), 17);
  return batch;
}

/** Convenience: n records with small distinct values ("v0", "v1", ...), optional fixed timestamp. */
export function simpleBatch(n: number, opts: BuildBatchOptions & { valueBytes?: number; timestamp?: number } = {}): Buffer {
  const records: TestRecord[] = [];
  for (let i = 0; i < n; i++) {
    const value = opts.valueBytes !== undefined ? Buffer.alloc(opts.valueBytes, i & 0xff) : Buffer.from(`v${i}`);
    records.push(opts.timestamp !== undefined ? { value, timestamp: opts.timestamp } : { value });
  }
  return buildRecordBatch(records, opts);
}

/**
 * A record batch whose records section is compressed with `compression` (records built as buildRecordBatch
 * builds them), header overrides applied before the CRC is computed, as for buildRecordBatch.
 */
export function buildCompressedBatch(records: TestRecord[], compression: Exclude<Compression, 'none'>, opts: BuildBatchOptions = {}): Buffer {
  const plain = buildRecordBatch(records, opts);
  const compressed = compressRecords(compression, plain.subarray(61));
  const batch = Buffer.alloc(61 + compressed.length);
  plain.copy(batch, 0, 0, 61);
  compressed.copy(batch, 61);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt16BE(((opts.attributes ?? 0) & ~0x07) | COMPRESSION_CODEC_IDS[compression], 21);
  batch.writeUInt32BE(crc32c(batch, 21, batch.length), 17);
  return batch;
}
