// One log segment: a `<20-digit base offset>.log` file of record batches stored exactly as received
// (baseOffset patched), plus an in-memory sparse index rebuilt by scanning at open.
//
// All I/O is synchronous and positioned: a segment lives inside the worker thread that owns its partition.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BASE_OFFSET,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH,
  CRC,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  MIN_BATCH_LENGTH,
  readInt32,
  readInt64,
  readUint32,
} from '../protocol/record-batch.js';
import { crc32c } from '../protocol/crc32c.js';

export const SEGMENT_SUFFIX = '.log';
const SEGMENT_NAME = /^(\d{20})\.log$/;
/** Bytes of header needed to know a batch's extent and offsets (through lastOffsetDelta). */
const OFFSETS_HEADER_BYTES = LAST_OFFSET_DELTA + 4;
/** Bytes of header needed to also see maxTimestamp. */
const TIMESTAMP_HEADER_BYTES = MAX_TIMESTAMP + 8;
const NO_TIMESTAMP = -1;
/** Relative offsets must fit an int32 once the on-disk .index arrives; roll before that. */
export const MAX_RELATIVE_OFFSET = 0x7fff_ffff;

export function segmentFileName(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0') + SEGMENT_SUFFIX;
}

export function parseSegmentFileName(name: string): number | null {
  const m = SEGMENT_NAME.exec(name);
  if (m === null) return null;
  const base = Number(m[1]);
  return Number.isSafeInteger(base) ? base : null;
}

/** Reads until `length` bytes arrived or EOF; returns the count. Works on SharedArrayBuffer views. */
export function preadFully(fd: number, target: Uint8Array, targetOffset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, target, targetOffset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

function pwriteFully(fd: number, source: Uint8Array, sourceOffset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    done += fs.writeSync(fd, source, sourceOffset + done, length - done, position + done);
  }
}

// One scratch buffer per thread for header walks. Walks never interleave (everything is synchronous),
// but the owner token makes a stale chunk impossible to use even if they did.
// Lookups walk at most one index interval (~4 KiB) plus a header, so they read small chunks; the
// recovery scan reads big ones to keep the syscall count down.
const LOOKUP_CHUNK = 8 * 1024;
const SCAN_CHUNK = 256 * 1024;
let scratch = Buffer.allocUnsafe(SCAN_CHUNK);
let scratchOwner: object | null = null;

/** Forward reader over a file region that serves header bytes out of a chunk read in one pread. */
class ChunkCursor {
  private chunkStart = 0;
  private chunkLength = 0;

  constructor(
    private readonly fd: number,
    private readonly end: number,
    private readonly chunk: number = LOOKUP_CHUNK,
  ) {}

  get buffer(): Buffer {
    return scratch;
  }

  /**
   * Makes bytes [pos, pos + need) available in `buffer`; returns their index there, or -1 when the
   * region ends first.
   */
  ensure(pos: number, need: number): number {
    if (pos + need > this.end) return -1;
    if (scratchOwner === this && pos >= this.chunkStart && pos + need <= this.chunkStart + this.chunkLength) {
      return pos - this.chunkStart;
    }
    if (need > scratch.length) scratch = Buffer.allocUnsafe(Math.max(need, scratch.length * 2));
    scratchOwner = this;
    const want = Math.min(Math.max(need, this.chunk), scratch.length, this.end - pos);
    const got = preadFully(this.fd, scratch, 0, want, pos);
    this.chunkStart = pos;
    this.chunkLength = got;
    return got >= need ? 0 : -1;
  }
}

export interface ScanResult {
  /** Bytes cut from the end of the file because they did not form valid batches. */
  truncatedBytes: number;
}

/** What a header walk found: where whole batches stop and the offset that follows them. */
export interface BatchRun {
  end: number;
  nextOffset: number;
}

export class Segment {
  readonly baseOffset: number;
  readonly path: string;
  readonly name: string;
  /** Bytes of valid batches in the file. */
  size = 0;
  /** Offset following the last batch (baseOffset when empty). */
  nextOffset: number;
  /** When the segment was started, for segment.ms. */
  createdMs: number;
  /** Largest batch maxTimestamp in the segment and the last offset of the first batch holding it. */
  maxTimestamp = NO_TIMESTAMP;
  maxTimestampOffset = -1;

