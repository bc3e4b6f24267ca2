// The durable log of one partition: an ordered list of segments in `<data-dir>/<topic>-<partition>/`.
// Synchronous by design; it runs inside the worker thread that owns the partition.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpateError } from '../errors.js';
import {
  BATCH_HEADER_BYTES,
  LAST_OFFSET_DELTA,
  MAX_TIMESTAMP,
  batchTotalSize,
  patchBaseOffset,
  readInt32,
  readInt64,
} from '../records/batch.js';
import { fsyncDir } from './io.js';
import { type LogConfig, resolveLogConfig } from './log-config.js';
import { type BatchRun, MAX_RELATIVE_OFFSET, Segment, indexPaths, parseSegmentFileName, segmentFileName } from './segment.js';
import { type SegmentScan, scanSegmentFile } from './segment-scan.js';
import { quarantineTail } from './recovery-quarantine.js';

/** Written by close(), removed by open(): its presence means the last shutdown flushed everything. */
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
/** The log start offset when DeleteRecords moved it inside a segment (a decimal number). */
export const LOG_START_OFFSET_FILE = 'log-start-offset';

export interface OpenOptions {
  /**
   * Offset below which everything is known flushed (from the recovery-point checkpoint): segments that
   * end at or before it open without a scan after an unclean shutdown. Defaults to 0 (every segment is
   * scanned), as Kafka does for a partition the checkpoint does not know: one created since it was written.
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
  const rp = recoveryPoint ?? 0;
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

/** A read or DeleteRecords outside the log; the partition actor answers it as Kafka's OFFSET_OUT_OF_RANGE. */
export class OffsetOutOfRangeError extends Error {
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
  /** Bytes cut from torn or corrupt segments (sealed segments' cut bytes are kept aside, see SegmentDamage). */
  truncatedBytes: number;
  /** File name of the segment that was cut, or null when nothing had to be cut. */
  segment: string | null;
}

/** A sealed segment recovery found damaged, and what it did about it (always keeping every later segment). */
export interface SegmentDamage {
  /** File name of the damaged segment. */
  segment: string;
  /** Where its valid batches end (its size after recovery), and the offset after them. */
  position: number;
  offset: number;
  problem: string;
  /** Bytes cut from it (0 for a hole in the offsets after it). */
  cutBytes: number;
  /** Where the cut bytes were kept (a file in the partition directory), or null when nothing was cut. */
  quarantineFile: string | null;
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
  /** Damage recovery found in sealed segments (each is worth a loud log line). */
  readonly damage: SegmentDamage[] = [];
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
    const noteCut = (seg: Segment, cut: number): void => {
      if (cut <= 0) return;
      truncatedBytes += cut;
      cutSegment ??= seg.name;
      clean = false;
    };
    /** Scans a segment (or takes the startup pool's scan) and cuts it after its last valid batch. */
    const openSegment = (base: number, sealed: boolean): { seg: Segment; cut: number } => {
      const file = indexPaths(this.dir, base).log;
      const size = fs.statSync(file).size;
      let scan = prescanned.get(base);
      if (scan === undefined || scan.fileSize !== size || !scan.verifiedCrc) scan = scanSegmentFile(file, base, true, interval);
      this.scannedSegments++;
      const cut = scan.fileSize - scan.validBytes;
      // A sealed segment was fdatasynced when it rolled: damage in it is not a torn write but corruption, and the
      // bytes after it may hold valid batches. They are kept aside before the cut.
      const quarantined = sealed && cut > 0 ? quarantineTail(file, scan.validBytes, scan.fileSize) : null;
      const seg = Segment.openScanned(this.dir, scan);
      if (cut > 0) {
        const what = `${seg.name}: cut ${cut} bytes at position ${scan.validBytes} (offset ${scan.nextOffset}): ${scan.problem ?? 'invalid data'}`;
        this.recoveryDetails.push(quarantined === null ? what : `${what}; the cut bytes are kept in ${path.basename(quarantined)}`);
        if (sealed) {
          this.damage.push({ segment: seg.name, position: scan.validBytes, offset: scan.nextOffset, problem: scan.problem ?? 'invalid data', cutBytes: cut, quarantineFile: quarantined && path.basename(quarantined) });
        }
      }
      return { seg, cut };
    };
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i]!;
      const isLast = i === bases.length - 1;
      let seg: Segment | null = null;
      if (!toScan.has(base)) {
        seg = Segment.openTrusted(this.dir, base);
        if (seg === null) this.recoveryDetails.push(`${segmentFileName(base)}: index missing or inconsistent, rebuilt`);
      }
      if (seg === null) {
        // A trusted segment whose index failed its check is rebuilt; a CRC pass tells a torn file from a lost index.
        const opened = openSegment(base, !isLast);
        seg = opened.seg;
        noteCut(seg, opened.cut);
        if (isLast) crcChecked = seg;
      }
      this.segments.push(seg);
      if (!isLast) this.checkContinuity(seg, bases[i + 1]!, noteCut, () => (clean = false));
    }
    // A marker that disagrees with what the open found is not trusted either.
    if (marker !== null && this.active.nextOffset !== marker.logEndOffset) clean = false;
    if (!clean && crcChecked !== this.active) {
      const old = this.segments.pop()!;
      old.close();
      const { seg, cut } = openSegment(old.baseOffset, false);
      this.segments.push(seg);
      noteCut(seg, cut);
    }
    for (const seg of this.segments) this.totalBytes += seg.size;
    this.endOffset = this.active.nextOffset;
    if (!clean) this.recoveryReport = { truncatedBytes, segment: cutSegment };
    if (this.dirDirty) this.syncDir();
    this.afterRecovery(clean);
  }

  /**
   * Between a segment and the next one the offsets must continue. Every later segment is kept whatever happened
   * (Kafka does not delete later segments either): a hole (a segment file lost, or one cut short) stays a hole,
   * which reads step over to the next segment as Kafka's do; offsets the next segment also holds are cut from
   * this one, the cut bytes kept aside, so offsets still only grow.
   */
  private checkContinuity(seg: Segment, nextBase: number, noteCut: (seg: Segment, cut: number) => void, unclean: () => void): void {
    if (seg.nextOffset === nextBase) return;
    unclean();
    if (seg.nextOffset < nextBase) {
      const missing = `offsets ${seg.nextOffset} to ${nextBase - 1} are missing`;
      this.recoveryDetails.push(`${seg.name}: ${missing}: no segment holds them`);
      // A hole left by cutting this very segment is part of that damage, not another one.
      const cutHere = this.damage[this.damage.length - 1];
      if (cutHere?.segment === seg.name) {
        cutHere.problem += `; ${missing} from the log now`;
        return;
      }
      const problem = `${missing}: no segment holds them (${segmentFileName(seg.nextOffset)} lost, or ${seg.name} cut short)`;
      this.damage.push({ segment: seg.name, position: seg.size, offset: seg.nextOffset, problem, cutBytes: 0, quarantineFile: null });
      return;
    }
    const position = seg.locate(nextBase);
    const size = seg.size;
    const problem = `it holds offsets up to ${seg.nextOffset - 1}, past the base offset ${nextBase} of the next segment`;
    const quarantined = quarantineTail(seg.path, position, size);
    seg.truncateTo(nextBase);
    seg.flush();
    this.recoveryDetails.push(`${seg.name}: cut ${size - position} bytes at position ${position}: ${problem}; the cut bytes are kept in ${path.basename(quarantined)}`);
    this.damage.push({ segment: seg.name, position, offset: seg.nextOffset, problem, cutBytes: size - position, quarantineFile: path.basename(quarantined) });
    noteCut(seg, size - position);
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
    if (!Number.isSafeInteger(this.endOffset + lastDelta + 1)) {
      throw storageError(`append: offsets past ${this.endOffset} + ${lastDelta + 1} exceed 2^53`);
    }

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

  /** Deletes the oldest segment's files; one that cannot be deleted stays the oldest, to be retried. */
  private removeOldest(): void {
    const seg = this.segments[0]!;
    seg.remove();
    this.segments.shift();
    this.totalBytes -= seg.size;
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
    try {
      while (this.segments.length > 1) {
        const seg = this.segments[0]!;
        const largest = seg.maxTimestamp >= 0 ? seg.maxTimestamp : seg.createdMs;
        const expired = retentionMs >= 0 && nowMs - largest > retentionMs;
        const oversize = retentionBytes >= 0 && this.totalBytes - seg.size >= retentionBytes;
        if (!expired && !oversize) break;
        this.removeOldest();
        deleted++;
      }
    } finally {
      // Segments deleted before a failure are gone: the log start offset must follow them.
      if (deleted > 0) this.afterStartMoved(this.segments[0]!.baseOffset);
    }
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
    try {
      while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) this.removeOldest();
    } finally {
      // Even when a segment could not be deleted, the records below `offset` are no longer served.
      this.afterStartMoved(offset);
    }
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
    // An empty or exhausted segment (at a roll boundary, or before a hole recovery left) hands over to the next one.
    while (offset >= this.segments[i]!.nextOffset && i < this.segments.length - 1) i++;
    const seg = this.segments[i]!;
    // An offset in a hole reads from the first batch after it, as Kafka's reads move on to the next segment.
    if (offset < seg.baseOffset) return { seg, pos: 0 };
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

  /**
   * Closes every file without syncing or leaving the clean-shutdown marker, so the next open recovers the log:
   * for a log dir that failed, whose contents are no longer trusted to be what was acknowledged.
   */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    for (const seg of this.segments) {
      try {
        seg.close();
      } catch {
        // Pending index entries that cannot be written are rebuilt by the next open's scan.
      }
    }
  }

  /** Closes without a marker and removes the partition directory. */
  delete(): void {
    for (const seg of this.segments) seg.close();
    this.closed = true;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
