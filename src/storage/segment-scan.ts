// Walking a segment file batch by batch: the recovery scan (length, magic, offset continuity and
// optionally CRC-32C of every batch) and the rules that decide which batches get index entries.
// Pure functions of a file, so the startup recovery can run them on a piscina pool (workers/recovery-task.ts).
import * as fs from 'node:fs';
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
} from '../records/batch.js';
import { crc32c } from '../records/crc32c.js';
import { preadFully } from './io.js';

export const NO_TIMESTAMP = -1;

/** Receives index entries as batches are indexed. */
export interface IndexSink {
  offsetEntry(relativeOffset: number, position: number): void;
  timeEntry(timestamp: number, relativeOffset: number): void;
}

/**
 * Kafka's indexing rule: before a batch is written, if more than index.interval.bytes were written since
 * the last entry, the batch gets an offset entry (its last offset, its position) and the time index gets
 * (largest timestamp so far, last offset of the batch holding it) when that timestamp grew.
 */
export class IndexState {
  bytesSinceEntry = 0;
  maxTimestamp = NO_TIMESTAMP;
  maxTimestampOffset = -1;
  lastTimeEntry = NO_TIMESTAMP;

  add(segmentBase: number, pos: number, lastOffset: number, maxTs: number, size: number, interval: number, sink: IndexSink): void {
    // Strictly greater keeps the earliest batch on ties, as Kafka's offsetOfMaxTimestamp does.
    if (maxTs > this.maxTimestamp) {
      this.maxTimestamp = maxTs;
      this.maxTimestampOffset = lastOffset;
    }
    if (this.bytesSinceEntry > interval) {
      sink.offsetEntry(lastOffset - segmentBase, pos);
      this.timeEntry(segmentBase, sink);
      this.bytesSinceEntry = 0;
    }
    this.bytesSinceEntry += size;
  }

  /** Appends a time entry if the largest timestamp grew since the last one (also done when a segment is sealed). */
  timeEntry(segmentBase: number, sink: IndexSink): void {
    if (this.maxTimestamp > this.lastTimeEntry) {
      sink.timeEntry(this.maxTimestamp, this.maxTimestampOffset - segmentBase);
      this.lastTimeEntry = this.maxTimestamp;
    }
  }
}

export interface WalkResult {
  /** Position after the last valid batch. */
  end: number;
  /** Offset after the last valid batch. */
  nextOffset: number;
  /** Why the walk stopped before the end of the file, or null. */
  problem: string | null;
}

let chunk = Buffer.allocUnsafe(1024 * 1024);

/**
 * Walks batches in [from, fileEnd) starting at offset `expected`, calling onBatch for each valid one, and
 * stops at the first thing that is not a valid batch continuing the offset sequence.
 */
export function walkBatches(
  fd: number,
  from: number,
  fileEnd: number,
  expected: number,
  verifyCrc: boolean,
  onBatch: (pos: number, base: number, lastOffset: number, maxTs: number, size: number) => void,
): WalkResult {
  let chunkStart = 0;
  let chunkLength = 0;
  const ensure = (pos: number, need: number): number => {
    if (pos >= chunkStart && pos + need <= chunkStart + chunkLength) return pos - chunkStart;
    if (need > chunk.length) chunk = Buffer.allocUnsafe(Math.max(need, chunk.length * 2));
    const got = preadFully(fd, chunk, 0, Math.min(chunk.length, fileEnd - pos), pos);
    chunkStart = pos;
    chunkLength = got;
    return got >= need ? 0 : -1;
  };
  let pos = from;
  let problem: string | null = null;
  while (pos < fileEnd) {
    if (pos + BATCH_HEADER_BYTES > fileEnd) {
      problem = `${fileEnd - pos} bytes at position ${pos} are shorter than a batch header`;
      break;
    }
    let at = ensure(pos, BATCH_HEADER_BYTES);
    if (at < 0) {
      problem = `short read at position ${pos}`;
      break;
    }
    const batchLength = readInt32(chunk, at + BATCH_LENGTH);
    if (batchLength < MIN_BATCH_LENGTH) {
      problem = `bad batch length ${batchLength} at position ${pos}`;
      break;
    }
    if (chunk[at + MAGIC] !== CURRENT_MAGIC) {
      problem = `bad magic ${chunk[at + MAGIC]} at position ${pos}`;
      break;
    }
    const total = batchLength + LOG_OVERHEAD;
    if (pos + total > fileEnd) {
      problem = `batch at position ${pos} needs ${total} bytes, ${fileEnd - pos} remain`;
      break;
    }
    const base = readInt64(chunk, at + BASE_OFFSET);
    const lastDelta = readInt32(chunk, at + LAST_OFFSET_DELTA);
    if (base !== expected || lastDelta < 0) {
      problem = `batch at position ${pos} has offsets ${base}+${lastDelta}, expected base ${expected}`;
      break;
    }
    const maxTs = readInt64(chunk, at + MAX_TIMESTAMP);
    if (verifyCrc) {
      at = ensure(pos, total);
      if (at < 0) {
        problem = `short read at position ${pos}`;
        break;
      }
      if (readUint32(chunk, at + CRC) !== crc32c(chunk, at + CRC + 4, at + total)) {
        problem = `CRC-32C mismatch in the batch at position ${pos} (offset ${base})`;
        break;
      }
    }
    onBatch(pos, base, base + lastDelta, maxTs, total);
    pos += total;
    expected = base + lastDelta + 1;
  }
  return { end: pos, nextOffset: expected, problem };
}

