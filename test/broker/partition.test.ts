// The partition façade alone, over a scripted worker pool: which replies move which offsets, and who is woken.
// The live-broker tests (produce, fetch, list-offsets, retention) show the same through real clients.
import test from 'ava';
import { Partition, type PartitionIo } from '../../src/broker/partition.js';
import type { FetchReply, ListOffsetReply, ProduceReply } from '../../src/partition/partition-workers.js';

function scripted(): { io: PartitionIo; produce: ProduceReply[]; fetch: FetchReply[]; list: ListOffsetReply[]; deleted: number[] } {
  const produce: ProduceReply[] = [];
  const fetch: FetchReply[] = [];
  const list: ListOffsetReply[] = [];
  const deleted: number[] = [];
  const io: PartitionIo = {
    produce: async () => produce.shift()!,
    fetch: async () => fetch.shift()!,
    listOffset: async () => list.shift()!,
    deleteRecords: async (_w, _p, offset) => {
      deleted.push(offset);
      return { errorCode: 0, lowWatermark: offset };
    },
    isServing: () => true,
  };
  return { io, produce, fetch, list, deleted };
}

const address = { id: 7, topic: 't', index: 2, worker: 0, dir: '/nowhere/t-2' };

test('an accepted append moves the log end and the high watermark and wakes each waiting fetch once', async (t) => {
  const s = scripted();
  const partition = new Partition(address, s.io);
  partition.opened(3, 10);
  t.is(partition.name, 't-2');
  t.deepEqual([partition.logStartOffset, partition.logEndOffset, partition.highWatermark], [3, 10, 10]);
  let woken = 0;
  partition.onAppend(() => woken++);
  const cancelled = partition.onAppend(() => t.fail('a cancelled listener ran'));
  cancelled();
  s.produce.push({ errorCode: 0, baseOffset: 10, logStartOffset: 3, logEndOffset: 15 });
  await partition.append(Buffer.alloc(0), 0, 1);
  t.deepEqual([partition.logEndOffset, partition.highWatermark, woken], [15, 15, 1]);
  s.produce.push({ errorCode: 0, baseOffset: 15, logStartOffset: 3, logEndOffset: 16 });
  await partition.append(Buffer.alloc(0), 0, 1);
  t.is(woken, 1, 'a listener is called once, then forgotten');
});

test('a refused append moves nothing but the log start; offsets never move back', async (t) => {
  const s = scripted();
  const partition = new Partition(address, s.io);
  partition.opened(0, 20);
  let woken = false;
  partition.onAppend(() => (woken = true));
  s.produce.push({ errorCode: 87, baseOffset: -1, logStartOffset: 5, logEndOffset: -1 });
  await partition.append(Buffer.alloc(0), 0, -1);
  t.deepEqual([partition.logStartOffset, partition.logEndOffset, woken], [5, 20, false]);
  partition.observeLogStart(2);
  t.is(partition.logStartOffset, 5);
  s.fetch.push({ errorCode: 0, logEndOffset: 18, logStartOffset: 1, records: null });
  await partition.read(5, 100, true);
  t.deepEqual([partition.logStartOffset, partition.logEndOffset], [5, 20]);
});

test('a read that sees a later log end (its produce reply still on the ring) moves the end up; DeleteRecords -1 means the high watermark', async (t) => {
  const s = scripted();
  const partition = new Partition(address, s.io);
  partition.opened(0, 4);
  s.fetch.push({ errorCode: 0, logEndOffset: 9, logStartOffset: 0, records: null });
  await partition.read(4, 100, true);
  t.is(partition.highWatermark, 9);
  await partition.deleteRecords(-1);
  t.deepEqual(s.deleted, [9]);
  t.is(partition.logStartOffset, 9);
  s.list.push({ errorCode: 0, offset: 9, timestamp: -1, logStartOffset: 11 });
  await partition.listOffset(-1);
  t.is(partition.logStartOffset, 11);
});
