import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeBatchCrc, readBatchHeader, readUint32 } from '../../src/records/batch.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../src/storage/log-config.js';
import { CLEAN_SHUTDOWN_FILE, OffsetOutOfRangeError, PartitionLog } from '../../src/storage/partition-log.js';
import { indexPaths, segmentFileName } from '../../src/storage/segment.js';
import { simpleBatch } from '../helpers/batch-builder.js';

function tempDir(t: ExecutionContext): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spate-log-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  return path.join(root, 'topic-0');
}

function config(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

interface Batch {
  base: number;
  last: number;
  size: number;
  maxTs: number;
}

/** Splits read output into batch headers and checks each is intact (CRC unchanged by offset patching). */
function parseBatches(t: ExecutionContext, bytes: Uint8Array, start: number, length: number): Batch[] {
  const out: Batch[] = [];
  let p = start;
  while (p < start + length) {
    const h = readBatchHeader(bytes, p);
    const size = h.batchLength + 12;
    t.true(p + size <= start + length, 'read returned a partial batch');
    t.is(computeBatchCrc(bytes, p), readUint32(bytes, p + 17), 'CRC mismatch');
    out.push({ base: h.baseOffset, last: h.baseOffset + h.lastOffsetDelta, size, maxTs: h.maxTimestamp });
    p += size;
  }
  return out;
}

/** readSize, then read into a buffer of exactly that size; the two must agree. */
function readAll(log: PartitionLog, offset: number, maxBytes: number, firstBatchWhole = true): Buffer {
  const size = log.readSize(offset, maxBytes, firstBatchWhole);
  const target = Buffer.alloc(size);
  const n = log.read(offset, maxBytes, firstBatchWhole, target, 0);
  if (n !== size) throw new Error(`read returned ${n} bytes, readSize said ${size}`);
  return target;
}

/** Base offsets of every batch from the log start to its end, read segment after segment as consumers do. */
function allBatchBases(t: ExecutionContext, log: PartitionLog): number[] {
  const bases: number[] = [];
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const out = readAll(log, offset, 1 << 20);
    const batches = parseBatches(t, out, 0, out.length);
    if (batches.length === 0) break;
    bases.push(...batches.map((b) => b.base));
    offset = batches[batches.length - 1]!.last + 1;
  }
  return bases;
}

function segmentFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
}

test('append assigns consecutive offsets and read returns the batches as stored', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config());
  t.is(log.logStartOffset, 0);
  t.is(log.logEndOffset, 0);
  t.is(log.recoveryReport, null);
  const sizes = [3, 1, 5].map((n) => {
    const b = simpleBatch(n);
    return { n, b, base: log.append(b, 0, b.length) };
  });
  t.deepEqual(
    sizes.map((s) => s.base),
    [0, 3, 4],
  );
  t.is(log.logEndOffset, 9);
  t.is(log.sizeBytes, sizes.reduce((n, s) => n + s.b.length, 0));
  const all = readAll(log, 0, 1 << 20);
  t.deepEqual(all, Buffer.concat(sizes.map((s) => s.b)), 'stored bytes are the patched input bytes');
  t.deepEqual(
    parseBatches(t, all, 0, all.length).map((b) => [b.base, b.last]),
    [
      [0, 2],
      [3, 3],
      [4, 8],
    ],
  );
  t.is(log.read(9, 1000, true, Buffer.alloc(10), 0), 0, 'offset == logEndOffset reads nothing');
  t.is(log.readSize(9, 1000, true), 0);
  log.close();
});

test('append writes straight from a SharedArrayBuffer view and read fills one', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config());
  const batch = simpleBatch(4, { valueBytes: 100 });
  const ring = new Uint8Array(new SharedArrayBuffer(4096));
  ring.set(batch, 77);
  log.append(new Uint8Array(ring.buffer, 0, 4096), 77, batch.length);
  ring.set(batch, 1000);
  t.is(log.append(ring, 1000, batch.length), 4);
  t.is(readBatchHeader(ring, 1000).baseOffset, 4, 'header patched in place in the ring');
  const target = new Uint8Array(new SharedArrayBuffer(8192));
  const n = log.read(2, 1 << 20, false, target, 3);
  t.is(n, batch.length * 2);
  t.deepEqual(
    parseBatches(t, target, 3, n).map((b) => b.base),
    [0, 4],
  );
  t.throws(() => log.read(0, 1 << 20, false, new Uint8Array(10), 0), { instanceOf: RangeError });
  log.close();
});

