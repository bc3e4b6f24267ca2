// Topic administration through real admin clients (KafkaJS 2.2.4 and @platformatic/kafka): create, list,
// describe, delete, grow; and the error codes each client surfaces for invalid names, duplicates, an
// impossible replication factor and validate-only requests. After every rejected request the broker must
// keep serving, which each test proves with a produce/fetch round trip.
import test, { type ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import type { Admin as KafkaJSAdmin, Kafka as KafkaJSKafka } from 'kafkajs';
import { Admin, Consumer, Producer, type MultipleErrors } from '@platformatic/kafka';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey, type CreateTopicsResponse } from '../../src/protocol/generated/index.js';
import { startTestBroker } from '../helpers/broker.js';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';

const { Kafka, logLevel } = kafkajs;

type Broker = Awaited<ReturnType<typeof startTestBroker>>;

const INVALID_NAMES = ['', 'a/b', 'x'.repeat(250), '.', '..'];

/** KafkaJS lists every topic Metadata returns, `__consumer_offsets` (flagged internal) included. */
async function userTopics(admin: KafkaJSAdmin): Promise<string[]> {
  return (await admin.listTopics()).filter((name) => !name.startsWith('__')).sort();
}

async function setup(t: ExecutionContext, config: Record<string, string | number | boolean> = {}) {
  const broker = await startTestBroker({ config });
  t.teardown(() => broker.close());
  const kafka = new Kafka({ clientId: 'admin-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const raw = await RawClient.connect(broker.port, broker.host);
  t.teardown(() => raw.close());
  return { broker, kafka, admin, raw };
}

function platformaticAdmin(t: ExecutionContext, broker: Broker): Admin {
  const admin = new Admin({ clientId: 'admin-test-plt', bootstrapBrokers: [broker.bootstrap], retries: 0 });
  t.teardown(() => admin.close());
  return admin;
}

/** The Kafka error code inside a @platformatic/kafka error (its ProtocolError carries apiCode), or null. */
function findApiCode(error: unknown): number | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { apiCode?: number; errors?: unknown[]; cause?: unknown };
  if (typeof e.apiCode === 'number') return e.apiCode;
  for (const inner of e.errors ?? []) {
    const code = findApiCode(inner);
    if (code !== null) return code;
  }
  return e.cause ? findApiCode(e.cause) : null;
}

interface KafkaJSProtocolErrorShape {
  type: string;
  code: number;
}

/** KafkaJS throws a KafkaJSAggregateError of KafkaJSCreateTopicError (type/code) for failed topic creations. */
async function kafkaJSCreateError(admin: KafkaJSAdmin, topic: string, extra: { numPartitions?: number; replicationFactor?: number; validateOnly?: boolean } = {}): Promise<KafkaJSProtocolErrorShape & { name: string; topic: string }> {
  const { validateOnly, ...spec } = extra;
  try {
    await admin.createTopics({ topics: [{ topic, ...spec }], waitForLeaders: false, ...(validateOnly ? { validateOnly } : {}) });
  } catch (error) {
    const aggregate = error as { name: string; errors?: Array<KafkaJSProtocolErrorShape & { name: string; topic: string }> };
    if (aggregate.name !== 'KafkaJSAggregateError' || aggregate.errors?.length !== 1) throw error;
    return aggregate.errors[0]!;
  }
  throw new Error(`creating ${JSON.stringify(topic)} did not fail`);
}

async function produceAndConsumeKafkaJS(kafka: KafkaJSKafka, topic: string, partition: number, value: string): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    const [result] = await producer.send({ topic, acks: -1, messages: [{ partition, key: 'k', value }] });
    if (result?.errorCode !== 0 || result.partition !== partition) throw new Error(`produce to ${topic}-${partition} failed: ${JSON.stringify(result)}`);
  } finally {
    await producer.disconnect();
  }
}

// ------------------------------------------------------------------ KafkaJS

