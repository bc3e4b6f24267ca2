// One log segment: a `<20-digit base offset>.log` file of record batches stored exactly as received
// (baseOffset patched), with a sparse `.index` (offset -> position) and `.timeindex` (timestamp -> offset)
// next to it in Kafka's layout. In memory a segment keeps only a few numbers; index lookups are
// positioned reads (see index-file.ts).
//
// All I/O is synchronous and positioned: a segment lives inside the worker thread that owns its partition.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BASE_OFFSET,
  BATCH_LENGTH,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAX_TIMESTAMP,
  readInt32,
  readInt64,
} from '../records/batch.js';
import { DescriptorCache, type DescriptorHolder, descriptorsPerThread } from './descriptor-cache.js';
import { IndexFile, OFFSET_ENTRY_BYTES, TIME_ENTRY_BYTES } from './index-file.js';
import { preadFully, pwriteFully } from './io.js';
import { IndexState, NO_TIMESTAMP, type SegmentScan, scanSegmentFile, walkBatches } from './segment-scan.js';

export const SEGMENT_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
const SEGMENT_NAME = /^(\d{20})\.log$/;
/** Bytes of header needed to know a batch's extent and offsets (through lastOffsetDelta). */
const OFFSETS_HEADER_BYTES = LAST_OFFSET_DELTA + 4;
/** Bytes of header needed to also see maxTimestamp. */
const TIMESTAMP_HEADER_BYTES = MAX_TIMESTAMP + 8;
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

export { preadFully };

// One scratch buffer per thread for header walks. Walks never interleave (everything is synchronous),
// but the owner token makes a stale chunk impossible to use even if they did.
// Lookups walk about one index interval (~4 KiB) plus a header, so they read small chunks.
const LOOKUP_CHUNK = 8 * 1024;
let scratch = Buffer.allocUnsafe(LOOKUP_CHUNK);
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

/** What a header walk found: where whole batches stop and the offset that follows them. */
export interface BatchRun {
  end: number;
  nextOffset: number;
}

export function indexPaths(dir: string, baseOffset: number): { log: string; index: string; timeIndex: string } {
  const stem = path.join(dir, String(baseOffset).padStart(20, '0'));
  return { log: stem + SEGMENT_SUFFIX, index: stem + INDEX_SUFFIX, timeIndex: stem + TIME_INDEX_SUFFIX };
}

// Log descriptors are bounded like index descriptors (see descriptor-cache.ts): the active segment of a
// partition being written keeps its descriptor (each append touches it); idle and old segments lose theirs.
const openSegments = new DescriptorCache<Segment>(descriptorsPerThread());

export class Segment implements DescriptorHolder {
  readonly baseOffset: number;
  readonly path: string;
  readonly name: string;
  /** Bytes of valid batches in the file. */
  size = 0;
  /** Offset following the last batch (baseOffset when empty). */
  nextOffset: number;
  /** When the segment was started, for segment.ms. */
  createdMs: number;

  private readonly offsetIndex: IndexFile;
  private readonly timeIndex: IndexFile;
  private readonly state = new IndexState();
  private readonly sink = {
    offsetEntry: (relativeOffset: number, position: number) => this.offsetIndex.append(relativeOffset, position),
    timeEntry: (timestamp: number, relativeOffset: number) => this.timeIndex.append(timestamp, relativeOffset),
  };
  private fd = -1;
  private dirty = false;

  private constructor(dir: string, baseOffset: number, createdMs: number, offsetIndex: IndexFile, timeIndex: IndexFile) {
    this.baseOffset = baseOffset;
    this.name = segmentFileName(baseOffset);
    this.path = path.join(dir, this.name);
    this.nextOffset = baseOffset;
    this.createdMs = createdMs;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
  }

  /** Largest batch maxTimestamp in the segment (-1 when none). */
  get maxTimestamp(): number {
    return this.state.maxTimestamp;
  }

  /** Last offset of the first batch holding maxTimestamp (-1 when none). */
  get maxTimestampOffset(): number {
    return this.state.maxTimestampOffset;
  }

  /** Creates an empty segment and empty indexes (replacing any leftovers with the same names). */
  static create(dir: string, baseOffset: number, nowMs: number): Segment {
    const p = indexPaths(dir, baseOffset);
    const seg = new Segment(dir, baseOffset, nowMs, IndexFile.create(p.index, OFFSET_ENTRY_BYTES), IndexFile.create(p.timeIndex, TIME_ENTRY_BYTES));
    seg.adopt(fs.openSync(seg.path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644));
    return seg;
  }

  private static birth(fd: number): number {
    const st = fs.fstatSync(fd);
    // No record of when the segment started survives a restart; the file's birth (or last write) time
    // is the closest stand-in and errs towards rolling sooner.
    return st.birthtimeMs > 0 ? st.birthtimeMs : st.mtimeMs;
  }

