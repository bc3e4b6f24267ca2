// Walking the records of a v2 batch's records section without decoding them: varints and lengths only, no
// per-record objects, so the produce path can afford it for every batch. It checks what Kafka's record iterator
// checks (DefaultRecord.readFrom): every record lies inside its batch, its fields inside its declared size, its
// offset delta equals its index, and the declared count of records is exactly what the bytes hold.

/** Position of the next unread byte, -1 after a varint that ran off its end; module state so nothing allocates. */
let cursor = 0;

/** Longest varint (int32) and varlong (int64) encodings. */
const VARINT_MAX_BYTES = 5;
const VARLONG_MAX_BYTES = 10;

/**
 * A zig-zag varint (int32, as Kafka's ByteUtils.readVarint reads it) at `cursor`, moving past it; on running past
 * `end` or more than 5 bytes, cursor becomes -1.
 */
function readVarint(bytes: Uint8Array, end: number): number {
  let pos = cursor;
  let value = 0;
  for (let shift = 0; shift < 7 * VARINT_MAX_BYTES; shift += 7) {
    if (pos >= end) break;
    const b = bytes[pos++]!;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      cursor = pos;
      return (value >>> 1) ^ -(value & 1);
    }
  }
  cursor = -1;
  return 0;
}

/** Moves past a varlong without decoding it (its value is never needed here). */
function skipVarlong(bytes: Uint8Array, end: number): void {
  let pos = cursor;
  for (let i = 0; i < VARLONG_MAX_BYTES; i++) {
    if (pos >= end) break;
    if (bytes[pos++]! < 0x80) {
      cursor = pos;
      return;
    }
  }
  cursor = -1;
}

/** Skips a length-prefixed field (length -1 is null, allowed when `nullable`); false when it does not fit. */
function skipField(bytes: Uint8Array, end: number, nullable: boolean): boolean {
  const length = readVarint(bytes, end);
  if (cursor < 0 || length < (nullable ? -1 : 0)) return false;
  if (length > 0) cursor += length;
  return cursor <= end;
}

/**
 * Whether bytes[pos, end) is exactly `expected` well-formed records with offset deltas 0, 1, 2, ...
 * Fails fast: a count larger than the bytes can hold stops at the first record that is not there.
 */
export function countRecords(bytes: Uint8Array, pos: number, end: number, expected: number): boolean {
  cursor = pos;
  for (let index = 0; index < expected; index++) {
    const size = readVarint(bytes, end);
    if (cursor < 0 || size < 0) return false;
    const recordEnd = cursor + size;
    if (recordEnd > end) return false;
    cursor++; // record attributes (unused)
    skipVarlong(bytes, recordEnd); // timestamp delta
    if (cursor < 0) return false;
    const offsetDelta = readVarint(bytes, recordEnd);
    if (cursor < 0 || offsetDelta !== index) return false;
    if (!skipField(bytes, recordEnd, true)) return false; // key
    if (!skipField(bytes, recordEnd, true)) return false; // value
    const headers = readVarint(bytes, recordEnd);
    if (cursor < 0 || headers < 0) return false;
    for (let h = 0; h < headers; h++) {
      if (!skipField(bytes, recordEnd, false)) return false; // header key (never null)
      if (!skipField(bytes, recordEnd, true)) return false; // header value
    }
    if (cursor !== recordEnd) return false;
  }
  return cursor === end;
}
