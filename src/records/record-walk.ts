// Walking the records of a v2 batch's records section without decoding them: varints and lengths only, no
// per-record objects, so the produce path can afford it for every batch. It checks what Kafka's record iterator
// checks (DefaultRecord.readFrom): every record lies inside its batch, its fields inside its declared size, its
// offset delta equals its index, and the declared count of records is exactly what the bytes hold.

/** Position of the next unread byte; module state so the walk allocates nothing. */
let cursor = 0;

/** Longest varint (int32) and varlong (int64) encodings. */
const VARINT_MAX_BYTES = 5;
const VARLONG_MAX_BYTES = 10;

/** A zig-zag varint at `cursor`, moving past it; NaN when it runs past `end` or is too long. */
function readVarint(bytes: Uint8Array, end: number, maxBytes: number): number {
  let pos = cursor;
  let z = 0;
  let mul = 1;
  for (let i = 0; i < maxBytes; i++) {
    if (pos >= end) return NaN;
    const b = bytes[pos++]!;
    z += (b & 0x7f) * mul;
    if (b < 0x80) {
      cursor = pos;
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    mul *= 0x80;
  }
  return NaN;
}

/** Skips a length-prefixed field whose length may be -1 (null) when `nullable`; false when it does not fit. */
function skipField(bytes: Uint8Array, end: number, nullable: boolean): boolean {
  const length = readVarint(bytes, end, VARINT_MAX_BYTES);
  if (!(length >= (nullable ? -1 : 0))) return false;
  if (length > 0) {
    cursor += length;
    if (cursor > end) return false;
  }
  return true;
}

/**
 * Whether bytes[pos, end) is exactly `expected` well-formed records with offset deltas 0, 1, 2, ...
 * Fails fast: a count larger than the bytes can hold stops at the first record that is not there.
 */
export function countRecords(bytes: Uint8Array, pos: number, end: number, expected: number): boolean {
  cursor = pos;
  for (let index = 0; index < expected; index++) {
    const size = readVarint(bytes, end, VARINT_MAX_BYTES);
    if (!(size >= 0)) return false;
    const recordEnd = cursor + size;
    if (recordEnd > end) return false;
    cursor++; // record attributes (unused)
    if (Number.isNaN(readVarint(bytes, recordEnd, VARLONG_MAX_BYTES))) return false; // timestamp delta
    if (readVarint(bytes, recordEnd, VARINT_MAX_BYTES) !== index) return false; // offset delta
    if (!skipField(bytes, recordEnd, true)) return false; // key
    if (!skipField(bytes, recordEnd, true)) return false; // value
    const headers = readVarint(bytes, recordEnd, VARINT_MAX_BYTES);
    if (!(headers >= 0)) return false;
    for (let h = 0; h < headers; h++) {
      if (!skipField(bytes, recordEnd, false)) return false; // header key (never null)
      if (!skipField(bytes, recordEnd, true)) return false; // header value
    }
    if (cursor !== recordEnd) return false;
  }
  return cursor === end;
}
