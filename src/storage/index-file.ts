// A sparse on-disk index next to a segment, in Kafka's layout (big-endian, fixed-size entries):
//   .index      relative offset int32 + file position int32        (8 bytes)
//   .timeindex  timestamp int64 + relative offset int32            (12 bytes)
// Both keys of an entry grow monotonically, so either can be binary-searched.
//
// Memory stays bounded whatever the segment size: entries not yet written sit in a small pending buffer
// (only the active segment has one), and lookups read the file with positioned reads through one
// page-sized scratch buffer shared by every index on the thread. No memory-mapping is available in Node.
import * as fs from 'node:fs';
import { DescriptorCache, type DescriptorHolder, descriptorsPerThread } from './descriptor-cache.js';
import { preadFully } from './io.js';

export const OFFSET_ENTRY_BYTES = 8;
export const TIME_ENTRY_BYTES = 12;
/** Entries buffered before one pwrite; also the in-memory tail that recent lookups are served from. */
const PENDING_ENTRIES = 128;
const PAGE_BYTES = 4096;

// One page of one index file, shared by every IndexFile on this thread (reads are synchronous and never
// interleave). The owner/page pair says whose bytes are in it.
const page = Buffer.allocUnsafe(PAGE_BYTES);
let pageOwner: IndexFile | null = null;
let pageFirst = 0;
let pageCount = 0;

// Index files hold descriptors only while in use (see descriptor-cache.ts); pending entries stay in memory
// while the descriptor is closed.
const openIndexes = new DescriptorCache<IndexFile>(descriptorsPerThread());

function touch(index: IndexFile): void {
  openIndexes.touch(index);
}

export class IndexFile implements DescriptorHolder {
  readonly path: string;
  readonly entryBytes: number;
  /** Entries in the index, written or pending. */
  count = 0;
  private onDisk = 0;
  private pending: Buffer | null = null;
  private fd = -1;

  private constructor(path: string, entryBytes: number) {
    this.path = path;
    this.entryBytes = entryBytes;
  }

  /** An empty index, replacing any file of that name. */
  static create(path: string, entryBytes: number): IndexFile {
    const index = new IndexFile(path, entryBytes);
    index.fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
    touch(index);
    return index;
  }

  /** The existing file, or null when it is missing or not a whole number of entries (then it must be rebuilt). */
  static openExisting(path: string, entryBytes: number): IndexFile | null {
    let fd: number;
    try {
      fd = fs.openSync(path, fs.constants.O_RDWR);
    } catch {
      return null;
    }
    const size = fs.fstatSync(fd).size;
    if (size % entryBytes !== 0) {
      fs.closeSync(fd);
      return null;
    }
    const index = new IndexFile(path, entryBytes);
    index.fd = fd;
    touch(index);
    index.count = index.onDisk = size / entryBytes;
    return index;
  }

  /** Replaces the whole file with `entries` (a rebuilt index). */
  static write(path: string, entryBytes: number, entries: Uint8Array): IndexFile {
    const index = IndexFile.create(path, entryBytes);
    let done = 0;
    while (done < entries.length) done += fs.writeSync(index.handle(), entries, done, entries.length - done, done);
    index.count = index.onDisk = entries.length / entryBytes;
    return index;
  }

  private handle(): number {
    if (this.fd < 0) this.fd = fs.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    touch(this);
    return this.fd;
  }

  /** Closes the descriptor but keeps every entry (pending ones stay in memory); reopened on next use. */
  releaseDescriptor(): void {
    openIndexes.forget(this);
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }

  private invalidatePage(): void {
    if (pageOwner === this) pageOwner = null;
  }

  /** Appends one entry: (a, b) is (relative offset, position) or (timestamp, relative offset). */
  append(a: number, b: number): void {
    if (this.pending === null) this.pending = Buffer.allocUnsafe(PENDING_ENTRIES * this.entryBytes);
    if (this.count - this.onDisk === PENDING_ENTRIES) this.writePending();
    const at = (this.count - this.onDisk) * this.entryBytes;
    if (this.entryBytes === OFFSET_ENTRY_BYTES) {
      this.pending.writeInt32BE(a, at);
      this.pending.writeInt32BE(b, at + 4);
    } else {
      this.pending.writeBigInt64BE(BigInt(a), at);
      this.pending.writeInt32BE(b, at + 8);
    }
    this.count++;
  }

  /** Writes pending entries to the file (page cache). */
  writePending(): void {
    const n = this.count - this.onDisk;
    if (n === 0 || this.pending === null) return;
    const bytes = n * this.entryBytes;
    let done = 0;
    while (done < bytes) done += fs.writeSync(this.handle(), this.pending, done, bytes - done, this.onDisk * this.entryBytes + done);
    this.onDisk = this.count;
    this.invalidatePage();
  }

  /** Drops the pending buffer once the segment is no longer appended to. */
  seal(): void {
    this.writePending();
    this.pending = null;
  }

  /** Buffer and position holding entry i. */
  private locateEntry(i: number): { buf: Buffer; at: number } {
    if (i >= this.onDisk) return { buf: this.pending!, at: (i - this.onDisk) * this.entryBytes };
    const perPage = Math.floor(PAGE_BYTES / this.entryBytes);
    if (pageOwner !== this || i < pageFirst || i >= pageFirst + pageCount) {
      const first = i - (i % perPage);
      const want = Math.min(perPage, this.onDisk - first);
      const got = preadFully(this.handle(), page, 0, want * this.entryBytes, first * this.entryBytes);
      pageOwner = this;
      pageFirst = first;
      pageCount = Math.floor(got / this.entryBytes);
      if (i >= first + pageCount) throw new Error(`index ${this.path}: entry ${i} is unreadable`);
    }
    return { buf: page, at: (i - pageFirst) * this.entryBytes };
  }

  /** First field of entry i (relative offset, or timestamp). */
  a(i: number): number {
    const { buf, at } = this.locateEntry(i);
    return this.entryBytes === OFFSET_ENTRY_BYTES ? buf.readInt32BE(at) : Number(buf.readBigInt64BE(at));
  }

  /** Second field of entry i (position, or relative offset). */
  b(i: number): number {
    const { buf, at } = this.locateEntry(i);
    return buf.readInt32BE(at + this.entryBytes - 4);
  }

  /** Largest i whose field (a or b) is <= value, or -1. Tries the in-memory tail first. */
  lastAtMost(field: 'a' | 'b', value: number): number {
    const get = field === 'a' ? (i: number) => this.a(i) : (i: number) => this.b(i);
    if (this.count === 0 || get(0) > value) return -1;
    let lo = 0;
    let hi = this.count - 1;
    // Recent lookups (tailing consumers) land in the pending tail: search only there, no syscalls.
    if (this.onDisk < this.count && get(this.onDisk) <= value) lo = this.onDisk;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (get(mid) <= value) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Keeps the first n entries. */
  truncateEntries(n: number): void {
    if (n >= this.count) return;
    if (n < this.onDisk) {
      fs.ftruncateSync(this.handle(), n * this.entryBytes);
      this.onDisk = n;
    }
    this.count = n;
    this.invalidatePage();
  }

  /** Writes pending entries and fdatasyncs the file. */
  sync(): void {
    this.writePending();
    fs.fdatasyncSync(this.handle());
  }

  close(): void {
    this.writePending();
    this.releaseDescriptor();
    this.invalidatePage();
  }

  remove(): void {
    this.close();
    this.pending = null;
    this.count = this.onDisk = 0;
    fs.rmSync(this.path, { force: true });
  }
}
