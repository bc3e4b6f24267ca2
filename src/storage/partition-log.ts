// The durable log of one partition: an ordered list of segments in `<data-dir>/<topic>-<partition>/`.
// Synchronous by design; it runs inside the worker thread that owns the partition.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpateError } from '../errors.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  BATCH_HEADER_BYTES,
  LAST_OFFSET_DELTA,
  MAX_TIMESTAMP,
  batchTotalSize,
  patchBaseOffset,
  readInt32,
  readInt64,
} from '../protocol/record-batch.js';
import { type LogConfig, resolveLogConfig } from './log-config.js';
import { type BatchRun, MAX_RELATIVE_OFFSET, Segment, parseSegmentFileName, segmentFileName } from './segment.js';

/** Written by close(), removed by open(): its presence means the last shutdown flushed everything. */
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';

export class OffsetOutOfRangeError extends Error {
  readonly errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
  readonly offset: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;

  constructor(offset: number, logStartOffset: number, logEndOffset: number) {
    super(`offset ${offset} is outside the log range [${logStartOffset}, ${logEndOffset}]`);
    this.name = 'OffsetOutOfRangeError';
    this.offset = offset;
    this.logStartOffset = logStartOffset;
    this.logEndOffset = logEndOffset;
  }
}

export interface RecoveryReport {
  /** Bytes cut from torn or corrupt tails, plus whole segments dropped after a break in the sequence. */
  truncatedBytes: number;
  /** File name of the segment that was cut, or null when nothing had to be cut. */
  segment: string | null;
}

export interface TimestampAndOffset {
  offset: number;
  timestamp: number;
}

interface CleanShutdownMarker {
  logEndOffset: number;
  segment: string;
  size: number;
}

/** A planned read: bytes [pos, pos + size) of seg, whose batches end just before offset nextOffset. */
interface ReadPlan {
  offset: number;
  maxBytes: number;
  firstBatchWhole: boolean;
  generation: number;
  seg: Segment | null;
  pos: number;
  size: number;
}

/** Known batch boundary: offset `offset` starts at `pos` in `seg`. Lets sequential fetches skip the index walk. */
interface PositionHint {
  offset: number;
  seg: Segment;
  pos: number;
}

const POSITION_HINTS = 16;

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function storageError(message: string): SpateError {
  return new SpateError('SPATE_STORAGE', message);
}

export class PartitionLog {
  readonly dir: string;
  /**
   * Null when the log was new or shut down cleanly; after an unclean shutdown, what recovery cut
   * (truncatedBytes 0 and segment null when the tail was intact).
   */
  recoveryReport: RecoveryReport | null = null;

  private config: Required<LogConfig>;
  private readonly segments: Segment[] = [];
  private endOffset = 0;
  private totalBytes = 0;
  private closed = false;
  /** A segment file was created or removed since the directory was last fsynced. */
  private dirDirty = false;
  /** Bumped by truncation, which invalidates cached plans and hints. */
  private generation = 0;
  private plan: ReadPlan | null = null;
  private readonly hints: PositionHint[] = [];
  private hintNext = 0;

  private constructor(dir: string, config: Required<LogConfig>) {
    this.dir = dir;
    this.config = config;
  }

  /** Opens (creating if needed) the log in `dir` and recovers it. */
  static open(dir: string, config: LogConfig): PartitionLog {
    const log = new PartitionLog(dir, resolveLogConfig(config));
    fs.mkdirSync(dir, { recursive: true });
    log.recover();
    return log;
  }

  get logStartOffset(): number {
    return this.segments[0]!.baseOffset;
  }

  get logEndOffset(): number {
    return this.endOffset;
  }

