// Spate's client end to end against a live broker: topics and configs, producing and consuming (keys, headers,
// compression, offsets by position and by time), consumer groups with a range assignment, commits, lag, resets.
import test from 'ava';
import { Admin, Cluster, Consumer, Producer, type Message } from '../../src/client/index.js';
import type { KafkaResponseError } from '../../src/client/errors.js';
import { startTestBroker } from '../helpers/broker.js';

async function setup(t: { teardown(fn: () => unknown): void }): Promise<{ cluster: Cluster; admin: Admin }> {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const cluster = await Cluster.connect({ bootstrap: broker.bootstrap });
  t.teardown(() => cluster.close());
  return { cluster, admin: new Admin(cluster) };
}

async function drain(consumer: Consumer, count: number, limitMs = 10_000): Promise<Message[]> {
  const out: Message[] = [];
  const deadline = Date.now() + limitMs;
  while (out.length < count && Date.now() < deadline) out.push(...(await consumer.poll()));
  return out;
}

test('topics: create, list, describe, configs, delete; errors carry Kafka error names', async (t) => {
  const { admin } = await setup(t);
  await admin.createTopics([{ name: 'alpha', partitions: 3, configs: { 'retention.ms': '60000' } }, { name: 'beta', partitions: 1 }]);
  t.deepEqual(await admin.listTopics(), ['alpha', 'beta']);
  const [alpha] = await admin.describeTopics(['alpha']);
  t.deepEqual(alpha!.partitions.map((p) => [p.partition, p.leader, p.replicas]), [[0, 1, [1]], [1, 1, [1]], [2, 1, [1]]]);
  const retention = (await admin.describeConfigs('topic', 'alpha')).find((c) => c.name === 'retention.ms');
  t.like(retention, { value: '60000', source: 'DYNAMIC_TOPIC_CONFIG', isDefault: false });

  await admin.alterTopicConfig('alpha', { set: { 'cleanup.policy': 'compact' }, delete: ['retention.ms'] });
  const after = await admin.describeConfigs('topic', 'alpha');
  t.like(after.find((c) => c.name === 'cleanup.policy'), { value: 'compact', source: 'DYNAMIC_TOPIC_CONFIG' });
  t.not(after.find((c) => c.name === 'retention.ms')?.source, 'DYNAMIC_TOPIC_CONFIG');

  const exists = await t.throwsAsync<KafkaResponseError>(admin.createTopics([{ name: 'alpha', partitions: 1 }]));
  t.is(exists?.code, 'SPATE_KAFKA_ERROR');
  t.is(exists?.errorName, 'TOPIC_ALREADY_EXISTS');
  t.is(exists?.errorCode, 36);

  await admin.deleteTopics(['beta']);
  t.deepEqual(await admin.listTopics(), ['alpha']);
  const missing = await t.throwsAsync<KafkaResponseError>(admin.describeTopics(['beta']));
  t.is(missing?.errorName, 'UNKNOWN_TOPIC_OR_PARTITION');

  const cluster = await admin.describeCluster();
  t.is(cluster.brokers.length, 1);
  t.is(cluster.controllerId, 1);
  t.truthy(cluster.clusterId);
});

test('produce and consume: partitions by key, headers, gzip and zstd, start by offset and by timestamp', async (t) => {
  const { cluster, admin } = await setup(t);
  await admin.createTopics([{ name: 'events', partitions: 3 }]);
  const results = [];
  for (const compression of ['none', 'gzip', 'zstd'] as const) {
    const producer = new Producer(cluster, { acks: -1, compression });
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `key-${i % 5}`, value: `${compression}-${i}`, headers: [{ key: 'codec', value: Buffer.from(compression) }], timestamp: 1_000_000 + i }));
    results.push(...(await producer.send('events', messages)));
  }
  t.is(results.reduce((n, r) => n + r.recordCount, 0), 60);

  const consumer = new Consumer(cluster, { maxWaitMs: 100 });
  consumer.assign([0, 1, 2].map((partition) => ({ topic: 'events', partition, offset: 'earliest' as const })));
  const messages = await drain(consumer, 60);
  t.is(messages.length, 60);
  // Same key, same partition; order within a partition is production order.
  const partitionOfKey = new Map<string, number>();
  for (const m of messages) {
    const key = m.key!.toString();
    t.is(partitionOfKey.get(key) ?? m.partition, m.partition);
    partitionOfKey.set(key, m.partition);
    t.is(m.headers[0]!.key, 'codec');
    t.true(m.value!.toString().startsWith(m.headers[0]!.value!.toString()));
  }
  for (const p of [0, 1, 2]) {
    const offsets = messages.filter((m) => m.partition === p).map((m) => m.offset);
    t.deepEqual(offsets, offsets.map((_, i) => i));
  }
  t.is((await consumer.poll()).length, 0);

  // Start at offset 2 of the partition of key-0, and by timestamp.
  const p0 = partitionOfKey.get('key-0')!;
  const byOffset = new Consumer(cluster, { maxWaitMs: 100 });
  byOffset.assign([{ topic: 'events', partition: p0, offset: 2 }]);
  const fromTwo = await drain(byOffset, 1);
  t.is(fromTwo[0]!.offset, 2);
  const byTime = new Consumer(cluster, { maxWaitMs: 100 });
  byTime.assign([{ topic: 'events', partition: p0, offset: { timestamp: 1_000_015 } }]);
  const fromTime = await drain(byTime, 1);
  // The first record at or after the timestamp; the one before it is older.
  t.true(fromTime[0]!.timestamp >= 1_000_015);
  t.true(messages.find((m) => m.partition === p0 && m.offset === fromTime[0]!.offset - 1)!.timestamp < 1_000_015);

  const unknown = await t.throwsAsync<KafkaResponseError>(new Producer(cluster).send('nope', [{ value: 'x' }]));
  t.is(unknown?.errorName, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.regex(unknown!.message, /topic nope does not exist/);
});