/** Growable big-endian byte array for rebuilt index entries. */
class Entries implements IndexSink {
  offsets: Buffer = Buffer.allocUnsafe(4096);
  offsetBytes = 0;
  times: Buffer = Buffer.allocUnsafe(4096);
  timeBytes = 0;

  private static grow(buf: Buffer, need: number): Buffer {
    if (need <= buf.length) return buf;
    const bigger = Buffer.allocUnsafe(Math.max(need, buf.length * 2));
    buf.copy(bigger);
    return bigger;
  }

  offsetEntry(relativeOffset: number, position: number): void {
    this.offsets = Entries.grow(this.offsets, this.offsetBytes + 8);
    this.offsets.writeInt32BE(relativeOffset, this.offsetBytes);
    this.offsets.writeInt32BE(position, this.offsetBytes + 4);
    this.offsetBytes += 8;
  }

  timeEntry(timestamp: number, relativeOffset: number): void {
    this.times = Entries.grow(this.times, this.timeBytes + 12);
    this.times.writeBigInt64BE(BigInt(timestamp), this.timeBytes);
    this.times.writeInt32BE(relativeOffset, this.timeBytes + 8);
    this.timeBytes += 12;
  }
}

/** What a full scan of one segment file found; plain data, so it can cross threads. */
export interface SegmentScan {
  path: string;
  baseOffset: number;
  /** File size when scanned: a result is only applied to a file of exactly this size. */
  fileSize: number;
  verifiedCrc: boolean;
  validBytes: number;
  nextOffset: number;
  problem: string | null;
  maxTimestamp: number;
  maxTimestampOffset: number;
  lastTimeEntry: number;
  bytesSinceEntry: number;
  /** Rebuilt .index and .timeindex contents. */
  offsetIndex: Uint8Array;
  timeIndex: Uint8Array;
}

/** Scans a whole segment file (read-only: the owner applies the cut). */
export function scanSegmentFile(path: string, baseOffset: number, verifyCrc: boolean, indexIntervalBytes: number): SegmentScan {
  const fd = fs.openSync(path, 'r');
  try {
    const fileSize = fs.fstatSync(fd).size;
    const state = new IndexState();
    const entries = new Entries();
    const walk = walkBatches(fd, 0, fileSize, baseOffset, verifyCrc, (pos, _base, lastOffset, maxTs, size) =>
      state.add(baseOffset, pos, lastOffset, maxTs, size, indexIntervalBytes, entries),
    );
    return {
      path,
      baseOffset,
      fileSize,
      verifiedCrc: verifyCrc,
      validBytes: walk.end,
      nextOffset: walk.nextOffset,
      problem: walk.problem,
      maxTimestamp: state.maxTimestamp,
      maxTimestampOffset: state.maxTimestampOffset,
      lastTimeEntry: state.lastTimeEntry,
      bytesSinceEntry: state.bytesSinceEntry,
      // Exact-size copies: these may cross threads, and a view would drag its whole buffer along.
      offsetIndex: Uint8Array.prototype.slice.call(entries.offsets, 0, entries.offsetBytes),
      timeIndex: Uint8Array.prototype.slice.call(entries.times, 0, entries.timeBytes),
    };
  } finally {
    fs.closeSync(fd);
  }
}