test('read from a middle offset returns the containing batch first', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config());
  for (let i = 0; i < 5; i++) {
    const b = simpleBatch(10);
    log.append(b, 0, b.length);
  }
  const out = readAll(log, 27, 1 << 20);
  t.deepEqual(
    parseBatches(t, out, 0, out.length).map((b) => b.base),
    [20, 30, 40],
  );
  log.close();
});

test('maxBytes returns whole batches only; KIP-74 returns an oversized first batch whole', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config());
  const b = simpleBatch(2, { valueBytes: 200 });
  for (let i = 0; i < 4; i++) log.append(Buffer.from(b), 0, b.length);
  const size = b.length;
  t.is(log.readSize(0, size * 2 + size - 1, false), size * 2, 'stops before a batch that would overflow');
  t.is(log.readSize(0, size * 2, false), size * 2);
  t.is(log.readSize(0, size - 1, false), 0, 'no fragment without firstBatchWhole');
  t.is(log.readSize(0, size - 1, true), size, 'first batch whole (KIP-74)');
  t.is(log.readSize(3, 1, true), size);
  t.is(log.readSize(3, 0, true), size);
  t.is(log.readSize(3, 0, false), 0);
  const target = Buffer.alloc(size);
  t.is(log.read(2, 10, true, target, 0), size);
  t.is(readBatchHeader(target, 0).baseOffset, 2);
  log.close();
});

test('append and read across segment rolls, from every offset', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(3, { valueBytes: 50 });
  const log = PartitionLog.open(dir, config({ segmentBytes: b.length * 4 + 10 }));
  for (let i = 0; i < 20; i++) log.append(Buffer.from(b), 0, b.length);
  t.is(log.logEndOffset, 60);
  t.is(log.segmentCount, 5);
  t.deepEqual(segmentFiles(dir), [0, 12, 24, 36, 48].map(segmentFileName));
  for (let offset = 0; offset < 60; offset++) {
    const out = readAll(log, offset, 1 << 20);
    const batches = parseBatches(t, out, 0, out.length);
    t.is(batches[0]!.base, offset - (offset % 3));
    // Reads stay within the segment holding the offset.
    const segBase = offset - (offset % 12);
    t.is(batches[batches.length - 1]!.last, segBase + 11);
  }
  // A consumer walking the log sequentially sees every offset exactly once.
  let next = 0;
  const seen: number[] = [];
  while (next < log.logEndOffset) {
    const out = readAll(log, next, b.length * 3);
    const batches = parseBatches(t, out, 0, out.length);
    for (const batch of batches) seen.push(batch.base);
    next = batches[batches.length - 1]!.last + 1;
  }
  t.deepEqual(
    seen,
    Array.from({ length: 20 }, (_, i) => i * 3),
  );
  log.close();
});

test('many small batches: index lookups agree with a linear model for any offset and maxBytes', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config({ segmentBytes: 64 * 1024, indexIntervalBytes: 1024 }));
  const model: Batch[] = [];
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let pos = 0;
  for (let i = 0; i < 1500; i++) {
    const b = simpleBatch(1 + rand(4), { valueBytes: rand(120) });
    const base = log.append(b, 0, b.length);
    model.push({ base, last: log.logEndOffset - 1, size: b.length, maxTs: 0 });
    pos += b.length;
  }
  t.is(log.sizeBytes, pos);
  t.true(log.segmentCount > 2);
  const segStarts = new Set(segmentFiles(dir).map((n) => Number(n.slice(0, 20))));
  for (let k = 0; k < 400; k++) {
    const offset = rand(log.logEndOffset);
    const maxBytes = rand(3000);
    const i = model.findIndex((m) => m.last >= offset);
    let expected = 0;
    for (let j = i; j < model.length; j++) {
      if (j > i && segStarts.has(model[j]!.base)) break;
      if (expected + model[j]!.size > maxBytes) {
        if (j === i) expected = model[j]!.size;
        break;
      }
      expected += model[j]!.size;
    }
    const out = readAll(log, offset, maxBytes, true);
    t.is(out.length, expected, `offset ${offset} maxBytes ${maxBytes}`);
    t.is(parseBatches(t, out, 0, out.length)[0]!.base, model[i]!.base);
  }
  log.close();
});