  // Sparse index, parallel arrays: entry i is the batch at idxPos[i] with base offset idxOffset[i], and
  // covers batches up to the next entry; idxMaxTs/idxMaxTsOffset describe the largest maxTimestamp there.
  private readonly idxOffset: number[] = [];
  private readonly idxPos: number[] = [];
  private readonly idxMaxTs: number[] = [];
  private readonly idxMaxTsOffset: number[] = [];
  private fd = -1;
  private dirty = false;

  private constructor(dir: string, baseOffset: number, createdMs: number) {
    this.baseOffset = baseOffset;
    this.name = segmentFileName(baseOffset);
    this.path = path.join(dir, this.name);
    this.nextOffset = baseOffset;
    this.createdMs = createdMs;
  }

  /** Creates an empty segment file (replacing any leftover with the same name). */
  static create(dir: string, baseOffset: number, nowMs: number): Segment {
    const seg = new Segment(dir, baseOffset, nowMs);
    seg.fd = fs.openSync(seg.path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
    return seg;
  }

  /** Opens an existing segment file; call scan() before using it. */
  static openExisting(dir: string, baseOffset: number): Segment {
    const seg = new Segment(dir, baseOffset, 0);
    seg.fd = fs.openSync(seg.path, fs.constants.O_RDWR);
    const st = fs.fstatSync(seg.fd);
    // No record of when the segment started survives a restart; the file's birth (or last write) time
    // is the closest stand-in and errs towards rolling sooner.
    seg.createdMs = st.birthtimeMs > 0 ? st.birthtimeMs : st.mtimeMs;
    return seg;
  }

  private handle(): number {
    if (this.fd < 0) this.fd = fs.openSync(this.path, fs.constants.O_RDWR);
    return this.fd;
  }

  /**
   * Walks the file from the start, rebuilding the index, and cuts the file at the first thing that is
   * not a valid batch continuing the offset sequence (short header, bad length, wrong magic, offset gap,
   * or, with verifyCrc, a CRC-32C mismatch).
   */
  scan(verifyCrc: boolean, indexIntervalBytes: number): ScanResult {
    const fd = this.handle();
    const fileSize = fs.fstatSync(fd).size;
    const cursor = new ChunkCursor(fd, fileSize, SCAN_CHUNK);
    this.resetIndex();
    let pos = 0;
    let expected = this.baseOffset;
    while (pos < fileSize) {
      let at = cursor.ensure(pos, BATCH_HEADER_BYTES);
      if (at < 0) break;
      let buf = cursor.buffer;
      const batchLength = readInt32(buf, at + BATCH_LENGTH);
      if (batchLength < MIN_BATCH_LENGTH || buf[at + MAGIC] !== CURRENT_MAGIC) break;
      const total = batchLength + LOG_OVERHEAD;
      if (pos + total > fileSize) break;
      const base = readInt64(buf, at + BASE_OFFSET);
      const lastDelta = readInt32(buf, at + LAST_OFFSET_DELTA);
      if (base !== expected || lastDelta < 0) break;
      const maxTs = readInt64(buf, at + MAX_TIMESTAMP);
      if (verifyCrc) {
        at = cursor.ensure(pos, total);
        if (at < 0) break;
        buf = cursor.buffer;
        if (readUint32(buf, at + CRC) !== crc32c(buf, at + CRC + 4, at + total)) break;
      }
      this.indexBatch(pos, base, base + lastDelta, maxTs, indexIntervalBytes);
      pos += total;
      expected = base + lastDelta + 1;
    }
    this.size = pos;
    this.nextOffset = expected;
    const truncatedBytes = fileSize - pos;
    if (truncatedBytes > 0) {
      fs.ftruncateSync(fd, pos);
      fs.fdatasyncSync(fd);
    }
    return { truncatedBytes };
  }

  private resetIndex(): void {
    this.idxOffset.length = 0;
    this.idxPos.length = 0;
    this.idxMaxTs.length = 0;
    this.idxMaxTsOffset.length = 0;
    this.maxTimestamp = NO_TIMESTAMP;
    this.maxTimestampOffset = -1;
  }

  private indexBatch(pos: number, base: number, lastOffset: number, maxTs: number, interval: number): void {
    const n = this.idxPos.length;
    if (n === 0 || pos - this.idxPos[n - 1]! >= interval) {
      this.idxOffset.push(base);
      this.idxPos.push(pos);
      this.idxMaxTs.push(maxTs);
      this.idxMaxTsOffset.push(lastOffset);
    } else if (maxTs > this.idxMaxTs[n - 1]!) {
      this.idxMaxTs[n - 1] = maxTs;
      this.idxMaxTsOffset[n - 1] = lastOffset;
    }
    // Strictly greater keeps the earliest batch on ties, as Kafka's offsetOfMaxTimestamp does.
    if (maxTs > this.maxTimestamp) {
      this.maxTimestamp = maxTs;
      this.maxTimestampOffset = lastOffset;
    }
  }

  /**
   * Appends one batch whose baseOffset header already holds `base`, straight from the caller's memory.
   * On a failed write the file is cut back so no partial batch is left behind.
   */
  append(bytes: Uint8Array, start: number, length: number, base: number, lastDelta: number, maxTs: number, indexIntervalBytes: number): void {
    const fd = this.handle();
    const pos = this.size;
    try {
      pwriteFully(fd, bytes, start, length, pos);
    } catch (err) {
      try {
        fs.ftruncateSync(fd, pos);
      } catch {
        // The original error is the one worth reporting; recovery at next open cuts the tail anyway.
      }
      throw err;
    }
    this.dirty = true;
    this.indexBatch(pos, base, base + lastDelta, maxTs, indexIntervalBytes);
    this.size = pos + length;
    this.nextOffset = base + lastDelta + 1;
  }

  /** Last index entry whose base offset is <= offset (0 when offset precedes every entry). */
  private entryForOffset(offset: number): number {
    const a = this.idxOffset;
    let lo = 0;
    let hi = a.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (a[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Last index entry whose position is <= pos. */
  private entryForPosition(pos: number): number {
    const a = this.idxPos;
    let lo = 0;
    let hi = a.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (a[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** File position of the batch containing `offset`, which must lie in [baseOffset, nextOffset). */
  locate(offset: number): number {
    if (offset < this.baseOffset || offset >= this.nextOffset) {
      throw new RangeError(`offset ${offset} is not in segment ${this.name} [${this.baseOffset}, ${this.nextOffset})`);
    }
    const cursor = new ChunkCursor(this.handle(), this.size);
    let pos = this.idxPos[this.entryForOffset(offset)]!;
    for (;;) {
      const at = cursor.ensure(pos, OFFSETS_HEADER_BYTES);
      if (at < 0) throw new Error(`segment ${this.name}: batch header at ${pos} is unreadable`);
      const buf = cursor.buffer;
      if (readInt64(buf, at + BASE_OFFSET) + readInt32(buf, at + LAST_OFFSET_DELTA) >= offset) return pos;
      pos += readInt32(buf, at + BATCH_LENGTH) + LOG_OVERHEAD;
    }
  }

  /**
   * Whole batches from `pos` (a batch boundary holding `posOffset`) that end at or before `limit`.
   * Index entries are batch boundaries, so the walk starts at the last one not beyond the limit and
   * only reads headers in the final index interval.
   */
  wholeBatches(pos: number, posOffset: number, limit: number): BatchRun {
    limit = Math.min(limit, this.size);
    let p = pos;
    let next = posOffset;
    if (this.idxPos.length > 0) {
      const e = this.entryForPosition(limit);
      if (this.idxPos[e]! > p) {
        p = this.idxPos[e]!;
        next = this.idxOffset[e]!;
      }
    }
    const cursor = new ChunkCursor(this.handle(), this.size);
    for (;;) {
      const at = cursor.ensure(p, OFFSETS_HEADER_BYTES);
      if (at < 0) break;
      const buf = cursor.buffer;
      const end = p + readInt32(buf, at + BATCH_LENGTH) + LOG_OVERHEAD;
      if (end > limit) break;
      next = readInt64(buf, at + BASE_OFFSET) + readInt32(buf, at + LAST_OFFSET_DELTA) + 1;
      p = end;
    }
    return { end: p, nextOffset: next };
  }

  /** The batch at `pos`: its total size and the offset after it. */
  batchAt(pos: number): BatchRun {
    const cursor = new ChunkCursor(this.handle(), this.size);
    const at = cursor.ensure(pos, OFFSETS_HEADER_BYTES);
    if (at < 0) throw new Error(`segment ${this.name}: batch header at ${pos} is unreadable`);
    const buf = cursor.buffer;
    return {
      end: pos + readInt32(buf, at + BATCH_LENGTH) + LOG_OVERHEAD,
      nextOffset: readInt64(buf, at + BASE_OFFSET) + readInt32(buf, at + LAST_OFFSET_DELTA) + 1,
    };
  }

  /** Copies file bytes [pos, pos + length) into target at targetOffset with positioned reads. */
  readInto(pos: number, length: number, target: Uint8Array, targetOffset: number): void {
    const got = preadFully(this.handle(), target, targetOffset, length, pos);
    if (got !== length) throw new Error(`segment ${this.name}: short read at ${pos} (${got} of ${length} bytes)`);
  }

  /** First batch with maxTimestamp >= ts, as (base offset, maxTimestamp), or null. */
  findTimestamp(ts: number): { offset: number; timestamp: number } | null {
    if (this.maxTimestamp < ts) return null;
    const n = this.idxPos.length;
    let e = 0;
    while (e < n && this.idxMaxTs[e]! < ts) e++;
    if (e === n) return null;
    const stop = e + 1 < n ? this.idxPos[e + 1]! : this.size;
    const cursor = new ChunkCursor(this.handle(), this.size);
    for (let p = this.idxPos[e]!; p < stop; ) {
      const at = cursor.ensure(p, TIMESTAMP_HEADER_BYTES);
      if (at < 0) break;
      const buf = cursor.buffer;
      const maxTs = readInt64(buf, at + MAX_TIMESTAMP);
      if (maxTs >= ts) return { offset: readInt64(buf, at + BASE_OFFSET), timestamp: maxTs };
      p += readInt32(buf, at + BATCH_LENGTH) + LOG_OVERHEAD;
    }
    return null;
  }

  /**
   * Cuts the segment at the batch containing `offset` (offset in (baseOffset, nextOffset)); the new
   * nextOffset is that batch's base offset. Returns it.
   */
  truncateTo(offset: number, indexIntervalBytes: number): number {
    const pos = this.locate(offset);
    const cut = this.batchAtBase(pos);
    const fd = this.handle();
    fs.ftruncateSync(fd, pos);
    this.dirty = true;
    // Entries at or past the cut go; the last surviving one lost part of its interval, so it is dropped
    // too and its interval re-walked to rebuild its timestamps.
    const kept = pos > 0 && this.idxPos.length > 0 ? this.entryForPosition(pos - 1) + 1 : 0;
    const restartPos = kept > 0 ? this.idxPos[kept - 1]! : pos;
    const survivors = Math.max(0, kept - 1);
    this.idxOffset.length = survivors;
    this.idxPos.length = survivors;
    this.idxMaxTs.length = survivors;
    this.idxMaxTsOffset.length = survivors;
    this.maxTimestamp = NO_TIMESTAMP;
    this.maxTimestampOffset = -1;
    for (let i = 0; i < this.idxPos.length; i++) {
      if (this.idxMaxTs[i]! > this.maxTimestamp) {
        this.maxTimestamp = this.idxMaxTs[i]!;
        this.maxTimestampOffset = this.idxMaxTsOffset[i]!;
      }
    }
    const cursor = new ChunkCursor(fd, pos);
    for (let p = restartPos; p < pos; ) {
      const at = cursor.ensure(p, TIMESTAMP_HEADER_BYTES);
      if (at < 0) throw new Error(`segment ${this.name}: batch header at ${p} is unreadable`);
      const buf = cursor.buffer;
      const base = readInt64(buf, at + BASE_OFFSET);
      const lastDelta = readInt32(buf, at + LAST_OFFSET_DELTA);
      const interval = p === restartPos ? 0 : indexIntervalBytes;
      this.indexBatch(p, base, base + lastDelta, readInt64(buf, at + MAX_TIMESTAMP), interval);
      p += readInt32(buf, at + BATCH_LENGTH) + LOG_OVERHEAD;
    }
    this.size = pos;
    this.nextOffset = cut;
    return cut;
  }

  private batchAtBase(pos: number): number {
    const cursor = new ChunkCursor(this.handle(), this.size);
    const at = cursor.ensure(pos, OFFSETS_HEADER_BYTES);
    if (at < 0) throw new Error(`segment ${this.name}: batch header at ${pos} is unreadable`);
    return readInt64(cursor.buffer, at + BASE_OFFSET);
  }

  /** fdatasync if anything was written since the last flush. */
  flush(): void {
    if (this.dirty && this.fd >= 0) {
      fs.fdatasyncSync(this.fd);
      this.dirty = false;
    }
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  close(): void {
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }

  /** Closes and removes the file. */
  remove(): void {
    this.close();
    fs.rmSync(this.path, { force: true });
  }
}
