// Admin requests that ask for many partitions. One request over max.partitions.per.request, or one that would take
// the broker past max.broker.partitions, is refused with POLICY_VIOLATION and creates nothing. A large create
// that is allowed does not stop the data plane: another producer's acks=-1 requests keep being answered while
// its partitions open, every new partition works, and the broker's file descriptors stay below one per partition.
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey, type CreatePartitionsResponse, type CreateTopicsResponse } from '../../src/protocol/generated/index.js';
import { startBrokerProcess, startTestBroker, temporaryDir } from '../helpers/broker.js';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';

const { Kafka, logLevel } = kafkajs;

function createTopics(raw: RawClient, topics: Array<{ name: string; partitions: number }>, validateOnly = false): Promise<CreateTopicsResponse> {
  return raw.request<CreateTopicsResponse>(ApiKey.CreateTopics, 7, {
    topics: topics.map((t) => ({ name: t.name, numPartitions: t.partitions, replicationFactor: -1, assignments: [], configs: [] })),
    timeoutMs: 60_000,
    validateOnly,
  });
}

function createPartitions(raw: RawClient, topics: Array<{ name: string; count: number }>): Promise<CreatePartitionsResponse> {
  return raw.request<CreatePartitionsResponse>(ApiKey.CreatePartitions, 3, {
    topics: topics.map((t) => ({ name: t.name, count: t.count, assignments: null })),
    timeoutMs: 60_000,
    validateOnly: false,
  });
}

async function partitionCounts(raw: RawClient): Promise<Record<string, number>> {
  return Object.fromEntries((await raw.metadata(null)).topics.map((t) => [t.name!, t.partitions.length]));
}

test('a CreateTopics or CreatePartitions request over max.partitions.per.request gets POLICY_VIOLATION for every topic and creates nothing', async (t) => {
  const broker = await startTestBroker({ config: { 'max.partitions.per.request': 100 } });
  t.teardown(() => broker.close());
  const raw = await RawClient.connect(broker.port);
  t.teardown(() => raw.close());

  for (const validateOnly of [true, false]) {
    const refused = await createTopics(raw, [{ name: 'a', partitions: 60 }, { name: 'b', partitions: 41 }], validateOnly);
    t.deepEqual(refused.topics.map((r) => [r.name, r.errorCode]), [['a', ErrorCode.POLICY_VIOLATION], ['b', ErrorCode.POLICY_VIOLATION]]);
    t.regex(refused.topics[0]!.errorMessage ?? '', /max\.partitions\.per\.request=100/);
  }
  t.deepEqual(await partitionCounts(raw), {});
  // Exactly the cap is allowed.
  const created = await createTopics(raw, [{ name: 'a', partitions: 60 }, { name: 'b', partitions: 40 }]);
  t.deepEqual(created.topics.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.NONE]);

  // CreatePartitions counts the partitions it adds, over the whole request.
  const grown = await createPartitions(raw, [{ name: 'a', count: 120 }, { name: 'b', count: 121 }]);
  t.deepEqual(grown.results.map((r) => [r.name, r.errorCode]), [['a', ErrorCode.POLICY_VIOLATION], ['b', ErrorCode.POLICY_VIOLATION]]);
  t.deepEqual(await partitionCounts(raw), { a: 60, b: 40 });
  t.deepEqual((await createPartitions(raw, [{ name: 'a', count: 160 }])).results[0]!.errorCode, ErrorCode.NONE);

  // What a KafkaJS user sees.
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'limits', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const error = (await t.throwsAsync(admin.createTopics({ topics: [{ topic: 'c', numPartitions: 101 }] }))) as Error & { errors?: Array<{ type: string; code: number }> };
  t.is(error.name, 'KafkaJSAggregateError');
  t.deepEqual(error.errors?.map((e) => [e.type, e.code]), [['POLICY_VIOLATION', ErrorCode.POLICY_VIOLATION]]);
  t.deepEqual(await partitionCounts(raw), { a: 160, b: 40 });
  await assertRoundTrip(raw, 'a', 159);
});