test('segment.ms rolls an old non-empty segment', async (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config({ segmentMs: 5 }));
  const b = simpleBatch(1);
  log.append(Buffer.from(b), 0, b.length);
  log.append(Buffer.from(b), 0, b.length);
  t.is(log.segmentCount, 1);
  await new Promise((r) => setTimeout(r, 20));
  log.append(Buffer.from(b), 0, b.length);
  t.is(log.segmentCount, 2);
  log.close();
});

test('reopen after a clean close keeps offsets, skips recovery and keeps appending', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(2, { valueBytes: 40 });
  let log = PartitionLog.open(dir, config({ segmentBytes: b.length * 3 }));
  for (let i = 0; i < 7; i++) log.append(Buffer.from(b), 0, b.length);
  const size = log.sizeBytes;
  log.close();
  t.true(fs.existsSync(path.join(dir, CLEAN_SHUTDOWN_FILE)));
  log = PartitionLog.open(dir, config({ segmentBytes: b.length * 3 }));
  t.false(fs.existsSync(path.join(dir, CLEAN_SHUTDOWN_FILE)), 'marker consumed at open');
  t.is(log.recoveryReport, null);
  t.is(log.logStartOffset, 0);
  t.is(log.logEndOffset, 14);
  t.is(log.sizeBytes, size);
  t.is(log.segmentCount, 3);
  t.is(log.append(Buffer.from(b), 0, b.length), 14);
  const out = readAll(log, 9, 1 << 20);
  t.deepEqual(
    parseBatches(t, out, 0, out.length).map((x) => x.base),
    [8, 10],
  );
  t.is(parseBatches(t, readAll(log, 12, 1 << 20), 0, b.length * 2)[1]!.base, 14);
  log.close();
});

test('unclean shutdown with an intact tail reports nothing cut', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config());
  const b = simpleBatch(2);
  log.append(Buffer.from(b), 0, b.length);
  log.flush();
  // Simulated crash: the object is abandoned without close().
  const reopened = PartitionLog.open(dir, config());
  t.deepEqual(reopened.recoveryReport, { truncatedBytes: 0, segment: null });
  t.is(reopened.logEndOffset, 2);
  reopened.close();
  log.delete();
});

test('torn tail: a batch cut mid-write is dropped and the valid prefix kept', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config());
  const b = simpleBatch(3, { valueBytes: 30 });
  for (let i = 0; i < 4; i++) log.append(Buffer.from(b), 0, b.length);
  log.close();
  fs.rmSync(path.join(dir, CLEAN_SHUTDOWN_FILE));
  const file = path.join(dir, segmentFileName(0));
  fs.truncateSync(file, b.length * 3 + 20);
  const reopened = PartitionLog.open(dir, config());
  t.deepEqual(reopened.recoveryReport, { truncatedBytes: 20, segment: segmentFileName(0) });
  t.is(reopened.logEndOffset, 9);
  t.is(fs.statSync(file).size, b.length * 3);
  t.is(reopened.append(Buffer.from(b), 0, b.length), 9);
  reopened.close();
});

test('torn tail shorter than a header, and garbage after a clean close, are both cut', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(1);
  let log = PartitionLog.open(dir, config());
  log.append(Buffer.from(b), 0, b.length);
  log.close();
  // The marker no longer matches the file size, so it is not trusted.
  fs.appendFileSync(path.join(dir, segmentFileName(0)), Buffer.alloc(7, 0xaa));
  log = PartitionLog.open(dir, config());
  t.deepEqual(log.recoveryReport, { truncatedBytes: 7, segment: segmentFileName(0) });
  t.is(log.logEndOffset, 1);
  log.close();
});