  get sizeBytes(): number {
    return this.totalBytes;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Applies changed topic configs; they take effect from the next append (existing segments are not re-indexed). */
  updateConfig(config: Partial<LogConfig>): void {
    this.config = resolveLogConfig({ ...this.config, ...config });
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private recover(): void {
    const marker = this.takeCleanShutdownMarker();
    const bases: number[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      const base = parseSegmentFileName(name);
      if (base !== null) bases.push(base);
    }
    bases.sort((a, b) => a - b);

    if (bases.length === 0) {
      this.segments.push(Segment.create(this.dir, 0, Date.now()));
      this.syncDir();
      return;
    }

    const interval = this.config.indexIntervalBytes;
    const lastName = segmentFileName(bases[bases.length - 1]!);
    let clean =
      marker !== null && marker.segment === lastName && fs.statSync(path.join(this.dir, lastName)).size === marker.size;
    let truncatedBytes = 0;
    let cutSegment: string | null = null;
    let crcChecked: Segment | null = null;
    for (let i = 0; i < bases.length; i++) {
      const seg = Segment.openExisting(this.dir, bases[i]!);
      const isLast = i === bases.length - 1;
      // Segments before the last were fdatasynced when they rolled; only the active one can be torn,
      // so only it pays for CRC verification after an unclean shutdown.
      const verify = !clean && isLast;
      const cut = seg.scan(verify, interval).truncatedBytes;
      if (verify) crcChecked = seg;
      this.segments.push(seg);
      if (cut > 0) {
        truncatedBytes += cut;
        cutSegment ??= seg.name;
      }
      if (!isLast && (cut > 0 || seg.nextOffset !== bases[i + 1])) {
        // A break in the offset sequence: nothing after it can line up, so it goes.
        for (let j = i + 1; j < bases.length; j++) {
          const orphan = path.join(this.dir, segmentFileName(bases[j]!));
          truncatedBytes += fs.statSync(orphan).size;
          fs.rmSync(orphan, { force: true });
        }
        cutSegment ??= seg.name;
        this.dirDirty = true;
        clean = false;
        break;
      }
    }
    // A marker that disagrees with what the scan found is not trusted either.
    if (truncatedBytes > 0 || (marker !== null && this.active.nextOffset !== marker.logEndOffset)) clean = false;
    if (!clean && crcChecked !== this.active) {
      const cut = this.active.scan(true, interval).truncatedBytes;
      if (cut > 0) {
        truncatedBytes += cut;
        cutSegment ??= this.active.name;
      }
    }
    for (const seg of this.segments) this.totalBytes += seg.size;
    this.endOffset = this.active.nextOffset;
    if (!clean) this.recoveryReport = { truncatedBytes, segment: cutSegment };
    if (this.dirDirty) this.syncDir();
  }

  /** Reads and deletes the clean-shutdown marker, so a crash from here on is seen as unclean. */
  private takeCleanShutdownMarker(): CleanShutdownMarker | null {
    const file = path.join(this.dir, CLEAN_SHUTDOWN_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return null;
    }
    fs.rmSync(file, { force: true });
    fsyncDir(this.dir);
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) return null;
      const m = parsed as Partial<CleanShutdownMarker>;
      if (typeof m.logEndOffset !== 'number' || typeof m.segment !== 'string' || typeof m.size !== 'number') return null;
      return { logEndOffset: m.logEndOffset, segment: m.segment, size: m.size };
    } catch {
      return null;
    }
  }

  private syncDir(): void {
    fsyncDir(this.dir);
    this.dirDirty = false;
  }

  private ensureOpen(): void {
    if (this.closed) throw storageError(`partition log ${this.dir} is closed`);
  }

  private addHint(offset: number, seg: Segment, pos: number): void {
    const hint = { offset, seg, pos };
    if (this.hints.length < POSITION_HINTS) this.hints.push(hint);
    else this.hints[this.hintNext] = hint;
    this.hintNext = (this.hintNext + 1) % POSITION_HINTS;
  }

  private roll(): void {
    const old = this.active;
    // Roll-time flush keeps the "only the last segment can be torn" assumption recovery relies on.
    old.flush();
    old.close();
    this.segments.push(Segment.create(this.dir, this.endOffset, Date.now()));
    this.dirDirty = true;
  }

