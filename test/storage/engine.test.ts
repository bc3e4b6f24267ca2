// The storage engine beyond append/read: on-disk .index/.timeindex, the recovery point and the piscina
// prescan, corruption recovery, retention and DeleteRecords, and a model-based property test.
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBatchHeader } from '../../src/records/batch.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../src/storage/log-config.js';
import { OffsetOutOfRangeError, PartitionLog, planRecovery } from '../../src/storage/partition-log.js';
import { readRecoveryCheckpoint, writeRecoveryCheckpoint } from '../../src/storage/recovery-checkpoint.js';
import { prescanPartitions } from '../../src/storage/recovery-pool.js';
import { indexPaths, segmentFileName } from '../../src/storage/segment.js';
import { simpleBatch } from '../helpers/batch-builder.js';

function tempDir(t: ExecutionContext): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spate-engine-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  return path.join(root, 'topic-0');
}

function config(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

function readAll(log: PartitionLog, offset: number, maxBytes = 1 << 30): Buffer {
  const size = log.readSize(offset, maxBytes, true);
  const target = Buffer.alloc(size);
  log.read(offset, maxBytes, true, target, 0);
  return target;
}

/** Base offsets of the batches returned by one read. */
function bases(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let p = 0; p < bytes.length; ) {
    const h = readBatchHeader(bytes, p);
    out.push(h.baseOffset);
    p += h.batchLength + 12;
  }
  return out;
}

test('index files follow Kafka layout and are written every index.interval.bytes', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(2, { valueBytes: 100 });
  const log = PartitionLog.open(dir, config({ indexIntervalBytes: b.length * 3 }));
  for (let i = 0; i < 40; i++) log.append(Buffer.from(simpleBatch(2, { valueBytes: 100, timestamp: 1000 + i })), 0, b.length);
  log.close();
  const p = indexPaths(dir, 0);
  const index = fs.readFileSync(p.index);
  const time = fs.readFileSync(p.timeIndex);
  t.is(index.length % 8, 0);
  t.is(time.length % 12, 0);
  // An entry once more than 3 batches were written since the previous one: every 4th batch.
  t.is(index.length / 8, 9);
  for (let i = 0; i < index.length / 8; i++) {
    const batch = 4 * (i + 1);
    t.is(index.readInt32BE(i * 8), batch * 2 + 1, 'relative offset = last offset of the indexed batch');
    t.is(index.readInt32BE(i * 8 + 4), batch * b.length, 'position of the indexed batch');
  }
  let last = -1;
  for (let i = 0; i < time.length / 12; i++) {
    const ts = Number(time.readBigInt64BE(i * 12));
    t.true(ts > last);
    last = ts;
  }
  t.is(last, 1039, 'closing appends the segment max timestamp');
});

test('lookups and timestamps agree before and after the index files are deleted and rebuilt', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(3, { valueBytes: 50 });
  const cfg = config({ indexIntervalBytes: 200, segmentBytes: b.length * 25 });
  const log = PartitionLog.open(dir, cfg);
  for (let i = 0; i < 100; i++) log.append(Buffer.from(simpleBatch(3, { valueBytes: 50, timestamp: 5000 + 10 * i })), 0, b.length);
  const before = [0, 1, 2, 37, 150, 299].map((o) => bases(readAll(log, o, b.length * 2)));
  const tsBefore = [4000, 5000, 5005, 5500, 5990, 6000].map((ts) => log.offsetForTimestamp(ts));
  const maxBefore = log.maxTimestamp();
  log.close();
  for (const name of fs.readdirSync(dir)) if (name.endsWith('.index') || name.endsWith('.timeindex')) fs.rmSync(path.join(dir, name));
  const reopened = PartitionLog.open(dir, cfg);
  t.deepEqual([0, 1, 2, 37, 150, 299].map((o) => bases(readAll(reopened, o, b.length * 2))), before);
  t.deepEqual([4000, 5000, 5005, 5500, 5990, 6000].map((ts) => reopened.offsetForTimestamp(ts)), tsBefore);
  t.deepEqual(reopened.maxTimestamp(), maxBefore);
  t.deepEqual(tsBefore[2], { offset: 3, timestamp: 5010 });
  t.true(reopened.recoveryDetails.some((d) => d.includes('rebuilt')));
  t.true(fs.existsSync(indexPaths(dir, 0).index));
  reopened.close();
});