test('a corrupted byte in the last batch fails its CRC and recovery keeps the prefix', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(2, { valueBytes: 64 });
  const log = PartitionLog.open(dir, config({ segmentBytes: b.length * 2 }));
  for (let i = 0; i < 5; i++) log.append(Buffer.from(b), 0, b.length);
  t.is(log.segmentCount, 3);
  log.flush();
  // Simulated crash, then a flipped bit in the last batch's value.
  const last = path.join(dir, segmentFileName(8));
  const fd = fs.openSync(last, 'r+');
  const one = Buffer.alloc(1);
  fs.readSync(fd, one, 0, 1, b.length - 10);
  one[0]! ^= 0x40;
  fs.writeSync(fd, one, 0, 1, b.length - 10);
  fs.closeSync(fd);
  const reopened = PartitionLog.open(dir, config({ segmentBytes: b.length * 2 }));
  t.deepEqual(reopened.recoveryReport, { truncatedBytes: b.length, segment: segmentFileName(8) });
  t.is(reopened.logEndOffset, 8);
  t.is(reopened.sizeBytes, b.length * 4);
  const out = readAll(reopened, 6, 1 << 20);
  t.deepEqual(
    parseBatches(t, out, 0, out.length).map((x) => x.base),
    [6],
  );
  t.is(reopened.append(Buffer.from(b), 0, b.length), 8);
  reopened.close();
  log.delete();
});

test('damage in an earlier segment is cut there, its cut bytes kept aside, and every later segment kept', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(1, { valueBytes: 10 });
  const log = PartitionLog.open(dir, config({ segmentBytes: b.length * 2 }));
  for (let i = 0; i < 6; i++) log.append(Buffer.from(b), 0, b.length);
  log.close();
  const damaged = path.join(dir, segmentFileName(2));
  const tail = fs.readFileSync(damaged).subarray(b.length, b.length + 5);
  fs.truncateSync(damaged, b.length + 5);
  const reopened = PartitionLog.open(dir, config({ segmentBytes: b.length * 2 }));
  t.deepEqual(reopened.recoveryReport, { truncatedBytes: 5, segment: segmentFileName(2) });
  t.is(reopened.logEndOffset, 6);
  t.deepEqual(segmentFiles(dir), [segmentFileName(0), segmentFileName(2), segmentFileName(4)]);
  // The 5 bytes cut from the damaged segment are kept, and the lost offset 3 is a hole reads step over.
  const quarantine = `${segmentFileName(2)}.quarantined-at-${b.length}`;
  t.deepEqual(fs.readFileSync(path.join(dir, quarantine)), tail);
  t.deepEqual(
    reopened.damage.map((d) => [d.segment, d.cutBytes, d.quarantineFile]),
    [[segmentFileName(2), 5, quarantine]],
  );
  t.regex(reopened.damage[0]!.problem, /offsets 3 to 3 are missing/);
  t.deepEqual(allBatchBases(t, reopened), [0, 1, 2, 4, 5]);
  const size = reopened.readSize(3, 1 << 20, true);
  const fromHole = Buffer.alloc(size);
  reopened.read(3, 1 << 20, true, fromHole, 0);
  t.is(parseBatches(t, fromHole, 0, fromHole.length)[0]!.base, 4, 'a read in the hole starts at the next batch');
  t.is(reopened.append(Buffer.from(b), 0, b.length), 6);
  reopened.close();
});

test('a lost middle segment file leaves a hole; the segments after it stay', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(1, { valueBytes: 10 });
  const log = PartitionLog.open(dir, config({ segmentBytes: b.length * 2 }));
  for (let i = 0; i < 8; i++) log.append(Buffer.from(b), 0, b.length);
  log.close();
  for (const f of Object.values(indexPaths(dir, 2))) fs.rmSync(f);
  const reopened = PartitionLog.open(dir, config({ segmentBytes: b.length * 2 }));
  t.is(reopened.logEndOffset, 8);
  t.deepEqual(segmentFiles(dir), [segmentFileName(0), segmentFileName(4), segmentFileName(6)]);
  t.deepEqual(reopened.damage.map((d) => [d.segment, d.offset, d.cutBytes]), [[segmentFileName(0), 2, 0]]);
  t.deepEqual(allBatchBases(t, reopened), [0, 1, 4, 5, 6, 7]);
  reopened.close();
});