  /**
   * Appends one validated batch at bytes[start, start + length), assigning it baseOffset = logEndOffset
   * by patching the header in place, and writes it from that memory. Returns the assigned base offset.
   */
  append(bytes: Uint8Array, start: number, length: number): number {
    this.ensureOpen();
    if (length < BATCH_HEADER_BYTES || start < 0 || start + length > bytes.length) {
      throw storageError(`append: ${length} bytes at ${start} cannot hold a record batch`);
    }
    if (batchTotalSize(bytes, start) !== length) {
      throw storageError(`append: batch length field says ${batchTotalSize(bytes, start)} bytes, got ${length}`);
    }
    const lastDelta = readInt32(bytes, start + LAST_OFFSET_DELTA);
    if (lastDelta < 0) throw storageError(`append: negative lastOffsetDelta ${lastDelta}`);

    let seg = this.active;
    if (
      seg.size > 0 &&
      (seg.size + length > this.config.segmentBytes ||
        Date.now() - seg.createdMs >= this.config.segmentMs ||
        this.endOffset + lastDelta - seg.baseOffset > MAX_RELATIVE_OFFSET)
    ) {
      this.roll();
      seg = this.active;
    }

    const base = this.endOffset;
    const pos = seg.size;
    patchBaseOffset(bytes, start, base);
    seg.append(bytes, start, length, base, lastDelta, readInt64(bytes, start + MAX_TIMESTAMP), this.config.indexIntervalBytes);
    this.endOffset = base + lastDelta + 1;
    this.totalBytes += length;
    // A consumer tailing the log will fetch exactly this offset next.
    if (pos === 0) this.addHint(base, seg, 0);
    this.addHint(this.endOffset, seg, seg.size);
    return base;
  }

  private checkRange(offset: number): void {
    if (!(offset >= this.logStartOffset && offset <= this.endOffset)) {
      throw new OffsetOutOfRangeError(offset, this.logStartOffset, this.endOffset);
    }
  }