test('unclean open scans only segments past the recovery point; the piscina prescan gives the same log', async (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(1, { valueBytes: 20 });
  const cfg = config({ segmentBytes: b.length * 4 });
  const log = PartitionLog.open(dir, cfg);
  for (let i = 0; i < 18; i++) log.append(Buffer.from(b), 0, b.length);
  t.is(log.recoveryPoint, 16, 'the base of the active segment after the last roll');
  log.flush();
  // No close: this is a crash. The torn tail is cut, earlier segments are trusted.
  fs.appendFileSync(path.join(dir, segmentFileName(16)), Buffer.alloc(7, 1));
  const plan = planRecovery(dir, 16);
  t.false(plan.clean);
  t.deepEqual(plan.scan.map((j) => j.baseOffset), [16]);
  t.deepEqual(planRecovery(dir, 8).scan.map((j) => j.baseOffset), [8, 12, 16]);
  const scans = await prescanPartitions([{ dir, recoveryPoint: 8, indexIntervalBytes: 4096 }], 2);
  t.is(scans.get(dir)!.length, 3);
  const reopened = PartitionLog.open(dir, cfg, { recoveryPoint: 8, prescanned: scans.get(dir)! });
  t.deepEqual(reopened.recoveryReport, { truncatedBytes: 7, segment: segmentFileName(16) });
  t.true(reopened.recoveryDetails.some((d) => d.includes('cut 7 bytes')));
  t.is(reopened.scannedSegments, 3);
  t.is(reopened.logEndOffset, 18);
  t.deepEqual(bases(readAll(reopened, 0)), [0, 1, 2, 3]);
  reopened.close();
});

test('recovery-point checkpoint round-trips in Kafka text format', (t) => {
  const dir = tempDir(t);
  fs.mkdirSync(dir, { recursive: true });
  writeRecoveryCheckpoint(dir, [
    { topic: 'a', partition: 0, offset: 10 },
    { topic: 'b.c', partition: 3, offset: 0 },
  ]);
  t.is(fs.readFileSync(path.join(dir, 'recovery-point-offset-checkpoint'), 'utf8'), '0\n2\na 0 10\nb.c 3 0\n');
  t.deepEqual([...readRecoveryCheckpoint(dir)], [['a-0', 10], ['b.c-3', 0]]);
  fs.writeFileSync(path.join(dir, 'recovery-point-offset-checkpoint'), '0\n3\na 0 10\n');
  t.is(readRecoveryCheckpoint(dir).size, 0, 'a malformed file means scan everything');
});

for (const where of ['middle', 'tail'] as const) {
  test(`corruption in the ${where} of the active segment: recovery keeps the valid prefix and says what it cut`, (t) => {
    const dir = tempDir(t);
    const b = simpleBatch(2, { valueBytes: 64 });
    const log = PartitionLog.open(dir, config());
    for (let i = 0; i < 10; i++) log.append(Buffer.from(b), 0, b.length);
    log.flush();
    const file = path.join(dir, segmentFileName(0));
    const victim = where === 'middle' ? 4 : 9;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0xff, 0x00, 0xff]), 0, 3, victim * b.length + 70);
    fs.closeSync(fd);
    const reopened = PartitionLog.open(dir, config());
    t.is(reopened.logEndOffset, victim * 2);
    t.deepEqual(reopened.recoveryReport, { truncatedBytes: (10 - victim) * b.length, segment: segmentFileName(0) });
    t.regex(reopened.recoveryDetails.join('\n'), /CRC-32C mismatch in the batch at position \d+ \(offset \d+\)/);
    t.deepEqual(bases(readAll(reopened, 0)), Array.from({ length: victim }, (_, i) => i * 2));
    t.is(fs.statSync(file).size, victim * b.length);
    t.is(reopened.append(Buffer.from(b), 0, b.length), victim * 2, 'appends continue after the cut');
    reopened.close();
  });
}

test('retention.bytes and retention.ms delete whole old segments, never the active one', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(1, { valueBytes: 30 });
  const cfg = config({ segmentBytes: b.length * 2 });
  const log = PartitionLog.open(dir, cfg);
  const now = Date.now();
  for (let i = 0; i < 9; i++) log.append(Buffer.from(simpleBatch(1, { valueBytes: 30, timestamp: now - 100_000 + i })), 0, b.length);
  t.is(log.segmentCount, 5);
  t.is(log.applyRetention(now, -1, b.length * 5), 2, 'keeps at least retention.bytes');
  t.is(log.logStartOffset, 4);
  t.throws(() => readAll(log, 3), { instanceOf: OffsetOutOfRangeError });
  t.deepEqual(bases(readAll(log, 4, b.length)), [4]);
  t.is(log.applyRetention(now, 50_000, -1), 2, 'all expired, but the active segment stays');
  t.is(log.segmentCount, 1);
  t.is(log.logStartOffset, 8);
  t.deepEqual(fs.readdirSync(dir).filter((n) => !n.startsWith('.')).sort(), [
    segmentFileName(8).replace('.log', '.index'),
    segmentFileName(8),
    segmentFileName(8).replace('.log', '.timeindex'),
  ]);
  log.close();
  const reopened = PartitionLog.open(dir, cfg);
  t.is(reopened.logStartOffset, 8);
  reopened.close();
});

