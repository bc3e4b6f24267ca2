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
import { fsyncDir } from './io.js';
import { type LogConfig, resolveLogConfig } from './log-config.js';
import { type BatchRun, MAX_RELATIVE_OFFSET, Segment, indexPaths, parseSegmentFileName, segmentFileName } from './segment.js';
import { type SegmentScan, scanSegmentFile } from './segment-scan.js';

/** Written by close(), removed by open(): its presence means the last shutdown flushed everything. */
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
/** The log start offset when DeleteRecords moved it inside a segment (a decimal number). */
export const LOG_START_OFFSET_FILE = 'log-start-offset';

export interface OpenOptions {
  /**
   * Offset below which everything is known flushed (from the recovery-point checkpoint): segments that
   * end at or before it open without a scan after an unclean shutdown. Defaults to the base offset of the
   * last segment, since a roll fdatasyncs the segment it closes.
   */
  recoveryPoint?: number;
  /** Scans of this log's segment files already made elsewhere (the startup piscina pool). */
  prescanned?: readonly SegmentScan[];
}

/** A segment file that recovery has to scan. */
export interface ScanJob {
  path: string;
  baseOffset: number;
  verifyCrc: boolean;
}

export interface RecoveryPlan {
  clean: boolean;
  bases: number[];
  scan: ScanJob[];
}

/**
 * Which segment files of the log in `dir` need a scan at open, without changing anything: none after a
 * clean shutdown; otherwise the segments that may hold offsets at or past the recovery point.
 */
export function planRecovery(dir: string, recoveryPoint?: number): RecoveryPlan {
  const bases: number[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return { clean: true, bases, scan: [] };
  }
  for (const name of names) {
    const base = parseSegmentFileName(name);
    if (base !== null) bases.push(base);
  }
  bases.sort((a, b) => a - b);
  if (bases.length === 0) return { clean: true, bases, scan: [] };
  const marker = readCleanShutdownMarker(dir);
  const lastBase = bases[bases.length - 1]!;
  const clean = marker !== null && marker.segment === segmentFileName(lastBase) && fs.statSync(path.join(dir, marker.segment)).size === marker.size;
  if (clean) return { clean, bases, scan: [] };
  const rp = recoveryPoint ?? lastBase;
  const scan: ScanJob[] = [];
  for (let i = 0; i < bases.length; i++) {
    const nextBase = i + 1 < bases.length ? bases[i + 1]! : Infinity;
    if (nextBase > rp) scan.push({ path: indexPaths(dir, bases[i]!).log, baseOffset: bases[i]!, verifyCrc: true });
  }
  return { clean, bases, scan };
}

