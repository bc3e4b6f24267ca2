// Chained-buffer writer. Scalars go into a scratch chunk; large payloads
// (record batches above all) are appended by reference so a Fetch response can
// be handed to socket.writev without copying log data.

export class ProtocolEncodeError extends Error {
  override readonly name = 'ProtocolEncodeError';
}

/** What an encoder accepts for a `records` field: one blob, several chunks sent back to back, or null. */
export type RecordsInput = Uint8Array | Uint8Array[] | null;

/** A reserved int32 position, filled later with fillInt32 (e.g. a frame size). */
export interface Slot {
  readonly buffer: Buffer;
  readonly offset: number;
}

const DEFAULT_CAPACITY = 16 * 1024;
/** Byte payloads at least this long are referenced rather than copied. */
const REFERENCE_THRESHOLD = 1024;
const TWO_32 = 4294967296;

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class Writer {
  private chunks: Buffer[] = [];
  private scratch: Buffer;
  /** Start of the scratch region not yet pushed onto `chunks`. */
  private start = 0;
  private pos = 0;
  private flushedLength = 0;
  private readonly minCapacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.minCapacity = capacity;
    this.scratch = Buffer.allocUnsafe(capacity);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.flushedLength + (this.pos - this.start);
  }

  private flushScratch(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.scratch.subarray(this.start, this.pos));
      this.flushedLength += this.pos - this.start;
      this.start = this.pos;
    }
  }

  /** Ensures `n` contiguous bytes in scratch. Bytes already written are never moved, so slots stay valid. */
  private ensure(n: number): void {
    if (this.scratch.length - this.pos >= n) return;
    this.flushScratch();
    const size = Math.max(n, this.minCapacity, Math.min(this.scratch.length * 2, 1024 * 1024));
    this.scratch = Buffer.allocUnsafe(size);
    this.start = 0;
    this.pos = 0;
  }

  /**
   * Forgets everything written so far but keeps the unused tail of the scratch
   * chunk, so a long-lived writer does not allocate per message. Buffers
   * returned earlier stay intact: their bytes are never written again.
   */
  reset(): void {
    this.chunks = [];
    this.flushedLength = 0;
    this.start = this.pos;
  }

  /** A fresh small writer, used to measure a tagged field before writing its size. */
  fork(): Writer {
    return new Writer(256);
  }

  writeInt8(v: number): void {
    this.ensure(1);
    this.scratch.writeInt8(v, this.pos);
    this.pos += 1;
  }

  writeBool(v: boolean): void {
    this.ensure(1);
    this.scratch[this.pos++] = v ? 1 : 0;
  }

  writeInt16(v: number): void {
    this.ensure(2);
    this.scratch.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  writeUInt16(v: number): void {
    this.ensure(2);
    this.scratch.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  writeInt32(v: number): void {
    this.ensure(4);
    this.scratch.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  writeUInt32(v: number): void {
    this.ensure(4);
    this.scratch.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  /** int64 from a JS number; exact within 2^53. */
  writeInt64(v: number): void {
    this.ensure(8);
    const hi = Math.floor(v / TWO_32);
    const lo = v - hi * TWO_32;
    this.scratch.writeInt32BE(hi, this.pos);
    this.scratch.writeUInt32BE(lo, this.pos + 4);
    this.pos += 8;
  }

  writeFloat64(v: number): void {
    this.ensure(8);
    this.scratch.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  writeUnsignedVarInt(v: number): void {
    this.ensure(5);
    const b = this.scratch;
    let p = this.pos;
    let x = v >>> 0;
    while (x >= 0x80) {
      b[p++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    b[p++] = x;
    this.pos = p;
  }

  /** Zigzag 32-bit varint. */
  writeVarInt(v: number): void {
    this.writeUnsignedVarInt(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Zigzag 64-bit varint from a number (exact within 2^53). */
  writeVarLong(v: number): void {
    this.ensure(10);
    const b = this.scratch;
    let p = this.pos;
    // Work on the magnitude so 2*|v| (up to 2^54) is never computed.
    const negative = v < 0;
    const mag = negative ? -v - 1 : v;
    let byte = (mag % 64) * 2 + (negative ? 1 : 0);
    let rest = Math.floor(mag / 64);
    while (rest > 0) {
      b[p++] = byte | 0x80;
      byte = rest % 128;
      rest = Math.floor(rest / 128);
    }
    b[p++] = byte;
    this.pos = p;
  }

  private writeLength(len: number, compact: boolean, int16: boolean): void {
    if (compact) this.writeUnsignedVarInt(len + 1);
    else if (int16) this.writeInt16(len);
    else this.writeInt32(len);
  }

  writeString(s: string, compact: boolean): void {
    const len = Buffer.byteLength(s, 'utf8');
    if (!compact && len > 0x7fff) throw new ProtocolEncodeError(`string of ${len} bytes exceeds int16 length`);
    this.writeLength(len, compact, true);
    this.ensure(len);
    this.pos += this.scratch.write(s, this.pos, len, 'utf8');
  }

  writeNullableString(s: string | null, compact: boolean): void {
    if (s === null) this.writeLength(-1, compact, true);
    else this.writeString(s, compact);
  }

  writeBytes(b: Uint8Array, compact: boolean): void {
    this.writeLength(b.length, compact, false);
    this.writeRawMaybeCopy(b);
  }

  writeNullableBytes(b: Uint8Array | null, compact: boolean): void {
    if (b === null) this.writeLength(-1, compact, false);
    else this.writeBytes(b, compact);
  }

  /** Records are always referenced, never copied; an array is several chunks under one length prefix. */
  writeRecords(records: RecordsInput, compact: boolean): void {
    if (records === null) {
      this.writeLength(-1, compact, false);
    } else if (Array.isArray(records)) {
      let total = 0;
      for (const c of records) total += c.length;
      this.writeLength(total, compact, false);
      for (const c of records) this.writeRaw(c);
    } else {
      this.writeLength(records.length, compact, false);
      this.writeRaw(records);
    }
  }

  writeUuid(uuid: string): void {
    const hex = uuid.length === 36 ? uuid.replace(/-/g, '') : uuid;
    if (hex.length !== 32 || !/^[0-9a-fA-F]{32}$/.test(hex)) {
      throw new ProtocolEncodeError(`invalid uuid ${JSON.stringify(uuid)}`);
    }
    this.ensure(16);
    this.scratch.write(hex, this.pos, 16, 'hex');
    this.pos += 16;
  }

  writeArrayLength(n: number, compact: boolean): void {
    if (compact) this.writeUnsignedVarInt(n + 1);
    else this.writeInt32(n);
  }

  writeArray<T, A>(compact: boolean, items: readonly T[], write: (w: Writer, arg: A, item: T) => void, arg: A): void {
    this.writeArrayLength(items.length, compact);
    for (let i = 0; i < items.length; i++) write(this, arg, items[i]!);
  }

  writeNullableArray<T, A>(
    compact: boolean,
    items: readonly T[] | null,
    write: (w: Writer, arg: A, item: T) => void,
    arg: A,
  ): void {
    if (items === null) this.writeArrayLength(-1, compact);
    else this.writeArray(compact, items, write, arg);
  }

  writeEmptyTaggedFields(): void {
    this.ensure(1);
    this.scratch[this.pos++] = 0;
  }

  /** Writes one tagged field (tag, size, data) whose body was encoded into `body` (see fork). */
  writeTaggedField(tag: number, body: Writer): void {
    this.writeUnsignedVarInt(tag);
    this.writeUnsignedVarInt(body.length);
    for (const c of body.toBuffers()) this.writeRawMaybeCopy(c);
  }

  /** Appends a chunk by reference; the caller must not mutate it until the output is sent. */
  writeRaw(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.flushScratch();
    this.chunks.push(toBuffer(chunk));
    this.flushedLength += chunk.length;
  }

  private writeRawMaybeCopy(b: Uint8Array): void {
    if (b.length >= REFERENCE_THRESHOLD) {
      this.writeRaw(b);
      return;
    }
    this.ensure(b.length);
    this.scratch.set(b, this.pos);
    this.pos += b.length;
  }

  reserveInt32(): Slot {
    this.ensure(4);
    const slot: Slot = { buffer: this.scratch, offset: this.pos };
    this.pos += 4;
    return slot;
  }

  fillInt32(slot: Slot, value: number): void {
    slot.buffer.writeInt32BE(value, slot.offset);
  }

  toBuffers(): Buffer[] {
    this.flushScratch();
    return this.chunks.slice();
  }

  toBuffer(): Buffer {
    const bufs = this.toBuffers();
    if (bufs.length === 1) return bufs[0]!;
    return Buffer.concat(bufs, this.flushedLength);
  }
}

// Element writers for arrays of primitives, shaped for Writer.writeArray.
export function writeInt8Elem(w: Writer, _arg: unknown, v: number): void {
  w.writeInt8(v);
}
export function writeInt16Elem(w: Writer, _arg: unknown, v: number): void {
  w.writeInt16(v);
}
export function writeInt32Elem(w: Writer, _arg: unknown, v: number): void {
  w.writeInt32(v);
}
export function writeInt64Elem(w: Writer, _arg: unknown, v: number): void {
  w.writeInt64(v);
}
export function writeUuidElem(w: Writer, _arg: unknown, v: string): void {
  w.writeUuid(v);
}
export function writeStringElem(w: Writer, compact: boolean, v: string): void {
  w.writeString(v, compact);
}

/** Rejects null for a field that is not nullable in the version being written. */
export function nonNull<T>(value: T | null, field: string, version: number): T {
  if (value === null) throw new ProtocolEncodeError(`${field} may not be null in version ${version}`);
  return value;
}
