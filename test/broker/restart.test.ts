// Restart durability: a broker stopped with SIGTERM and started again on the same data directory has every
// topic (name, id, partition count, config overrides) and every record (offsets and bytes) it had; a deleted
// topic stays deleted, and its partition directories are gone.
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { startBrokerProcess, temporaryDir, type BrokerProcess } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

const TOPICS: Array<{ name: string; partitions: number; configs: Record<string, string> }> = [
  // Small segments, so the data spans several segment files that must all be found again.
  { name: 'orders', partitions: 3, configs: { 'segment.bytes': '4096', 'retention.ms': '3600000', 'cleanup.policy': 'delete', 'max.message.bytes': '200000' } },
  { name: 'events', partitions: 1, configs: { 'retention.bytes': '10000000', 'message.timestamp.type': 'LogAppendTime' } },
  { name: 'doomed', partitions: 2, configs: { 'retention.ms': '60000' } },
];

interface PartitionSnapshot {
  earliest: number;
  latest: number;
  bytes: string; // hex of every stored batch, in order
}

interface Snapshot {
  topics: Record<string, { id: string; partitions: number }>;
  configs: Record<string, Record<string, string | null>>;
  data: Record<string, PartitionSnapshot>;
}

/** Every stored byte of a partition, fetched from offset 0 to the end (several fetches if needed). */
async function readPartition(client: RawClient, topic: string, partition: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (let guard = 0; guard < 1000; guard++) {
    const data = (await client.fetch(topic, partition, offset, { partitionMaxBytes: 64 * 1024 })).responses[0]!.partitions[0]!;
    if (data.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}@${offset}: error ${data.errorCode}`);
    if (offset >= data.highWatermark) break;
    const records = data.records!;
    let position = 0;
    while (position + 61 <= records.length) {
      const size = 12 + records.readInt32BE(position + 8);
      if (position + size > records.length) break;
      const base = Number(records.readBigInt64BE(position));
      const lastDelta = records.readInt32BE(position + 23);
      chunks.push(records.subarray(position, position + size));
      offset = base + lastDelta + 1;
      position += size;
    }
    if (position === 0) throw new Error(`fetch ${topic}-${partition}@${offset} returned no whole batch`);
  }
  return Buffer.concat(chunks);
}

async function snapshot(port: number, topicNames: string[]): Promise<Snapshot> {
  const client = await RawClient.connect(port);
  try {
    const metadata = await client.metadata(null);
    const topics: Snapshot['topics'] = {};
    for (const t of metadata.topics) topics[t.name!] = { id: t.topicId, partitions: t.partitions.length };
    const configs: Snapshot['configs'] = {};
    const data: Snapshot['data'] = {};
    for (const name of topicNames) {
      const described = (await client.describeTopicConfigs(name)).results[0]!;
      if (described.errorCode !== 0) throw new Error(`describe configs of ${name}: error ${described.errorCode}`);
      // Overrides only (source 1 = topic): what was set at creation must be what is set now.
      configs[name] = Object.fromEntries(described.configs.filter((c) => c.configSource === 1).map((c) => [c.name, c.value]));
      for (let p = 0; p < topics[name]!.partitions; p++) {
        data[`${name}-${p}`] = {
          earliest: await client.offset(name, p, -2),
          latest: await client.offset(name, p, -1),
          bytes: (await readPartition(client, name, p)).toString('hex'),
        };
      }
    }
    return { topics, configs, data };
  } finally {
    await client.close();
  }
}

test('topics, ids, partition counts, configs and data survive a restart; a deleted topic stays deleted', async (t) => {
  const dir = temporaryDir();
  let broker: BrokerProcess | null = await startBrokerProcess(dir.path);
  t.teardown(async () => {
    await broker?.kill();
    dir.remove();
  });

  // ---------------------------------------------------------------- first life: create and produce
  const client = await RawClient.connect(broker.port);
  for (const topic of TOPICS) {
    const created = (await client.createTopic(topic.name, topic.partitions, topic.configs)).topics[0]!;
    t.is(created.errorCode, 0, `create ${topic.name}: ${created.errorMessage}`);
  }
  const expected: Record<string, Buffer[]> = {};
  let seq = 0;
  for (let round = 0; round < 8; round++) {
    for (const topic of TOPICS) {
      for (let p = 0; p < topic.partitions; p++) {
        const records = Array.from({ length: 1 + ((round + p) % 4) }, () => ({
          key: Buffer.from(`k${seq}`),
          value: Buffer.alloc(100 + ((seq * 37) % 900), seq++ & 0xff),
          headers: [['h', Buffer.from(String(seq))]] as Array<[string, Buffer]>,
        }));
        const batch = buildRecordBatch(records, { baseTimestamp: 1_700_000_000_000 + seq });
        const result = (await client.produce(topic.name, { partition: p, records: batch })).responses[0]!.partitionResponses[0]!;
        t.is(result.errorCode, 0);
        (expected[`${topic.name}-${p}`] ??= []).push(batch);
      }
    }
  }
  await client.close();
  const names = TOPICS.map((x) => x.name);
  const before = await snapshot(broker.port, names);
  // Sanity: what we read back is what we produced, offsets assigned in order.
  for (const topic of TOPICS) {
    t.deepEqual(before.configs[topic.name], topic.configs, `${topic.name} configs`);
    t.is(before.topics[topic.name]!.partitions, topic.partitions);
    for (let p = 0; p < topic.partitions; p++) {
      const snap = before.data[`${topic.name}-${p}`]!;
      const batches = expected[`${topic.name}-${p}`]!;
      t.is(snap.earliest, 0);
      t.is(snap.latest, batches.reduce((n, b) => n + b.readInt32BE(57), 0));
      t.is(snap.bytes.length / 2, batches.reduce((n, b) => n + b.length, 0), `${topic.name}-${p} stored size`);
    }
  }
  t.true(readdirSync(join(dir.path, 'orders-0')).filter((f) => f.endsWith('.log')).length > 1, 'orders-0 should span several segments');

  // ---------------------------------------------------------------- second life: everything is back
  t.is(await broker.stop(), 0, 'SIGTERM should stop the broker cleanly');
  broker = await startBrokerProcess(dir.path);
  const after = await snapshot(broker.port, names);
  t.deepEqual(after, before);
  // Appends continue where the log ended.
  const again = await RawClient.connect(broker.port);
  const end = before.data['orders-1']!.latest;
  const appended = (await again.produce('orders', { partition: 1, records: buildRecordBatch([{ value: Buffer.from('after restart') }]) })).responses[0]!.partitionResponses[0]!;
  t.is(appended.errorCode, 0);
  t.is(appended.baseOffset, end);
  // Delete one topic: its directories go at once.
  const deleted = await again.deleteTopics(['doomed']);
  t.is(deleted.responses[0]!.errorCode, 0);
  await again.close();
  for (let p = 0; p < 2; p++) t.false(existsSync(join(dir.path, `doomed-${p}`)), `doomed-${p} still on disk`);
  const afterAppend = await snapshot(broker.port, ['orders', 'events']);

  // ---------------------------------------------------------------- third life: the deletion stuck
  t.is(await broker.stop(), 0);
  broker = await startBrokerProcess(dir.path);
  const third = await snapshot(broker.port, ['orders', 'events']);
  t.false('doomed' in third.topics);
  t.deepEqual(third, afterAppend);
  t.is(third.data['orders-1']!.latest, end + 1);
  const { orders, events } = before.topics;
  t.deepEqual({ orders: third.topics['orders'], events: third.topics['events'] }, { orders, events });
  const probe = await RawClient.connect(broker.port);
  const lookup = await probe.metadata(['doomed'], false);
  t.is(lookup.topics[0]!.errorCode, 3, 'the deleted topic came back');
  await probe.close();
  t.deepEqual(readdirSync(dir.path).filter((f) => f.startsWith('doomed')), []);
  t.is(await broker.stop(), 0);
  broker = null;
});