function readCleanShutdownMarker(dir: string): CleanShutdownMarker | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, CLEAN_SHUTDOWN_FILE), 'utf8');
  } catch {
    return null;
  }
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
  /** One line per thing recovery cut or rebuilt, for the log. */
  readonly recoveryDetails: string[] = [];
  /** Segment files scanned at open (CRC-checked or rebuilt). */
  scannedSegments = 0;

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
  private startOffset = 0;
  private recoveryPointOffset = 0;
  private flushedOffset = 0;
  private lastFlushMs = Date.now();

  private constructor(dir: string, config: Required<LogConfig>) {
    this.dir = dir;
    this.config = config;
  }

  /** Opens (creating if needed) the log in `dir` and recovers it. */
  static open(dir: string, config: LogConfig, options: OpenOptions = {}): PartitionLog {
    const log = new PartitionLog(dir, resolveLogConfig(config));
    fs.mkdirSync(dir, { recursive: true });
    log.recover(options);
    return log;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  /** Offset below which segments are flushed with their indexes (what the recovery-point checkpoint records). */
  get recoveryPoint(): number {
    return this.recoveryPointOffset;
  }

  /** Offsets appended since the last fdatasync. */
  get unflushedMessages(): number {
    return this.endOffset - this.flushedOffset;
  }

  /** Date.now() of the last flush (or open). */
  get lastFlushTime(): number {
    return this.lastFlushMs;
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

  private recover(options: OpenOptions): void {
    const plan = planRecovery(this.dir, options.recoveryPoint);
    const marker = this.takeCleanShutdownMarker();
    const bases = plan.bases;

    if (bases.length === 0) {
      this.segments.push(Segment.create(this.dir, 0, Date.now()));
      // Synced by the first flush (an acks=-1 append) or close, not here: creating thousands of partitions
      // would otherwise cost a directory fsync each while holding up the worker.
      this.dirDirty = true;
      this.afterRecovery(true);
      return;
    }

    const interval = this.config.indexIntervalBytes;
    const toScan = new Map(plan.scan.map((job) => [job.baseOffset, job]));
    const prescanned = new Map((options.prescanned ?? []).map((scan) => [scan.baseOffset, scan]));
    let clean = plan.clean;
    let truncatedBytes = 0;
    let cutSegment: string | null = null;
    let crcChecked: Segment | null = null;
    const openSegment = (base: number, verifyCrc: boolean): { seg: Segment; cut: number } => {
      const file = indexPaths(this.dir, base).log;
      const size = fs.statSync(file).size;
      let scan = prescanned.get(base);
      if (scan === undefined || scan.fileSize !== size || (verifyCrc && !scan.verifiedCrc)) {
        scan = scanSegmentFile(file, base, verifyCrc, interval);
      }
      this.scannedSegments++;
      const seg = Segment.openScanned(this.dir, scan);
      const cut = scan.fileSize - scan.validBytes;
      if (cut > 0) this.recoveryDetails.push(`${seg.name}: cut ${cut} bytes at position ${scan.validBytes} (offset ${scan.nextOffset}): ${scan.problem ?? 'invalid data'}`);
      return { seg, cut };
    };
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i]!;
      const isLast = i === bases.length - 1;
      const job = toScan.get(base);
      let seg: Segment | null = null;
      let cut = 0;
      if (job === undefined) {
        seg = Segment.openTrusted(this.dir, base);
        if (seg === null) this.recoveryDetails.push(`${segmentFileName(base)}: index missing or inconsistent, rebuilt`);
      }
      if (seg === null) {
        // A trusted segment whose index failed its check is rebuilt; a CRC pass tells a torn file from a lost index.
        ({ seg, cut } = openSegment(base, true));
        if (isLast) crcChecked = seg;
      }
      this.segments.push(seg);
      if (cut > 0) {
        truncatedBytes += cut;
        cutSegment ??= seg.name;
      }
      if (!isLast && (cut > 0 || seg.nextOffset !== bases[i + 1])) {
        // A break in the offset sequence: nothing after it can line up, so it goes.
        for (let j = i + 1; j < bases.length; j++) {
          const p = indexPaths(this.dir, bases[j]!);
          const bytes = fs.statSync(p.log).size;
          truncatedBytes += bytes;
          this.recoveryDetails.push(`${segmentFileName(bases[j]!)}: removed (${bytes} bytes) after the break in ${seg.name}`);
          for (const f of [p.log, p.index, p.timeIndex]) fs.rmSync(f, { force: true });
        }
        cutSegment ??= seg.name;
        this.dirDirty = true;
        clean = false;
        break;
      }
    }
    // A marker that disagrees with what the open found is not trusted either.
    if (truncatedBytes > 0 || (marker !== null && this.active.nextOffset !== marker.logEndOffset)) clean = false;
    if (!clean && crcChecked !== this.active) {
      const old = this.segments.pop()!;
      old.close();
      const { seg, cut } = openSegment(old.baseOffset, true);
      this.segments.push(seg);
      if (cut > 0) {
        truncatedBytes += cut;
        cutSegment ??= seg.name;
      }
    }
    for (const seg of this.segments) this.totalBytes += seg.size;
    this.endOffset = this.active.nextOffset;
    if (!clean) this.recoveryReport = { truncatedBytes, segment: cutSegment };
    if (this.dirDirty) this.syncDir();
    this.afterRecovery(clean);
  }

  private afterRecovery(clean: boolean): void {
    this.startOffset = this.segments[0]!.baseOffset;
    try {
      const stored = Number(fs.readFileSync(path.join(this.dir, LOG_START_OFFSET_FILE), 'utf8').trim());
      if (Number.isSafeInteger(stored) && stored > this.startOffset) this.startOffset = Math.min(stored, this.endOffset);
    } catch {
      // No file: the log starts at its first segment.
    }
    this.recoveryPointOffset = clean ? this.endOffset : this.active.baseOffset;
    this.flushedOffset = this.endOffset;
  }

  /** Reads and deletes the clean-shutdown marker, so a crash from here on is seen as unclean. */
  private takeCleanShutdownMarker(): CleanShutdownMarker | null {
    const marker = readCleanShutdownMarker(this.dir);
    const file = path.join(this.dir, CLEAN_SHUTDOWN_FILE);
    if (!fs.existsSync(file)) return marker;
    fs.rmSync(file, { force: true });
    fsyncDir(this.dir);
    return marker;
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
    // Roll-time flush (log and indexes) keeps the "only the last segment can be torn" assumption recovery
    // relies on, and moves the recovery point past the old segment.
    old.seal();
    old.close();
    this.segments.push(Segment.create(this.dir, this.endOffset, Date.now()));
    this.dirDirty = true;
    this.recoveryPointOffset = this.endOffset;
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
    // A cached readSize() plan ends at the old log end; a re-read of the same offset must see the new batch.
    this.plan = null;
    // A consumer tailing the log will fetch exactly this offset next.
    if (pos === 0) this.addHint(base, seg, 0);
    this.addHint(this.endOffset, seg, seg.size);
    return base;
  }

  private invalidateReads(): void {
    this.generation++;
    this.plan = null;
    this.hints.length = 0;
    this.hintNext = 0;
  }

  private removeOldest(): void {
    const seg = this.segments.shift()!;
    this.totalBytes -= seg.size;
    seg.remove();
    this.dirDirty = true;
  }

  /**
   * Deletes whole segments (never the active one) past retention: the oldest while its largest timestamp
   * (its file time when it has none) is older than retentionMs, then the oldest while the log without it
   * is still at least retentionBytes. -1 disables either. Returns how many segments went.
   */
  applyRetention(nowMs: number, retentionMs: number, retentionBytes: number): number {
    this.ensureOpen();
    let deleted = 0;
    while (this.segments.length > 1) {
      const seg = this.segments[0]!;
      const largest = seg.maxTimestamp >= 0 ? seg.maxTimestamp : seg.createdMs;
      const expired = retentionMs >= 0 && nowMs - largest > retentionMs;
      const oversize = retentionBytes >= 0 && this.totalBytes - seg.size >= retentionBytes;
      if (!expired && !oversize) break;
      this.removeOldest();
      deleted++;
    }
    if (deleted > 0) this.afterStartMoved(this.segments[0]!.baseOffset);
    return deleted;
  }

  /**
   * DeleteRecords: makes `offset` (at most logEndOffset) the log start offset, persists it, and deletes the
   * segments wholly below it (never the active one). Returns the new log start offset.
   */
  deleteRecordsBefore(offset: number): number {
    this.ensureOpen();
    if (!Number.isSafeInteger(offset) || offset > this.endOffset) throw new OffsetOutOfRangeError(offset, this.startOffset, this.endOffset);
    if (offset <= this.startOffset) return this.startOffset;
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) this.removeOldest();
    this.afterStartMoved(offset);
    return this.startOffset;
  }

  private afterStartMoved(newStart: number): void {
    this.invalidateReads();
    this.startOffset = Math.max(this.startOffset, newStart);
    const file = path.join(this.dir, LOG_START_OFFSET_FILE);
    if (this.startOffset > this.segments[0]!.baseOffset) {
      const tmp = file + '.tmp';
      fs.writeFileSync(tmp, String(this.startOffset));
      const fd = fs.openSync(tmp, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
      this.dirDirty = true;
    } else if (fs.existsSync(file)) {
      fs.rmSync(file, { force: true });
      this.dirDirty = true;
    }
    if (this.dirDirty) this.syncDir();
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
    this.invalidateReads();

    if (offset <= this.segments[0]!.baseOffset) {
      for (const seg of this.segments) seg.remove();
      this.segments.length = 0;
      this.segments.push(Segment.create(this.dir, offset, Date.now()));
      this.totalBytes = 0;
      this.endOffset = this.flushedOffset = this.recoveryPointOffset = offset;
      this.startOffset = 0;
      this.afterStartMoved(offset);
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
      this.endOffset = seg.truncateTo(offset);
      this.totalBytes += seg.size;
    } else {
      this.endOffset = seg.nextOffset;
    }
    seg.flush();
    this.flushedOffset = Math.min(this.flushedOffset, this.endOffset);
    this.recoveryPointOffset = Math.min(this.recoveryPointOffset, seg.baseOffset);
    if (this.startOffset > this.endOffset) this.afterStartMoved(this.endOffset);
    if (this.dirDirty) this.syncDir();
  }

  /**
   * fdatasync the active segment's log file (and the directory if segments were created since the last
   * flush): everything appended so far survives a power loss. Indexes are not synced; recovery rebuilds them.
   */
  flush(): void {
    this.ensureOpen();
    this.active.flush();
    if (this.dirDirty) this.syncDir();
    this.flushedOffset = this.endOffset;
    this.lastFlushMs = Date.now();
  }

  /** Flushes, closes every file and leaves the clean-shutdown marker. */
  close(): void {
    if (this.closed) return;
    this.active.seal();
    this.recoveryPointOffset = this.endOffset;
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