test('KafkaJS: create, list, describe (metadata) and delete topics', async (t) => {
  const { admin, raw, kafka } = await setup(t);
  t.true(await admin.createTopics({ topics: [{ topic: 'alpha', numPartitions: 3 }, { topic: 'beta', numPartitions: 1 }, { topic: 'gamma' }] }));
  t.deepEqual(await userTopics(admin), ['alpha', 'beta', 'gamma']);

  const { topics } = await admin.fetchTopicMetadata({ topics: ['alpha', 'gamma'] });
  const alpha = topics.find((x) => x.name === 'alpha')!;
  t.deepEqual(
    alpha.partitions.map((p) => ({ id: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr, error: p.partitionErrorCode })).sort((a, b) => a.id - b.id),
    [0, 1, 2].map((id) => ({ id, leader: 1, replicas: [1], isr: [1], error: 0 })),
  );
  t.is(topics.find((x) => x.name === 'gamma')!.partitions.length, 1, 'num.partitions (1) is the default');

  const cluster = await admin.describeCluster();
  t.deepEqual(cluster.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })), [{ nodeId: 1, host: '127.0.0.1', port: raw.socket.remotePort! }]);
  t.is(cluster.controller, 1);
  t.truthy(cluster.clusterId);

  await produceAndConsumeKafkaJS(kafka, 'alpha', 2, 'before delete');
  await admin.deleteTopics({ topics: ['alpha', 'beta'] });
  t.deepEqual(await userTopics(admin), ['gamma']);
  const metadata = await raw.metadata(['alpha']);
  t.is(metadata.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'a deleted topic is gone');
  const deleteAgain = await raw.deleteTopics(['alpha']);
  t.is(deleteAgain.responses[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

  // A topic can be re-created under a deleted name, and starts empty.
  t.true(await admin.createTopics({ topics: [{ topic: 'alpha', numPartitions: 1 }] }));
  t.is(await raw.offset('alpha', 0), 0);
  await assertRoundTrip(raw, 'alpha');
});

test('KafkaJS: invalid topic names get INVALID_TOPIC_EXCEPTION (17) and the broker keeps serving', async (t) => {
  const { admin, raw } = await setup(t);
  for (const name of INVALID_NAMES) {
    const error = await kafkaJSCreateError(admin, name);
    t.is(error.name, 'KafkaJSCreateTopicError', `name ${JSON.stringify(name.slice(0, 20))}`);
    t.is(error.type, 'INVALID_TOPIC_EXCEPTION');
    t.is(error.code, 17);
    t.is(error.topic, name);
  }
  t.deepEqual(await userTopics(admin), [], 'nothing was created');
  t.true(await admin.createTopics({ topics: [{ topic: 'still-serving' }] }));
  await assertRoundTrip(raw, 'still-serving');
  // 249 characters is the longest legal name.
  t.true(await admin.createTopics({ topics: [{ topic: 'y'.repeat(249) }], waitForLeaders: false }));
});