test('OffsetOutOfRange above logEndOffset and below logStartOffset', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config());
  const b = simpleBatch(2);
  log.append(Buffer.from(b), 0, b.length);
  const err = t.throws(() => log.read(3, 100, true, Buffer.alloc(100), 0), { instanceOf: OffsetOutOfRangeError });
  t.is(err?.offset, 3);
  t.is(err?.logStartOffset, 0);
  t.is(err?.logEndOffset, 2);
  t.throws(() => log.readSize(-1, 100, true), { instanceOf: OffsetOutOfRangeError });
  log.close();
});

test('a log starting above 0; truncateTo below logStartOffset restarts it there', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(2);
  let log = PartitionLog.open(dir, config());
  log.append(Buffer.from(b), 0, b.length);
  log.close();
  // Emulate a log whose first segment starts at 50 (as after retention). The stored batch still says
  // offset 0, so recovery cuts it as not continuing the sequence and leaves an empty segment at 50.
  fs.renameSync(path.join(dir, segmentFileName(0)), path.join(dir, segmentFileName(50)));
  fs.rmSync(path.join(dir, CLEAN_SHUTDOWN_FILE));
  log = PartitionLog.open(dir, config());
  t.deepEqual(log.recoveryReport, { truncatedBytes: b.length, segment: segmentFileName(50) });
  t.is(log.logStartOffset, 50);
  t.is(log.logEndOffset, 50);
  t.throws(() => log.readSize(49, 100, true), { instanceOf: OffsetOutOfRangeError });
  t.is(log.readSize(50, 100, true), 0);
  t.is(log.append(Buffer.from(b), 0, b.length), 50);
  t.is(log.readSize(50, 100, true), b.length);
  log.truncateTo(20);
  t.is(log.logStartOffset, 20);
  t.is(log.logEndOffset, 20);
  t.is(log.sizeBytes, 0);
  t.deepEqual(segmentFiles(dir), [segmentFileName(20)]);
  t.is(log.append(Buffer.from(b), 0, b.length), 20);
  log.truncateTo(20);
  t.is(log.logEndOffset, 20);
  log.close();
});

test('truncateTo inside a segment and across segments; appends continue and survive reopen', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(2, { valueBytes: 20 });
  const cfg = config({ segmentBytes: b.length * 3, indexIntervalBytes: 0 });
  const log = PartitionLog.open(dir, cfg);
  for (let i = 0; i < 10; i++) log.append(Buffer.from(b), 0, b.length);
  t.is(log.logEndOffset, 20);
  // Warm the read caches, which truncation must invalidate.
  readAll(log, 16, 1 << 20);
  log.truncateTo(16);
  t.is(log.logEndOffset, 16);
  t.is(log.sizeBytes, b.length * 8);
  t.throws(() => log.readSize(17, 100, true), { instanceOf: OffsetOutOfRangeError });
  log.truncateTo(9); // mid-batch: back to the batch boundary at 8
  t.is(log.logEndOffset, 8);
  t.deepEqual(segmentFiles(dir), [segmentFileName(0), segmentFileName(6)]);
  t.is(log.append(Buffer.from(b), 0, b.length), 8);
  t.is(log.append(Buffer.from(b), 0, b.length), 10);
  const out = readAll(log, 6, 1 << 20);
  t.deepEqual(
    parseBatches(t, out, 0, out.length).map((x) => x.base),
    [6, 8, 10],
  );
  log.close();
  const reopened = PartitionLog.open(dir, cfg);
  t.is(reopened.logEndOffset, 12);
  t.is(reopened.sizeBytes, b.length * 6);
  reopened.close();
});