  /**
   * Opens a segment that needs no scan, trusting its index files: only the batches after the last offset
   * entry (about one index interval) are walked, to find the end offset. Null when an index is missing or
   * does not agree with the log; the caller then scans the file.
   */
  static openTrusted(dir: string, baseOffset: number): Segment | null {
    const p = indexPaths(dir, baseOffset);
    const offsetIndex = IndexFile.openExisting(p.index, OFFSET_ENTRY_BYTES);
    const timeIndex = offsetIndex && IndexFile.openExisting(p.timeIndex, TIME_ENTRY_BYTES);
    if (!offsetIndex || !timeIndex) {
      offsetIndex?.close();
      return null;
    }
    const fd = fs.openSync(p.log, fs.constants.O_RDWR);
    const seg = new Segment(dir, baseOffset, Segment.birth(fd), offsetIndex, timeIndex);
    seg.adopt(fd);
    const fileSize = fs.fstatSync(fd).size;
    const fail = (): null => {
      seg.close();
      return null;
    };
    let start = 0;
    let expected = baseOffset;
    const n = offsetIndex.count;
    if (n > 0) {
      start = offsetIndex.b(n - 1);
      const lastRel = offsetIndex.a(n - 1);
      if (start < 0 || start + OFFSETS_HEADER_BYTES > fileSize || lastRel < 0) return fail();
      const head = Buffer.allocUnsafe(OFFSETS_HEADER_BYTES);
      if (preadFully(fd, head, 0, OFFSETS_HEADER_BYTES, start) !== OFFSETS_HEADER_BYTES) return fail();
      expected = readInt64(head, BASE_OFFSET);
      if (expected + readInt32(head, LAST_OFFSET_DELTA) !== baseOffset + lastRel) return fail();
    }
    const t = timeIndex.count;
    if (t > 0) {
      const rel = timeIndex.b(t - 1);
      if (rel < 0) return fail();
      seg.state.maxTimestamp = seg.state.lastTimeEntry = timeIndex.a(t - 1);
      seg.state.maxTimestampOffset = baseOffset + rel;
    }
    const walk = walkBatches(fd, start, fileSize, expected, false, (_pos, _base, lastOffset, maxTs) => {
      if (maxTs > seg.state.maxTimestamp) {
        seg.state.maxTimestamp = maxTs;
        seg.state.maxTimestampOffset = lastOffset;
      }
    });
    if (walk.problem !== null) return fail();
    if (t > 0 && seg.state.maxTimestampOffset >= walk.nextOffset) return fail();
    seg.state.bytesSinceEntry = fileSize - start;
    seg.size = fileSize;
    seg.nextOffset = walk.nextOffset;
    return seg;
  }

  /** Scans the file in this thread (verifying CRCs if asked) and applies the result. */
  static openByScan(dir: string, baseOffset: number, verifyCrc: boolean, indexIntervalBytes: number): { segment: Segment; scan: SegmentScan } {
    const scan = scanSegmentFile(indexPaths(dir, baseOffset).log, baseOffset, verifyCrc, indexIntervalBytes);
    return { segment: Segment.openScanned(dir, scan), scan };
  }