test('DeleteRecords moves the log start offset inside a segment and it survives a restart', (t) => {
  const dir = tempDir(t);
  const b = simpleBatch(1, { valueBytes: 30 });
  const cfg = config({ segmentBytes: b.length * 3 });
  const log = PartitionLog.open(dir, cfg);
  for (let i = 0; i < 10; i++) log.append(Buffer.from(b), 0, b.length);
  t.is(log.deleteRecordsBefore(5), 5);
  t.is(log.segmentCount, 3, 'segment [0,3) went, [3,6) holds the new start');
  t.throws(() => readAll(log, 4), { instanceOf: OffsetOutOfRangeError });
  t.deepEqual(bases(readAll(log, 5, b.length)), [5]);
  t.throws(() => log.deleteRecordsBefore(11), { instanceOf: OffsetOutOfRangeError });
  t.is(log.deleteRecordsBefore(2), 5, 'never moves back');
  log.close();
  const reopened = PartitionLog.open(dir, cfg);
  t.is(reopened.logStartOffset, 5);
  reopened.close();
});

type Op =
  | { kind: 'append'; records: number; bytes: number }
  | { kind: 'read'; at: number; maxBytes: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'restart'; clean: boolean }
  | { kind: 'time'; ts: number };

test('property: random appends, reads, rolls, truncations and restarts agree with a simple model', (t) => {
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), records: fc.integer({ min: 1, max: 5 }), bytes: fc.integer({ min: 0, max: 300 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), at: fc.nat(), maxBytes: fc.integer({ min: 0, max: 2000 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), clean: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('time' as const), ts: fc.integer({ min: 0, max: 400 }) }) },
  );
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 60 }), fc.integer({ min: 300, max: 3000 }), fc.integer({ min: 0, max: 1000 }), (ops, segmentBytes, interval) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spate-prop-'));
      const cfg = config({ segmentBytes, indexIntervalBytes: interval });
      // The model: every batch as (base, last, bytes, maxTs).
      const model: Array<{ base: number; last: number; bytes: Buffer; ts: number }> = [];
      let log = PartitionLog.open(dir, cfg);
      let clock = 0;
      try {
        for (const op of ops) {
          const end = model.length > 0 ? model[model.length - 1]!.last + 1 : 0;
          if (op.kind === 'append') {
            clock += 1 + (op.bytes % 7);
            const batch = simpleBatch(op.records, { valueBytes: op.bytes, timestamp: clock });
            const base = log.append(batch, 0, batch.length);
            if (base !== end) return false;
            model.push({ base, last: base + op.records - 1, bytes: Buffer.from(batch), ts: clock });
          } else if (op.kind === 'read') {
            const at = end === 0 ? 0 : op.at % (end + 1);
            const got = readAll(log, at, op.maxBytes);
            const first = model.findIndex((m) => m.last >= at);
            const expected: Buffer[] = [];
            let used = 0;
            for (let i = first; i >= 0 && i < model.length; i++) {
              const size = model[i]!.bytes.length;
              if (used + size > op.maxBytes && !(expected.length === 0 && used === 0)) break;
              expected.push(model[i]!.bytes);
              used += size;
              if (used > op.maxBytes) break;
            }
            // Reads stay inside one segment, so the log may return a prefix of the model's answer.
            const want = Buffer.concat(expected);
            if (at < end && got.length === 0) return false;
            if (!want.subarray(0, got.length).equals(got)) return false;
          } else if (op.kind === 'truncate') {
            if (end === 0) continue;
            const at = op.at % (end + 1);
            log.truncateTo(at);
            while (model.length > 0 && model[model.length - 1]!.last >= at) model.pop();
            const newEnd = model.length > 0 ? model[model.length - 1]!.last + 1 : 0;
            if (log.logEndOffset !== newEnd) return false;
          } else if (op.kind === 'restart') {
            if (op.clean) log.close();
            else log.flush();
            log = PartitionLog.open(dir, cfg);
            if (log.logEndOffset !== end) return false;
            if (log.recoveryReport !== null && log.recoveryReport.truncatedBytes !== 0) return false;
          } else {
            const found = log.offsetForTimestamp(op.ts);
            const m = model.find((x) => x.ts >= op.ts);
            if (m === undefined ? found.offset !== end || found.timestamp !== -1 : found.offset !== m.base || found.timestamp !== m.ts) return false;
          }
        }
        return true;
      } finally {
        log.delete();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 60 },
  );
  t.pass();
});