test('offsetForTimestamp finds the first batch at or after a time; maxTimestamp the latest batch', (t) => {
  const dir = tempDir(t);
  const probe = simpleBatch(2, { timestamp: 0 });
  const log = PartitionLog.open(dir, config({ segmentBytes: probe.length * 2, indexIntervalBytes: 0 }));
  t.deepEqual(log.maxTimestamp(), { offset: -1, timestamp: -1 });
  t.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: -1 });
  const times = [1000, 2000, 5000, 3000, 5000, 4000];
  for (const ts of times) {
    const b = simpleBatch(2, { timestamp: ts });
    log.append(b, 0, b.length);
  }
  t.true(log.segmentCount >= 3);
  t.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: 1000 });
  t.deepEqual(log.offsetForTimestamp(1000), { offset: 0, timestamp: 1000 });
  t.deepEqual(log.offsetForTimestamp(1001), { offset: 2, timestamp: 2000 });
  t.deepEqual(log.offsetForTimestamp(2500), { offset: 4, timestamp: 5000 });
  t.deepEqual(log.offsetForTimestamp(4500), { offset: 4, timestamp: 5000 });
  t.deepEqual(log.offsetForTimestamp(5001), { offset: 12, timestamp: -1 });
  // Earliest batch holding the maximum; offset is that batch's last offset.
  t.deepEqual(log.maxTimestamp(), { offset: 5, timestamp: 5000 });
  log.truncateTo(6);
  t.deepEqual(log.maxTimestamp(), { offset: 5, timestamp: 5000 });
  log.truncateTo(4);
  t.deepEqual(log.maxTimestamp(), { offset: 3, timestamp: 2000 });
  t.deepEqual(log.offsetForTimestamp(2500), { offset: 4, timestamp: -1 });
  log.close();
});

test('timestamps survive reopen with the default sparse index', (t) => {
  const dir = tempDir(t);
  let log = PartitionLog.open(dir, config());
  for (let i = 0; i < 300; i++) {
    const b = simpleBatch(1, { timestamp: 10_000 + i * 10, valueBytes: 100 });
    log.append(b, 0, b.length);
  }
  log.close();
  log = PartitionLog.open(dir, config());
  t.deepEqual(log.offsetForTimestamp(10_000 + 1234), { offset: 124, timestamp: 10_000 + 1240 });
  t.deepEqual(log.maxTimestamp(), { offset: 299, timestamp: 10_000 + 2990 });
  log.close();
});

test('append rejects a blob whose length field disagrees, and a closed log refuses work', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config());
  const b = simpleBatch(1);
  t.throws(() => log.append(b, 0, b.length - 1));
  t.throws(() => log.append(b, 0, 10));
  t.is(log.logEndOffset, 0);
  log.close();
  t.throws(() => log.append(b, 0, b.length));
  t.throws(() => log.readSize(0, 10, true));
});

test('delete removes the partition directory', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config());
  const b = simpleBatch(1);
  log.append(b, 0, b.length);
  log.delete();
  t.false(fs.existsSync(dir));
});

test('truncateTo in the middle of a sparse index interval keeps lookups and timestamps right', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, config({ indexIntervalBytes: 1000 }));
  const sizes: number[] = [];
  for (let i = 0; i < 100; i++) {
    // Timestamps peak at batch 37 and 80 so the maximum moves when the log is cut.
    const ts = i === 37 ? 90_000 : i === 80 ? 99_000 : 1000 + i;
    const b = simpleBatch(1, { timestamp: ts, valueBytes: 60 + (i % 7) });
    sizes.push(b.length);
    log.append(b, 0, b.length);
  }
  t.deepEqual(log.maxTimestamp(), { offset: 80, timestamp: 99_000 });
  log.truncateTo(53);
  t.is(log.logEndOffset, 53);
  t.is(log.sizeBytes, sizes.slice(0, 53).reduce((a, b) => a + b, 0));
  t.deepEqual(log.maxTimestamp(), { offset: 37, timestamp: 90_000 });
  t.deepEqual(log.offsetForTimestamp(1036), { offset: 36, timestamp: 1036 });
  t.deepEqual(log.offsetForTimestamp(1037), { offset: 37, timestamp: 90_000 });
  t.deepEqual(log.offsetForTimestamp(90_001), { offset: 53, timestamp: -1 });
  for (let o = 0; o < 53; o++) {
    const out = readAll(log, o, 1);
    t.is(readBatchHeader(out, 0).baseOffset, o);
  }
  const b = simpleBatch(1, { timestamp: 95_000 });
  t.is(log.append(b, 0, b.length), 53);
  t.deepEqual(log.offsetForTimestamp(90_001), { offset: 53, timestamp: 95_000 });
  t.deepEqual(log.maxTimestamp(), { offset: 53, timestamp: 95_000 });
  log.truncateTo(37);
  t.deepEqual(log.offsetForTimestamp(1037), { offset: 37, timestamp: -1 });
  t.deepEqual(log.maxTimestamp(), { offset: 36, timestamp: 1036 });
  log.close();
});