  /** Applies a scan (possibly made on another thread): cuts the file to its valid length and writes the rebuilt indexes. */
  static openScanned(dir: string, scan: SegmentScan): Segment {
    const p = indexPaths(dir, scan.baseOffset);
    const fd = fs.openSync(p.log, fs.constants.O_RDWR);
    try {
      if (fs.fstatSync(fd).size > scan.validBytes) {
        fs.ftruncateSync(fd, scan.validBytes);
        fs.fdatasyncSync(fd);
      }
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
    const seg = new Segment(
      dir,
      scan.baseOffset,
      Segment.birth(fd),
      IndexFile.write(p.index, OFFSET_ENTRY_BYTES, scan.offsetIndex),
      IndexFile.write(p.timeIndex, TIME_ENTRY_BYTES, scan.timeIndex),
    );
    seg.adopt(fd);
    seg.size = scan.validBytes;
    seg.nextOffset = scan.nextOffset;
    seg.state.maxTimestamp = scan.maxTimestamp;
    seg.state.maxTimestampOffset = scan.maxTimestampOffset;
    seg.state.lastTimeEntry = scan.lastTimeEntry;
    seg.state.bytesSinceEntry = scan.bytesSinceEntry;
    return seg;
  }

  private adopt(fd: number): void {
    this.fd = fd;
    openSegments.touch(this);
  }

  private handle(): number {
    if (this.fd < 0) this.fd = fs.openSync(this.path, fs.constants.O_RDWR);
    openSegments.touch(this);
    return this.fd;
  }

  /** Closes the log descriptor; the next use reopens it. Unsynced writes stay marked dirty for flush(). */
  releaseDescriptor(): void {
    openSegments.forget(this);
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
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
    // segment.ms counts from the first write, as Kafka counts from the first batch.
    if (pos === 0) this.createdMs = Date.now();
    this.state.add(this.baseOffset, pos, base + lastDelta, maxTs, length, indexIntervalBytes, this.sink);
    this.size = pos + length;
    this.nextOffset = base + lastDelta + 1;
  }

  /** Position of the last indexed batch at or before `offset` (0 when none). */
  private indexedPositionFor(offset: number): number {
    const i = this.offsetIndex.lastAtMost('a', offset - this.baseOffset);
    return i < 0 ? 0 : this.offsetIndex.b(i);
  }

  /** File position of the batch containing `offset`, which must lie in [baseOffset, nextOffset). */
  locate(offset: number): number {
    if (offset < this.baseOffset || offset >= this.nextOffset) {
      throw new RangeError(`offset ${offset} is not in segment ${this.name} [${this.baseOffset}, ${this.nextOffset})`);
    }
    const cursor = new ChunkCursor(this.handle(), this.size);
    let pos = this.indexedPositionFor(offset);
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
   * Index entries are batch boundaries, so a long read jumps to the last one not beyond the limit and
   * only reads headers after it.
   */
  wholeBatches(pos: number, posOffset: number, limit: number): BatchRun {
    limit = Math.min(limit, this.size);
    let p = pos;
    let next = posOffset;
    const cursor = new ChunkCursor(this.handle(), this.size);
    if (limit - pos > 2 * LOOKUP_CHUNK) {
      const e = this.offsetIndex.lastAtMost('b', limit);
      const entryPos = e < 0 ? -1 : this.offsetIndex.b(e);
      if (entryPos > p) {
        const at = cursor.ensure(entryPos, OFFSETS_HEADER_BYTES);
        if (at < 0) throw new Error(`segment ${this.name}: batch header at ${entryPos} is unreadable`);
        p = entryPos;
        next = readInt64(cursor.buffer, at + BASE_OFFSET);
      }
    }
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

  /**
   * First batch with maxTimestamp >= ts, as (base offset, maxTimestamp), or null. Every batch before the
   * point where the last time entry below ts was written has a smaller timestamp, so the walk starts at
   * the batch that entry names.
   */
  findTimestamp(ts: number): { offset: number; timestamp: number } | null {
    if (this.state.maxTimestamp < ts || this.size === 0) return null;
    const e = this.timeIndex.lastAtMost('a', ts - 1);
    const start = e < 0 ? 0 : this.locate(this.baseOffset + this.timeIndex.b(e));
    const cursor = new ChunkCursor(this.handle(), this.size);
    for (let p = start; p < this.size; ) {
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
  truncateTo(offset: number): number {
    const pos = this.locate(offset);
    const cut = this.batchAtBase(pos);
    const fd = this.handle();
    fs.ftruncateSync(fd, pos);
    this.dirty = true;
    this.offsetIndex.truncateEntries(this.offsetIndex.lastAtMost('b', pos - 1) + 1);
    this.timeIndex.truncateEntries(this.timeIndex.lastAtMost('b', cut - this.baseOffset - 1) + 1);
    // Surviving time entries name surviving batches; batches after the last offset entry are re-walked.
    const s = this.state;
    const t = this.timeIndex.count;
    s.maxTimestamp = s.lastTimeEntry = t > 0 ? this.timeIndex.a(t - 1) : NO_TIMESTAMP;
    s.maxTimestampOffset = t > 0 ? this.baseOffset + this.timeIndex.b(t - 1) : -1;
    const n = this.offsetIndex.count;
    const from = n > 0 ? this.offsetIndex.b(n - 1) : 0;
    const cursor = new ChunkCursor(fd, pos);
    for (let p = from; p < pos; ) {
      const at = cursor.ensure(p, TIMESTAMP_HEADER_BYTES);
      if (at < 0) throw new Error(`segment ${this.name}: batch header at ${p} is unreadable`);
      const buf = cursor.buffer;
      const maxTs = readInt64(buf, at + MAX_TIMESTAMP);
      if (maxTs > s.maxTimestamp) {
        s.maxTimestamp = maxTs;
        s.maxTimestampOffset = readInt64(buf, at + BASE_OFFSET) + readInt32(buf, at + LAST_OFFSET_DELTA);
      }
      p += readInt32(buf, at + BATCH_LENGTH) + LOG_OVERHEAD;
    }
    s.bytesSinceEntry = pos - from;
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

  /**
   * fdatasync the log file if anything was written since the last flush (indexes are rebuilt after a crash),
   * through a reopened descriptor if the one that wrote was closed meanwhile.
   */
  flush(): void {
    if (this.dirty) {
      fs.fdatasyncSync(this.handle());
      this.dirty = false;
    }
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  /**
   * The segment stops being appended to (roll, clean close): a final time entry records its largest
   * timestamp, and log and indexes are fdatasynced, so it can be trusted without a scan at next open.
   */
  seal(): void {
    this.state.timeEntry(this.baseOffset, this.sink);
    this.offsetIndex.sync();
    this.timeIndex.sync();
    this.offsetIndex.seal();
    this.timeIndex.seal();
    this.flush();
  }

  close(): void {
    this.releaseDescriptor();
    this.offsetIndex.close();
    this.timeIndex.close();
  }

  /** Closes and removes the log and its indexes. */
  remove(): void {
    this.close();
    fs.rmSync(this.path, { force: true });
    this.offsetIndex.remove();
    this.timeIndex.remove();
  }
}