  /** Last segment whose base offset is <= offset. */
  private segmentIndexFor(offset: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segs[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Segment and position of the batch containing offset (offset < logEndOffset). */
  private locate(offset: number): { seg: Segment; pos: number } {
    for (const h of this.hints) {
      if (h.offset === offset && h.pos < h.seg.size) return { seg: h.seg, pos: h.pos };
    }
    let i = this.segmentIndexFor(offset);
    // An empty or exhausted segment (only possible at a roll boundary) hands over to the next one.
    while (offset >= this.segments[i]!.nextOffset && i < this.segments.length - 1) i++;
    const seg = this.segments[i]!;
    return { seg, pos: seg.locate(offset) };
  }

  /** Remembers where the batch after a read starts: this segment, or the start of the next one. */
  private hintAfter(seg: Segment, run: BatchRun): void {
    if (run.end < seg.size || seg === this.active) {
      this.addHint(run.nextOffset, seg, run.end);
      return;
    }
    const next = this.segments[this.segmentIndexFor(seg.baseOffset) + 1];
    if (next !== undefined && next.baseOffset === run.nextOffset) this.addHint(run.nextOffset, next, 0);
  }

  private planRead(offset: number, maxBytes: number, firstBatchWhole: boolean): ReadPlan {
    const cached = this.plan;
    if (
      cached !== null &&
      cached.generation === this.generation &&
      cached.offset === offset &&
      cached.maxBytes === maxBytes &&
      cached.firstBatchWhole === firstBatchWhole
    ) {
      return cached;
    }
    this.checkRange(offset);
    const plan: ReadPlan = { offset, maxBytes, firstBatchWhole, generation: this.generation, seg: null, pos: 0, size: 0 };
    if (offset < this.endOffset && (maxBytes > 0 || firstBatchWhole)) {
      const { seg, pos } = this.locate(offset);
      // Reads stay within one segment, as Kafka's do; the next fetch continues in the following one.
      let run = seg.wholeBatches(pos, offset, pos + Math.max(0, maxBytes));
      if (run.end === pos && firstBatchWhole) run = seg.batchAt(pos);
      if (run.end > pos) {
        plan.seg = seg;
        plan.pos = pos;
        plan.size = run.end - pos;
        this.hintAfter(seg, run);
      }
    }
    // An empty answer is not kept: the next append would make it stale.
    if (plan.size > 0) this.plan = plan;
    return plan;
  }

  /**
   * Copies whole batches, starting with the one containing `offset`, into target at targetOffset and
   * returns the byte count: at most maxBytes, except that with firstBatchWhole the first batch comes
   * whole even when larger (KIP-74). 0 when offset == logEndOffset. Throws OffsetOutOfRangeError.
   */
  read(offset: number, maxBytes: number, firstBatchWhole: boolean, target: Uint8Array, targetOffset: number): number {
    this.ensureOpen();
    const plan = this.planRead(offset, maxBytes, firstBatchWhole);
    if (plan.seg === null) return 0;
    if (targetOffset < 0 || targetOffset + plan.size > target.length) {
      throw new RangeError(`read: ${plan.size} bytes do not fit the target at ${targetOffset} (length ${target.length})`);
    }
    plan.seg.readInto(plan.pos, plan.size, target, targetOffset);
    return plan.size;
  }

  /**
   * Exactly what read() with the same arguments will return, without copying. The answer is kept, so
   * a read() straight after it costs one positioned read.
   */
  readSize(offset: number, maxBytes: number, firstBatchWhole: boolean): number {
    this.ensureOpen();
    return this.planRead(offset, maxBytes, firstBatchWhole).size;
  }

  /**
   * The base offset and maxTimestamp of the first batch whose maxTimestamp >= ts; when there is none,
   * offset is logEndOffset and timestamp -1.
   */
  offsetForTimestamp(ts: number): TimestampAndOffset {
    this.ensureOpen();
    for (const seg of this.segments) {
      const found = seg.findTimestamp(ts);
      if (found !== null) return found;
    }
    return { offset: this.endOffset, timestamp: -1 };
  }

  /** The batch with the largest maxTimestamp (earliest on ties): its last offset and that timestamp; -1/-1 when empty. */
  maxTimestamp(): TimestampAndOffset {
    this.ensureOpen();
    let best: TimestampAndOffset = { offset: -1, timestamp: -1 };
    for (const seg of this.segments) {
      if (seg.maxTimestampOffset >= 0 && (best.offset < 0 || seg.maxTimestamp > best.timestamp)) {
        best = { offset: seg.maxTimestampOffset, timestamp: seg.maxTimestamp };
      }
    }
    return best;
  }

  /**
   * Removes every batch from the one containing `offset` onwards, so logEndOffset becomes `offset` when
   * it is a batch boundary (the base of the batch holding it otherwise). An offset below logStartOffset
   * empties the log and restarts it there. No-op when offset >= logEndOffset.
   */
  truncateTo(offset: number): void {
    this.ensureOpen();
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`truncateTo: bad offset ${offset}`);
    if (offset >= this.endOffset) return;
    this.generation++;
    this.plan = null;
    this.hints.length = 0;
    this.hintNext = 0;

    if (offset <= this.logStartOffset) {
      for (const seg of this.segments) seg.remove();
      this.segments.length = 0;
      this.segments.push(Segment.create(this.dir, offset, Date.now()));
      this.totalBytes = 0;
      this.endOffset = offset;
      this.syncDir();
      return;
    }
    while (this.active.baseOffset >= offset) {
      const seg = this.segments.pop()!;
      this.totalBytes -= seg.size;
      seg.remove();
      this.dirDirty = true;
    }
    const seg = this.active;
    if (offset < seg.nextOffset) {
      this.totalBytes -= seg.size;
      this.endOffset = seg.truncateTo(offset, this.config.indexIntervalBytes);
      this.totalBytes += seg.size;
    } else {
      this.endOffset = seg.nextOffset;
    }
    seg.flush();
    if (this.dirDirty) this.syncDir();
  }

  /** fdatasync the active segment (and the directory if segments were created since the last flush). */
  flush(): void {
    this.ensureOpen();
    this.active.flush();
    if (this.dirDirty) this.syncDir();
  }

  /** Flushes, closes every file and leaves the clean-shutdown marker. */
  close(): void {
    if (this.closed) return;
    this.active.flush();
    for (const seg of this.segments) seg.close();
    const marker: CleanShutdownMarker = { logEndOffset: this.endOffset, segment: this.active.name, size: this.active.size };
    const file = path.join(this.dir, CLEAN_SHUTDOWN_FILE);
    const fd = fs.openSync(file, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(marker));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.syncDir();
    this.closed = true;
  }

  /** Closes without a marker and removes the partition directory. */
  delete(): void {
    for (const seg of this.segments) seg.close();
    this.closed = true;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