test('KafkaJS: duplicate create is TOPIC_ALREADY_EXISTS (36), which KafkaJS reports as `false`', async (t) => {
  const { admin, raw } = await setup(t);
  t.true(await admin.createTopics({ topics: [{ topic: 'dup', numPartitions: 2 }] }));
  // KafkaJS turns an all-TOPIC_ALREADY_EXISTS answer into a `false` result rather than an error.
  t.false(await admin.createTopics({ topics: [{ topic: 'dup', numPartitions: 5 }] }));
  // The code itself, as the broker sends it:
  const response = await raw.createTopic('dup', 5);
  t.is(response.topics[0]!.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
  t.is(response.topics[0]!.errorCode, 36);
  const metadata = await raw.metadata(['dup']);
  t.is(metadata.topics[0]!.partitions.length, 2, 'the existing topic is untouched');
  await assertRoundTrip(raw, 'dup', 1);
});

test('KafkaJS: replication factor 3 is INVALID_REPLICATION_FACTOR (38)', async (t) => {
  const { admin, raw } = await setup(t);
  const error = await kafkaJSCreateError(admin, 'rf3', { numPartitions: 1, replicationFactor: 3 });
  t.is(error.type, 'INVALID_REPLICATION_FACTOR');
  t.is(error.code, 38);
  // validateOnly reports the same problem.
  const validated = await kafkaJSCreateError(admin, 'rf3', { replicationFactor: 3, validateOnly: true });
  t.is(validated.code, 38);
  t.deepEqual(await userTopics(admin), []);
  t.true(await admin.createTopics({ topics: [{ topic: 'rf1', replicationFactor: 1 }] }));
  await assertRoundTrip(raw, 'rf1');
});

test('validateOnly creates nothing (KafkaJS and raw CreateTopics v7)', async (t) => {
  const { admin, raw } = await setup(t);
  t.true(await admin.createTopics({ topics: [{ topic: 'dry-run', numPartitions: 4 }], validateOnly: true, waitForLeaders: false }));
  t.deepEqual(await userTopics(admin), []);
  t.is((await raw.metadata(['dry-run'])).topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

  const response = await raw.request<CreateTopicsResponse>(ApiKey.CreateTopics, 7, {
    topics: [{ name: 'dry-run', numPartitions: 4, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '60000' }] }],
    timeoutMs: 5000,
    validateOnly: true,
  });
  const result = response.topics[0]!;
  t.is(result.errorCode, ErrorCode.NONE);
  t.is(result.numPartitions, 4, 'validateOnly still reports what would be created');
  t.is(result.configs?.find((c) => c.name === 'retention.ms')?.value, '60000');
  t.deepEqual(await userTopics(admin), []);
  // Invalid settings are still reported under validateOnly.
  const badConfig = await raw.request<CreateTopicsResponse>(ApiKey.CreateTopics, 7, {
    topics: [{ name: 'dry-run', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: 'soon' }] }],
    timeoutMs: 5000,
    validateOnly: true,
  });
  t.is(badConfig.topics[0]!.errorCode, ErrorCode.INVALID_CONFIG);
  // The name is still free.
  t.true(await admin.createTopics({ topics: [{ topic: 'dry-run', numPartitions: 2 }] }));
  t.is((await raw.metadata(['dry-run'])).topics[0]!.partitions.length, 2);
});

test('KafkaJS: CreatePartitions grows a topic and the new partitions take produces', async (t) => {
  const { admin, raw, kafka } = await setup(t);
  t.true(await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 2 }] }));
  await produceAndConsumeKafkaJS(kafka, 'grow', 1, 'old partition');
  await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 5 }] });
  const { topics } = await admin.fetchTopicMetadata({ topics: ['grow'] });
  t.deepEqual(topics[0]!.partitions.map((p) => p.partitionId).sort(), [0, 1, 2, 3, 4]);

  // A fresh producer learns the new partitions from Metadata and writes to the newest one.
  await produceAndConsumeKafkaJS(kafka, 'grow', 4, 'new partition');
  const offsets = await admin.fetchTopicOffsets('grow');
  t.deepEqual(
    offsets.map((o) => [o.partition, o.high]).sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [0, '0'],
      [1, '1'],
      [2, '0'],
      [3, '0'],
      [4, '1'],
    ],
  );
  const fetched = await raw.fetch('grow', 4, 0);
  t.true(fetched.responses[0]!.partitions[0]!.records!.includes(Buffer.from('new partition')));

  // Shrinking or keeping the count is INVALID_PARTITIONS (37); validateOnly changes nothing.
  const shrink = await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 3 }] }).then(
    () => null,
    (error: KafkaJSProtocolErrorShape) => error,
  );
  t.is(shrink?.type, 'INVALID_PARTITIONS');
  t.is(shrink?.code, 37);
  await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 8 }], validateOnly: true });
  t.is((await raw.metadata(['grow'])).topics[0]!.partitions.length, 5);
  await assertRoundTrip(raw, 'grow', 3);
});

// ------------------------------------------------------------------ @platformatic/kafka