test('a create or grow past max.broker.partitions gets POLICY_VIOLATION; the internal offsets topic is still created', async (t) => {
  const broker = await startTestBroker({ config: { 'max.broker.partitions': 60, 'offsets.topic.num.partitions': 5 } });
  t.teardown(() => broker.close());
  const raw = await RawClient.connect(broker.port);
  t.teardown(() => raw.close());

  t.is((await createTopics(raw, [{ name: 'x', partitions: 50 }])).topics[0]!.errorCode, ErrorCode.NONE);
  const over = (await createTopics(raw, [{ name: 'y', partitions: 11 }])).topics[0]!;
  t.is(over.errorCode, ErrorCode.POLICY_VIOLATION);
  t.regex(over.errorMessage ?? '', /max\.broker\.partitions=60/);
  t.is((await createTopics(raw, [{ name: 'y', partitions: 11 }], true)).topics[0]!.errorCode, ErrorCode.POLICY_VIOLATION);
  t.is((await createTopics(raw, [{ name: 'y', partitions: 10 }])).topics[0]!.errorCode, ErrorCode.NONE);
  t.is((await createPartitions(raw, [{ name: 'x', count: 51 }])).results[0]!.errorCode, ErrorCode.POLICY_VIOLATION);
  // Auto-creation is refused too (the topic stays unknown) ...
  t.is((await raw.metadata(['z'], true)).topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  t.deepEqual(await partitionCounts(raw), { x: 50, y: 10 });

  // ... but committing offsets creates __consumer_offsets: consumer groups must keep working at the cap.
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'limits', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.setOffsets({ groupId: 'g', topic: 'x', partitions: [{ partition: 3, offset: '0' }] });
  t.is((await partitionCounts(raw))['__consumer_offsets'], 5);
  await assertRoundTrip(raw, 'y', 9);
});

test('a CreateTopics of 3,000 partitions does not stop another producer: its acks are answered during the create, every partition works, descriptors stay bounded', async (t) => {
  const PARTITIONS = 3000;
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const broker = await startBrokerProcess(dir.path);
  t.teardown(() => broker.kill());
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'limits', logLevel: logLevel.NOTHING, requestTimeout: 170_000 });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'steady', numPartitions: 1 }] });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'steady', acks: -1, messages: [{ value: 'before' }] });

  let createDone = false;
  // Latencies of the produce requests sent once the new partitions had begun to open (wide-0 is on disk) and
  // answered before the create was: the ones a worker busy opening every partition in one go could not answer.
  const ackedWhileOpening: number[] = [];
  const sent: string[] = ['before'];
  const steadyProducer = (async () => {
    for (let i = 0; !createDone; i++) {
      const opening = existsSync(join(dir.path, 'wide-0'));
      const started = performance.now();
      await producer.send({ topic: 'steady', acks: -1, messages: [{ value: `during-${i}` }] });
      sent.push(`during-${i}`);
      if (opening && !createDone) ackedWhileOpening.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const createStarted = performance.now();
  await admin.createTopics({ topics: [{ topic: 'wide', numPartitions: PARTITIONS }], timeout: 170_000, waitForLeaders: false });
  const createMs = performance.now() - createStarted;
  createDone = true;
  await steadyProducer;
  const sorted = [...ackedWhileOpening].sort((a, b) => a - b);
  t.log(
    `create of ${PARTITIONS} partitions: ${createMs.toFixed(0)} ms; ${sorted.length} acks=-1 produce requests sent and answered while they opened, ` +
      `latency p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`,
  );
  // A worker that opens all 3,000 partitions in one call answers the first such request only when it is done.
  t.true(ackedWhileOpening.length >= 5, `only ${ackedWhileOpening.length} produce requests were answered while the partitions opened`);

  // Every new partition takes an acks=-1 write and gives it back, far more partitions than descriptors held.
  const messages = Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: `p${partition}` }));
  await producer.send({ topic: 'wide', acks: -1, messages });
  const offsets = await admin.fetchTopicOffsets('wide');
  t.is(offsets.length, PARTITIONS);
  t.true(offsets.every((o) => o.high === '1'));
  const descriptors = readdirSync(`/proc/${broker.child.pid!}/fd`).length;
  t.log(`broker file descriptors with ${PARTITIONS + 1} partitions written: ${descriptors}`);
  t.true(descriptors < PARTITIONS, `${descriptors} descriptors open`);

  const raw = await RawClient.connect(broker.port);
  t.teardown(() => raw.close());
  for (const partition of [0, 1234, PARTITIONS - 1]) {
    const fetched = (await raw.fetch('wide', partition, 0)).responses[0]!.partitions[0]!;
    t.true(fetched.records!.includes(Buffer.from(`p${partition}`)), `partition ${partition}`);
  }
  // Deleting it closes and removes the 3,000 partitions (in slices too) and leaves the steady topic serving.
  await admin.deleteTopics({ topics: ['wide'], timeout: 170_000 });
  t.deepEqual(readdirSync(dir.path).filter((name) => name.startsWith('wide-')), []);
  await producer.send({ topic: 'steady', acks: -1, messages: [{ value: 'after delete' }] });
  sent.push('after delete');

  // The steady topic holds every acknowledged record, in order.
  const consumer = kafka.consumer({ groupId: 'steady-reader' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'steady', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length === sent.length) resolve();
      },
    });
  });
  t.deepEqual(seen, sent);
});
