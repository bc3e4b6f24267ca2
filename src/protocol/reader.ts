// Bounds-checked reader for Kafka wire primitives. Every read checks against
// `end` (not buffer.length) so a frame view can never read into the next frame,
// and every failure is a ProtocolDecodeError rather than a RangeError.

export class ProtocolDecodeError extends Error {
  override readonly name = 'ProtocolDecodeError';
}

/** The all-zero UUID, used as the default for uuid fields. */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** Shared zero-length buffer used as the default for absent bytes fields. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

const TWO_32 = 4294967296;

export class Reader {
  readonly buffer: Buffer;
  offset: number;
  readonly end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    if (offset < 0 || end > buffer.length || offset > end) {
      throw new ProtocolDecodeError(`invalid reader window [${offset}, ${end}) over ${buffer.length} bytes`);
    }
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.end - this.offset < n) {
      throw new ProtocolDecodeError(
        `truncated ${what}: need ${n} bytes at offset ${this.offset}, ${this.end - this.offset} remaining`,
      );
    }
  }

  skip(n: number): void {
    if (n < 0) throw new ProtocolDecodeError(`negative skip ${n}`);
    this.need(n, 'skip');
    this.offset += n;
  }

  readInt8(): number {
    this.need(1, 'int8');
    return this.buffer.readInt8(this.offset++);
  }

  readBool(): boolean {
    this.need(1, 'bool');
    return this.buffer[this.offset++] !== 0;
  }

  readInt16(): number {
    this.need(2, 'int16');
    const v = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  readUInt16(): number {
    this.need(2, 'uint16');
    const v = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  readInt32(): number {
    this.need(4, 'int32');
    const v = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readUInt32(): number {
    this.need(4, 'uint32');
    const v = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /**
   * int64 as a JS number: exact for |v| <= 2^53. Offsets and timestamps beyond
   * that are out of scope for Spate (they would lose precision, not wrap).
   */
  readInt64(): number {
    this.need(8, 'int64');
    const b = this.buffer;
    const o = this.offset;
    const hi = b.readInt32BE(o);
    const lo = b.readUInt32BE(o + 4);
    this.offset = o + 8;
    return hi * TWO_32 + lo;
  }

  readFloat64(): number {
    this.need(8, 'float64');
    const v = this.buffer.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  readUnsignedVarInt(): number {
    const b = this.buffer;
    let o = this.offset;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (o >= this.end) throw new ProtocolDecodeError(`truncated unsigned varint at offset ${this.offset}`);
      const byte = b[o++]!;
      if (shift === 28) {
        // Fifth byte: only 4 bits fit in 32; a continuation bit here is malformed.
        if (byte > 0x0f) throw new ProtocolDecodeError(`unsigned varint too long at offset ${this.offset}`);
        result += byte * 268435456;
        break;
      }
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    this.offset = o;
    return result >>> 0;
  }

  /** Zigzag-encoded 32-bit varint. */
  readVarInt(): number {
    const raw = this.readUnsignedVarInt();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Zigzag-encoded 64-bit varint, as a number (exact within 2^53). */
  readVarLong(): number {
    const b = this.buffer;
    let o = this.offset;
    if (o >= this.end) throw new ProtocolDecodeError(`truncated varlong at offset ${this.offset}`);
    // Decode the magnitude (raw >> 1) directly: the raw zigzag value can exceed
    // 2^53 even when the result does not, so it is never materialised.
    let byte = b[o++]!;
    const negative = (byte & 1) === 1;
    let mag = (byte & 0x7f) >>> 1;
    let mul = 64;
    for (let i = 1; byte & 0x80; i++) {
      if (i >= 10) throw new ProtocolDecodeError(`varlong too long at offset ${this.offset}`);
      if (o >= this.end) throw new ProtocolDecodeError(`truncated varlong at offset ${this.offset}`);
      byte = b[o++]!;
      mag += (byte & 0x7f) * mul;
      mul *= 128;
    }
    this.offset = o;
    return negative ? -mag - 1 : mag;
  }

  /** Length of a string/bytes field; -1 means null. */
  private readLength(compact: boolean, what: string): number {
    let len: number;
    if (compact) {
      len = this.readUnsignedVarInt() - 1;
    } else if (what === 'string') {
      len = this.readInt16();
    } else {
      len = this.readInt32();
    }
    if (len < -1) throw new ProtocolDecodeError(`negative ${what} length ${len} at offset ${this.offset}`);
    if (len > this.end - this.offset) {
      throw new ProtocolDecodeError(
        `${what} length ${len} exceeds ${this.end - this.offset} remaining bytes at offset ${this.offset}`,
      );
    }
    return len;
  }

  readNullableString(compact: boolean): string | null {
    const len = this.readLength(compact, 'string');
    if (len < 0) return null;
    const start = this.offset;
    this.offset = start + len;
    return this.buffer.toString('utf8', start, start + len);
  }

  readString(compact: boolean): string {
    const s = this.readNullableString(compact);
    if (s === null) throw new ProtocolDecodeError(`null in non-nullable string at offset ${this.offset}`);
    return s;
  }

  /** Zero-copy: the result shares memory with the input buffer. */
  readNullableBytes(compact: boolean): Buffer | null {
    const len = this.readLength(compact, 'bytes');
    if (len < 0) return null;
    const start = this.offset;
    this.offset = start + len;
    return this.buffer.subarray(start, start + len);
  }

  readBytes(compact: boolean): Buffer {
    const b = this.readNullableBytes(compact);
    if (b === null) throw new ProtocolDecodeError(`null in non-nullable bytes at offset ${this.offset}`);
    return b;
  }

  readUuid(): string {
    this.need(16, 'uuid');
    const o = this.offset;
    const hex = this.buffer.toString('hex', o, o + 16);
    this.offset = o + 16;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /**
   * Array element count; -1 means null. Each element takes at least one byte,
   * so a count larger than the remaining bytes is rejected before allocating.
   */
  readArrayLength(compact: boolean): number {
    const n = compact ? this.readUnsignedVarInt() - 1 : this.readInt32();
    if (n < -1) throw new ProtocolDecodeError(`negative array length ${n} at offset ${this.offset}`);
    if (n > this.end - this.offset) {
      throw new ProtocolDecodeError(
        `array length ${n} exceeds ${this.end - this.offset} remaining bytes at offset ${this.offset}`,
      );
    }
    return n;
  }

  readArray<T, A>(compact: boolean, read: (r: Reader, arg: A) => T, arg: A): T[] {
    const n = this.readArrayLength(compact);
    if (n < 0) throw new ProtocolDecodeError(`null in non-nullable array at offset ${this.offset}`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this, arg));
    return out;
  }

  readNullableArray<T, A>(compact: boolean, read: (r: Reader, arg: A) => T, arg: A): T[] | null {
    const n = this.readArrayLength(compact);
    if (n < 0) return null;
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this, arg));
    return out;
  }

  /** Validates a tagged field's size and returns the offset where it ends. */
  taggedFieldEnd(size: number): number {
    if (size > this.end - this.offset) {
      throw new ProtocolDecodeError(
        `tagged field size ${size} exceeds ${this.end - this.offset} remaining bytes at offset ${this.offset}`,
      );
    }
    return this.offset + size;
  }

  /** Moves past a tagged field whose known prefix has been decoded. */
  finishTaggedField(end: number, tag: number): void {
    if (this.offset > end) throw new ProtocolDecodeError(`tagged field ${tag} overran its declared size`);
    this.offset = end;
  }

  /**
   * Reads a tagged-field section. Without a callback every field is skipped;
   * with one, the callback may read the field and the reader then moves to its end.
   */
  readTaggedFields(onField?: (tag: number, reader: Reader, size: number) => void): void {
    const count = this.readUnsignedVarInt();
    for (let i = 0; i < count; i++) {
      const tag = this.readUnsignedVarInt();
      const size = this.readUnsignedVarInt();
      const end = this.taggedFieldEnd(size);
      if (onField !== undefined) onField(tag, this, size);
      this.finishTaggedField(end, tag);
    }
  }
}

// Element readers for arrays of primitives, shaped for Reader.readArray.
export function readInt8Elem(r: Reader): number {
  return r.readInt8();
}
export function readInt16Elem(r: Reader): number {
  return r.readInt16();
}
export function readInt32Elem(r: Reader): number {
  return r.readInt32();
}
export function readInt64Elem(r: Reader): number {
  return r.readInt64();
}
export function readUuidElem(r: Reader): string {
  return r.readUuid();
}
export function readStringElem(r: Reader, compact: boolean): string {
  return r.readString(compact);
}