test('@platformatic/kafka: create, list, metadata, grow and delete topics', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const admin = platformaticAdmin(t, broker);
  const created = await admin.createTopics({ topics: ['p-one', 'p-two'], partitions: 3, replicas: 1, configs: [{ name: 'cleanup.policy', value: 'compact' }] });
  t.deepEqual(created.map((c) => [c.name, c.partitions, c.replicas]), [
    ['p-one', 3, 1],
    ['p-two', 3, 1],
  ]);
  t.regex(created[0]!.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  t.not(created[0]!.id, '00000000-0000-0000-0000-000000000000');
  t.is(created[0]!.configuration['cleanup.policy'], 'compact');
  t.deepEqual((await admin.listTopics()).sort(), ['p-one', 'p-two']);

  const metadata = await admin.metadata({ topics: ['p-one'] });
  const topic = metadata.topics.get('p-one')!;
  t.is(topic.id, created[0]!.id, 'Metadata v12 returns the topic id CreateTopics returned');
  t.is(topic.partitionsCount, 3);
  t.deepEqual(topic.partitions.map((p) => p.leader), [1, 1, 1]);
  t.deepEqual([...metadata.brokers.keys()], [1]);
  t.is(metadata.controllerId, 1);

  await admin.createPartitions({ topics: [{ name: 'p-one', count: 6 }] });
  const grown = await admin.metadata({ topics: ['p-one'], forceUpdate: true });
  t.is(grown.topics.get('p-one')!.partitionsCount, 6);
  t.is(grown.topics.get('p-one')!.id, created[0]!.id, 'growing keeps the id');

  // Producing to a new partition and reading it back through a group.
  const producer = new Producer({ clientId: 'admin-test-plt-producer', bootstrapBrokers: [broker.bootstrap] });
  t.teardown(() => producer.close());
  const sent = await producer.send({ messages: [{ topic: 'p-one', partition: 5, key: Buffer.from('k'), value: Buffer.from('in partition 5') }], acks: -1 });
  t.deepEqual(sent.offsets, [{ topic: 'p-one', partition: 5, offset: 0n }]);
  const consumer = new Consumer({ clientId: 'admin-test-plt-consumer', groupId: 'admin-test-group', bootstrapBrokers: [broker.bootstrap] });
  t.teardown(() => consumer.close(true));
  const stream = await consumer.consume({ topics: ['p-one'], mode: 'earliest', maxWaitTime: 200 });
  for await (const message of stream) {
    t.is(message.partition, 5);
    t.is(message.value.toString(), 'in partition 5');
    break;
  }
  await stream.close();

  await admin.deleteTopics({ topics: ['p-one'] });
  t.deepEqual(await admin.listTopics(), ['p-two']);
  const raw = await RawClient.connect(broker.port, broker.host);
  t.teardown(() => raw.close());
  await assertRoundTrip(raw, 'p-two', 2);
});

test('@platformatic/kafka: error codes for invalid names, duplicates, replication factor 3 and bad partition counts', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const admin = platformaticAdmin(t, broker);
  const raw = await RawClient.connect(broker.port, broker.host);
  t.teardown(() => raw.close());

  for (const name of INVALID_NAMES) {
    const error = await admin.createTopics({ topics: [name], partitions: 1, replicas: 1 }).then(
      () => null,
      (e: unknown) => e,
    );
    t.truthy(error, `creating ${JSON.stringify(name.slice(0, 20))} must fail`);
    t.is(findApiCode(error), 17, `name ${JSON.stringify(name.slice(0, 20))}: ${String(error)}`);
    t.truthy((error as MultipleErrors).findBy('apiId', 'INVALID_TOPIC_EXCEPTION'));
  }

  await admin.createTopics({ topics: ['exists'], partitions: 1, replicas: 1 });
  const duplicate = await admin.createTopics({ topics: ['exists'], partitions: 1, replicas: 1 }).then(
    () => null,
    (e: unknown) => e,
  );
  t.is(findApiCode(duplicate), 36);
  t.truthy((duplicate as MultipleErrors).findBy('apiId', 'TOPIC_ALREADY_EXISTS'));

  const rf3 = await admin.createTopics({ topics: ['rf3'], partitions: 1, replicas: 3 }).then(
    () => null,
    (e: unknown) => e,
  );
  t.is(findApiCode(rf3), 38);
  t.truthy((rf3 as MultipleErrors).findBy('apiId', 'INVALID_REPLICATION_FACTOR'));

  const shrink = await admin.createPartitions({ topics: [{ name: 'exists', count: 1 }] }).then(
    () => null,
    (e: unknown) => e,
  );
  t.is(findApiCode(shrink), 37);

  const unknownDelete = await admin.deleteTopics({ topics: ['never-existed'] }).then(
    () => null,
    (e: unknown) => e,
  );
  t.is(findApiCode(unknownDelete), 3);

  t.deepEqual(await admin.listTopics(), ['exists']);
  await assertRoundTrip(raw, 'exists');
});
