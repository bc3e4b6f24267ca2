// `spate/testing` driven the way a test suite uses it: topics declared up front, `await using` to close,
// KafkaJS and @platformatic/kafka as the application's clients, the helpers (create/delete topic, produce,
// readToEnd, waitForGroupStable, reset) and the start, reset and close times (logged, not asserted).
import test from 'ava';
import { existsSync } from 'node:fs';
import kafkajs from 'kafkajs';
import { Consumer as PlatformaticConsumer, Producer as PlatformaticProducer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { startBroker as startPlainBroker } from '../../src/index.js';
import { startBroker } from '../../src/testing/index.js';
import { RawClient } from '../helpers/raw-client.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

async function refuses(port: number): Promise<boolean> {
  return RawClient.connect(port).then(
    async (c) => {
      await c.close();
      return false;
    },
    () => true,
  );
}

test('declared topics exist when startBroker resolves; `await using` closes the broker and removes its data', async (t) => {
  let port = 0;
  let dataDir = '';
  {
    await using broker = await startBroker({ topics: [{ name: 'orders', partitions: 3 }, { name: 'state', partitions: 1, configs: { 'cleanup.policy': 'compact' } }] });
    port = broker.port;
    dataDir = broker.dataDir;
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: ['orders', 'state'] });
    t.deepEqual(metadata.topics.map((m) => [m.name, m.partitions.length]).sort(), [['orders', 3], ['state', 1]]);
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'state', configNames: ['cleanup.policy'] }] });
    t.is(configs.resources[0]!.configEntries[0]!.configValue, 'compact');
    await admin.disconnect();
    t.true(existsSync(dataDir));
  }
  t.true(await refuses(port), 'the broker stopped at the end of the block');
  t.false(existsSync(dataDir), 'its temporary data dir is gone');
});

test("the package entry's startBroker takes topics and supports await using too", async (t) => {
  let port = 0;
  {
    await using broker = await startPlainBroker({ logLevel: 'silent', topics: [{ name: 'plain', partitions: 2 }] });
    port = broker.port;
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    t.deepEqual((await admin.fetchTopicMetadata({ topics: ['plain'] })).topics[0]!.partitions.length, 2);
    await admin.disconnect();
    // close() twice is fine: `await using` calls it again.
    await broker.close();
  }
  t.true(await refuses(port));
  // A topic that cannot be created fails the start, and the broker is not left running.
  await t.throwsAsync(startPlainBroker({ logLevel: 'silent', topics: [{ name: 'bad', configs: { 'cleanup.policy': 'sideways' } }] }), { message: /INVALID_CONFIG/ });
});

test('helpers: produce and readToEnd, createTopic/deleteTopic, waitForGroupStable with KafkaJS members', async (t) => {
  const broker = await startBroker({ topics: [{ name: 'jobs', partitions: 2 }] });
  t.teardown(() => broker.close());
  await broker.produce('jobs', [
    { partition: 0, key: 'a', value: 'one', headers: [{ key: 'h', value: Buffer.from('x') }] },
    { partition: 1, key: null, value: null },
    { partition: 0, key: 'b', value: 'two' },
  ]);
  const read = await broker.readToEnd('jobs');
  t.deepEqual(read.map((m) => [m.partition, m.offset, m.key, m.value, m.headers]), [[0, 0, 'a', 'one', { h: 'x' }], [0, 1, 'b', 'two', {}], [1, 0, null, null, {}]]);
  t.deepEqual((await broker.readToEnd('jobs', { partitions: [1] })).length, 1);

  await broker.createTopic({ name: 'extra', partitions: 4 });
  await broker.createTopic('extra');
  t.deepEqual(await broker.topics(), ['extra', 'jobs']);
  await broker.deleteTopic('extra');
  t.deepEqual(await broker.topics(), ['jobs']);

  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'workers', logLevel: logLevel.NOTHING });
  const members = [kafka.consumer({ groupId: 'workers', maxWaitTimeInMs: 100 }), kafka.consumer({ groupId: 'workers', maxWaitTimeInMs: 100 })];
  for (const c of members) {
    await c.connect();
    await c.subscribe({ topic: 'jobs', fromBeginning: true });
    await c.run({ eachMessage: async () => undefined });
  }
  t.teardown(() => Promise.all(members.map((c) => c.disconnect())));
  const group = await broker.waitForGroupStable('workers', { members: 2 });
  t.is(group.state, 'Stable');
  t.deepEqual(group.members.flatMap((m) => m.assignment.flatMap((a) => a.partitions)).sort(), [0, 1]);
  await t.throwsAsync(broker.waitForGroupStable('workers', { members: 3, timeoutMs: 300 }), { message: /not Stable with 3 members within 300 ms \(last: Stable, 2 members\)/ });
});

test('reset() deletes topics and groups and recreates the declared topics, empty; it refuses while a group has members', async (t) => {
  const started = performance.now();
  const broker = await startBroker({ topics: [{ name: 'orders', partitions: 2 }] });
  const startMs = performance.now() - started;
  t.teardown(() => broker.close());

  const resetTimes: number[] = [];
  for (let round = 0; round < 5; round++) {
    // What one test does: produce with @platformatic/kafka, create a topic of its own, consume in a group.
    const producer = new PlatformaticProducer({ clientId: 'app', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
    await producer.send({ messages: [{ topic: 'orders', key: 'k', value: `round ${round}` }] });
    await producer.close();
    await broker.createTopic(`scratch-${round}`);
    const consumer = new PlatformaticConsumer({ groupId: `g-${round}`, clientId: 'app', bootstrapBrokers: [broker.bootstrap], deserializers: stringDeserializers, maxWaitTime: 100 });
    const stream = await consumer.consume({ topics: ['orders'], mode: 'earliest' });
    const values: string[] = [];
    for await (const message of stream) {
      values.push(message.value);
      await message.commit();
      break;
    }
    t.deepEqual(values, [`round ${round}`], 'every round starts from an empty orders topic');
    await broker.waitForGroupStable(`g-${round}`);
    await t.throwsAsync(broker.reset(), { message: new RegExp(`consumer groups have members: g-${round} \\(Stable\\)`) });
    await stream.close();
    await consumer.close();

    const result = await broker.reset();
    resetTimes.push(result.durationMs);
    t.deepEqual(result.deletedTopics, ['orders', `scratch-${round}`]);
    t.deepEqual(result.deletedGroups, [`g-${round}`]);
    t.deepEqual(await broker.topics(), ['orders']);
    t.deepEqual(await broker.readToEnd('orders'), []);
    t.deepEqual(await broker.committedOffsets(`g-${round}`), []);
  }
  const closing = performance.now();
  await broker.close();
  const closeMs = performance.now() - closing;
  resetTimes.sort((a, b) => a - b);
  t.log(`start ${startMs.toFixed(0)} ms, reset median ${resetTimes[2]!.toFixed(0)} ms (max ${resetTimes[4]!.toFixed(0)} ms), close ${closeMs.toFixed(0)} ms`);
});