test('acks=0 produces without waiting for a response', async (t) => {
  const { cluster, admin } = await setup(t);
  await admin.createTopics([{ name: 'fire', partitions: 1 }]);
  const [result] = await new Producer(cluster, { acks: 0 }).send('fire', [{ value: 'a' }, { value: 'b' }]);
  t.is(result!.baseOffset, -1);
  const consumer = new Consumer(cluster, { maxWaitMs: 100 });
  consumer.assign([{ topic: 'fire', partition: 0, offset: 'earliest' }]);
  t.deepEqual((await drain(consumer, 2)).map((m) => m.value!.toString()), ['a', 'b']);
});

test('groups: two members split partitions by range, commit, show lag, reset and delete', async (t) => {
  const { cluster, admin } = await setup(t);
  await admin.createTopics([{ name: 'orders', partitions: 4 }]);
  const producer = new Producer(cluster);
  for (let p = 0; p < 4; p++) await producer.send('orders', Array.from({ length: 5 }, (_, i) => ({ partition: p, value: `p${p}-${i}` })));

  const a = new Consumer(cluster, { groupId: 'billing', resetPolicy: 'earliest', maxWaitMs: 100, heartbeatIntervalMs: 200 });
  a.subscribe(['orders']);
  const first = await drain(a, 20);
  t.is(first.length, 20);
  await a.commit();

  // A second member joins: the first sees the rebalance through its heartbeat and rejoins.
  const b = new Consumer(cluster, { groupId: 'billing', resetPolicy: 'earliest', maxWaitMs: 100, heartbeatIntervalMs: 200 });
  b.subscribe(['orders']);
  const bPoll = b.poll();
  bPoll.catch(() => undefined);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    await a.poll();
    const group = await admin.describeGroup('billing');
    if (group.state === 'Stable' && group.members.length === 2) break;
  }
  await bPoll;
  const group = await admin.describeGroup('billing');
  t.is(group.state, 'Stable');
  t.is(group.protocol, 'range');
  const assigned = group.members.map((m) => m.assignment.flatMap((x) => x.partitions)).sort((x, y) => x[0]! - y[0]!);
  t.deepEqual(assigned, [[0, 1], [2, 3]]);
  t.deepEqual(a.positions().length + b.positions().length, 4);

  // b resumed from the offsets a committed: nothing left to read.
  t.is((await b.poll()).length, 0);
  await producer.send('orders', [{ partition: 0, value: 'late' }]);
  const lag = await admin.groupLag('billing');
  t.deepEqual(lag.map((r) => [r.partition, r.committedOffset, r.logEndOffset, r.lag]), [[0, 5, 6, 1], [1, 5, 5, 0], [2, 5, 5, 0], [3, 5, 5, 0]]);
  t.true(lag.every((r) => r.memberId !== null));

  const busy = await t.throwsAsync(admin.resetOffsets('billing', 'orders', 'earliest'));
  t.regex(busy!.message, /active member/);
  await a.close();
  await b.close();
  t.deepEqual((await admin.listGroups()).map((g) => [g.groupId, g.state]), [['billing', 'Empty']]);

  const dry = await admin.resetOffsets('billing', 'orders', { offset: 2 }, { dryRun: true });
  t.deepEqual(dry.map((r) => [r.partition, r.previousOffset, r.newOffset]), [[0, 5, 2], [1, 5, 2], [2, 5, 2], [3, 5, 2]]);
  t.deepEqual((await admin.fetchOffsets('billing')).map((o) => o.offset), [5, 5, 5, 5]);
  await admin.resetOffsets('billing', 'orders', 'earliest');
  t.deepEqual((await admin.fetchOffsets('billing')).map((o) => o.offset), [0, 0, 0, 0]);
  await admin.resetOffsets('billing', 'orders', 'latest');
  t.deepEqual((await admin.fetchOffsets('billing')).map((o) => o.offset), [6, 5, 5, 5]);

  await admin.deleteGroups(['billing']);
  t.deepEqual(await admin.listGroups(), []);
  const gone = await t.throwsAsync<KafkaResponseError>(admin.deleteGroups(['billing']));
  t.is(gone?.code, 'SPATE_KAFKA_ERROR');
});
