// Building and walking uncompressed record batches v2 (magic 2) on the broker side. The broker writes its own
// internal topics (`__consumer_offsets`) through the same partition actors as client data, so it needs what a
// client has: a small batch encoder with a correct CRC-32C. The reader below walks what such a writer made
// (uncompressed only: compressed batches are reported, not decoded).
import { crc32c } from './crc32c.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
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
} from './record-batch.js';

export interface BatchRecord {
  key: Buffer | null;
  /** null is a tombstone. */
  value: Buffer | null;
  /** Epoch ms; defaults to the batch timestamp. */
  timestamp?: number;
}

/** Zig-zag varint size and encoding, exact for |v| < 2^52. */
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

/**
 * One uncompressed v2 batch holding `records`, base offset 0 (the partition actor assigns the real one), no
 * producer id, CreateTime timestamps. The result passes `validateIncomingBatch`.
 */
export function buildRecordBatch(records: readonly BatchRecord[], timestamp: number = Date.now()): Buffer {
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const baseTimestamp = records[0]!.timestamp ?? timestamp;
  let maxTimestamp = baseTimestamp;
  const bodies: { size: number; tsDelta: number }[] = [];
  let total = BATCH_HEADER_BYTES;
  records.forEach((r, i) => {
    const ts = r.timestamp ?? timestamp;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const tsDelta = ts - baseTimestamp;
    const keyLen = r.key === null ? -1 : r.key.length;
    const valueLen = r.value === null ? -1 : r.value.length;
    const size =
      1 + // attributes
      varintSize(tsDelta) +
      varintSize(i) +
      varintSize(keyLen) +
      Math.max(0, keyLen) +
      varintSize(valueLen) +
      Math.max(0, valueLen) +
      varintSize(0); // header count
    bodies.push({ size, tsDelta });
    total += varintSize(size) + size;
  });
  const buf = Buffer.alloc(total);
  writeInt64(buf, 0, 0);
  writeInt32(buf, BATCH_LENGTH, total - LOG_OVERHEAD);
  writeInt32(buf, 12, -1); // partitionLeaderEpoch: the broker's own write carries none
  buf[MAGIC] = CURRENT_MAGIC;
  buf.writeInt16BE(0, ATTRIBUTES);
  writeInt32(buf, 23, records.length - 1); // lastOffsetDelta
  writeInt64(buf, 27, baseTimestamp);
  writeInt64(buf, 35, maxTimestamp);
  buf.writeInt32BE(-1, 43); // producerId -1 (int64)
  buf.writeInt32BE(-1, 47);
  buf.writeInt16BE(-1, 51); // producerEpoch
  buf.writeInt32BE(-1, 53); // baseSequence
  writeInt32(buf, 57, records.length);
  let pos = BATCH_HEADER_BYTES;
  records.forEach((r, i) => {
    const { size, tsDelta } = bodies[i]!;
    pos = writeVarint(buf, pos, size);
    buf[pos++] = 0;
    pos = writeVarint(buf, pos, tsDelta);
    pos = writeVarint(buf, pos, i);
    pos = writeVarint(buf, pos, r.key === null ? -1 : r.key.length);
    if (r.key !== null) pos += r.key.copy(buf, pos);
    pos = writeVarint(buf, pos, r.value === null ? -1 : r.value.length);
    if (r.value !== null) pos += r.value.copy(buf, pos);
    pos = writeVarint(buf, pos, 0);
  });
  writeInt32(buf, CRC, crc32c(buf, ATTRIBUTES, total));
  return buf;
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
      const reader = new VarReader(data, pos + BATCH_HEADER_BYTES, pos + size);
      for (let i = 0; i < h.recordCount; i++) {
        const length = reader.varint();
        const end = reader.pos + length;
        reader.pos++; // attributes
        const tsDelta = reader.varint();
        const offsetDelta = reader.varint();
        const key = reader.bytes();
        const value = reader.bytes();
        reader.pos = end; // headers are not needed
        if (end > pos + size) throw new RecordBatchReadError(`record ${i} of batch at offset ${h.baseOffset} overruns it`);
        onRecord({ offset: h.baseOffset + offsetDelta, timestamp: h.baseTimestamp + tsDelta, key, value });
      }
    }
    next = h.baseOffset + h.lastOffsetDelta + 1;
    pos += size;
  }
  return next;
}

class VarReader {
  constructor(
    private readonly data: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {}

  varint(): number {
    let z = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new RecordBatchReadError('varint runs past the batch');
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
    if (this.pos + len > this.end) throw new RecordBatchReadError('record field runs past the batch');
    const out = Buffer.from(this.data.buffer, this.data.byteOffset + this.pos, len);
    this.pos += len;
    return out;
  }
}
