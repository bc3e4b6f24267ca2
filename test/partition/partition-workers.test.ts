// The worker pool and the worker host together, without the network front-end: real worker threads, real
// rings and real partition logs in a temporary dir, driven through the pool's data-plane and control calls.
import test from 'ava';
import { pino } from 'pino';
import { PartitionWorkerPool } from '../../src/partition/partition-workers.js';
import type { PartitionSpec } from '../../src/partition/partition-actor.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { LATEST_TIMESTAMP } from '../../src/partition/ring-messages.js';
import { readBatchHeader } from '../../src/records/batch.js';
import { simpleBatch } from '../helpers/batch-builder.js';
import { temporaryDir } from '../helpers/broker.js';

const silent = pino({ level: 'silent' });

function spec(dir: string, partitionId: number): PartitionSpec {
  return {
    partitionId,
    topic: 't',
    partition: partitionId,
    dir: `${dir}/t-${partitionId}`,
    segmentBytes: 1024 * 1024,
    segmentMs: 7 * 24 * 3600 * 1000,
    maxMessageBytes: 1024 * 1024,
    flushMessages: Number.MAX_SAFE_INTEGER,
    flushMs: Number.MAX_SAFE_INTEGER,
    retentionMs: -1,
    retentionBytes: -1,
    deleteRetention: true,
    indexIntervalBytes: 4096,
    retentionCheckMs: 300_000,
    logAppendTime: false,
  };
}

test('produce, fetch and list offsets through the rings; replies come back in append order with offsets', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const pool = await PartitionWorkerPool.start(1, silent);
  t.teardown(() => pool.close());
  await pool.control(0, (c) => c.open([spec(dir.path, 1)]));
  const replies = await Promise.all([3, 2, 5].map((n) => pool.produce(0, 1, simpleBatch(n), Date.now(), 1)));
  t.deepEqual(replies.map((r) => [r.errorCode, r.baseOffset, r.logEndOffset]), [
    [0, 0, 3],
    [0, 3, 5],
    [0, 5, 10],
  ]);
  const read = await pool.fetch(0, 1, 3, 1024 * 1024, true);
  t.is(read.errorCode, ErrorCode.NONE);
  t.is(read.logEndOffset, 10);
  t.is(readBatchHeader(read.records!, 0).baseOffset, 3, 'the batch holding offset 3 comes first, base offset patched');
  const latest = await pool.listOffset(0, 1, LATEST_TIMESTAMP);
  t.is(latest.offset, 10);
  t.is((await pool.fetch(0, 1, 11, 100, true)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
});

test('an unknown partition id, a frame larger than the ring and a refused batch get error codes, not exceptions', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const pool = await PartitionWorkerPool.start(1, silent, 1024 * 1024);
  t.teardown(() => pool.close());
  await pool.control(0, (c) => c.open([spec(dir.path, 1)]));
  t.is((await pool.produce(0, 99, simpleBatch(1), Date.now(), 1)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  t.is((await pool.produce(0, 1, simpleBatch(1, { valueBytes: 700 * 1024 }), Date.now(), 1)).errorCode, ErrorCode.MESSAGE_TOO_LARGE);
  const damaged = simpleBatch(2);
  damaged.writeUInt8(damaged.readUInt8(damaged.length - 1) ^ 0xff, damaged.length - 1);
  t.is((await pool.produce(0, 1, damaged, Date.now(), 1)).errorCode, ErrorCode.CORRUPT_MESSAGE);
  t.is((await pool.listOffset(0, 1, LATEST_TIMESTAMP)).offset, 0, 'nothing was appended');
});

test('more bytes than the request ring holds wait in the backlog and all land, in order, across two workers', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const pool = await PartitionWorkerPool.start(2, silent, 256 * 1024);
  t.teardown(() => pool.close());
  await Promise.all([pool.control(0, (c) => c.open([spec(dir.path, 1)])), pool.control(1, (c) => c.open([spec(dir.path, 2)]))]);
  const batches = Array.from({ length: 200 }, () => simpleBatch(4, { valueBytes: 1000 }));
  const replies = await Promise.all(batches.map((b, i) => pool.produce(i % 2, 1 + (i % 2), b, Date.now(), i % 3 === 0 ? -1 : 1)));
  t.true(replies.every((r) => r.errorCode === ErrorCode.NONE));
  for (const worker of [0, 1]) {
    const bases = replies.filter((_, i) => i % 2 === worker).map((r) => r.baseOffset);
    t.deepEqual(bases, bases.map((_, i) => i * 4), `worker ${worker}: offsets in the order the batches were sent`);
  }
  t.true(pool.ringOccupancy(0).capacityBytes >= 256 * 1024);
});

test('a worker that dies fails its pending and later calls with SPATE_WORKER_DIED; the other worker keeps serving', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const pool = await PartitionWorkerPool.start(2, silent);
  t.teardown(() => pool.close());
  await Promise.all([pool.control(0, (c) => c.open([spec(dir.path, 1)])), pool.control(1, (c) => c.open([spec(dir.path, 2)]))]);
  await pool.terminateWorkerForTesting(0);
  await t.throwsAsync(pool.produce(0, 1, simpleBatch(1), Date.now(), 1), { message: /partition worker 0 died/ });
  t.false(pool.isAlive(0));
  t.false(pool.isServing(0));
  t.is((await pool.produce(1, 2, simpleBatch(1), Date.now(), 1)).errorCode, ErrorCode.NONE);
  t.true(pool.isServing(1));
});

test('control calls: DeleteRecords moves the log start and describe reports it; close is idempotent', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const pool = await PartitionWorkerPool.start(1, silent);
  await pool.control(0, (c) => c.open([spec(dir.path, 1)]));
  for (let i = 0; i < 4; i++) await pool.produce(0, 1, simpleBatch(5), Date.now(), -1);
  t.deepEqual(await pool.deleteRecords(0, 1, 12), { errorCode: ErrorCode.NONE, lowWatermark: 12 });
  t.is((await pool.deleteRecords(0, 1, 99)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  t.is((await pool.fetch(0, 1, 5, 1000, true)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE, 'below the new log start');
  const [described] = await pool.control(0, (c) => c.describe([1]));
  t.like(described, { logStartOffset: 12, logEndOffset: 20 });
  await pool.close();
  await pool.close();
  t.pass();
});
