// Topic auto-creation through Metadata: on request (allow_auto_topic_creation, v4+) when the broker allows it,
// always for v0-v3 (no flag: the broker setting decides), never with auto.create.topics.enable=false.
// Exercised raw and through the clients' own produce paths (KafkaJS asks for auto-creation by default,
// @platformatic/kafka only with autocreateTopics).
import test, { type ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import { Admin, Producer } from '@platformatic/kafka';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey, type MetadataResponse } from '../../src/protocol/generated/index.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { startTestBroker } from '../helpers/broker.js';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';

const { Kafka, logLevel } = kafkajs;

type Broker = Awaited<ReturnType<typeof startTestBroker>>;

async function setup(t: ExecutionContext, config: Record<string, string | number | boolean>) {
  const broker = await startTestBroker({ config });
  t.teardown(() => broker.close());
  const raw = await RawClient.connect(broker.port, broker.host);
  t.teardown(() => raw.close());
  return { broker, raw };
}

/** Metadata of one topic at an old, flag-less version (v0-v3) or a newer one with the flag. */
function metadataAt(raw: RawClient, version: number, topic: string, allowAutoTopicCreation: boolean): Promise<MetadataResponse> {
  return raw.request<MetadataResponse>(ApiKey.Metadata, version, {
    topics: [{ topicId: ZERO_UUID, name: topic }],
    allowAutoTopicCreation,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
}

async function topicNames(raw: RawClient): Promise<string[]> {
  const all = await raw.metadata(null);
  return all.topics
    .filter((x) => !x.isInternal)
    .map((x) => x.name!)
    .sort();
}

function kafkaJS(broker: Broker) {
  return new Kafka({ clientId: 'auto-create-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 } });
}

test('auto-creation through Metadata when the broker allows it (the default)', async (t) => {
  const { broker, raw } = await setup(t, { 'num.partitions': 3 });

  // v4+ without the flag: nothing is created.
  const notAsked = await metadataAt(raw, 12, 'auto-a', false);
  t.is(notAsked.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  t.deepEqual(await topicNames(raw), []);

  // With the flag: created at once, with a leader for every partition and no error (clients need no retry).
  for (const version of [4, 9, 12]) {
    const name = `auto-v${version}`;
    const response = await metadataAt(raw, version, name, true);
    const topic = response.topics[0]!;
    t.is(topic.errorCode, ErrorCode.NONE, `Metadata v${version}`);
    t.is(topic.partitions.length, 3, 'num.partitions applies');
    t.true(topic.partitions.every((p) => p.errorCode === 0 && p.leaderId === 1));
    if (version >= 10) t.not(topic.topicId, ZERO_UUID, 'a topic id from v10 on');
  }
  // v0-v3 have no flag: the broker setting alone decides.
  t.is((await metadataAt(raw, 0, 'auto-v0', false)).topics[0]!.errorCode, ErrorCode.NONE);
  t.is((await metadataAt(raw, 1, 'auto-v1', false)).topics[0]!.errorCode, ErrorCode.NONE);

  // Asking again returns the same topic (same id), not a second creation.
  const first = (await raw.metadata(['auto-v12'])).topics[0]!;
  const again = (await metadataAt(raw, 12, 'auto-v12', true)).topics[0]!;
  t.is(again.topicId, first.topicId);

  // An invalid name is INVALID_TOPIC_EXCEPTION, not created.
  t.is((await metadataAt(raw, 12, 'bad/name', true)).topics[0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);

  // KafkaJS producers ask for auto-creation by default: producing to a new topic just works.
  const producer = kafkaJS(broker).producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const [sent] = await producer.send({ topic: 'auto-kjs', acks: -1, messages: [{ key: 'k', value: 'created by a produce' }] });
  t.is(sent?.errorCode, 0);

  // @platformatic/kafka only with autocreateTopics.
  const plt = new Producer({ clientId: 'auto-create-plt', bootstrapBrokers: [broker.bootstrap], autocreateTopics: true, retries: 0 });
  t.teardown(() => plt.close());
  const result = await plt.send({ messages: [{ topic: 'auto-plt', key: Buffer.from('k'), value: Buffer.from('v') }], acks: -1 });
  t.is(result.offsets?.[0]?.offset, 0n);

  t.deepEqual(await topicNames(raw), ['auto-kjs', 'auto-plt', 'auto-v0', 'auto-v1', 'auto-v12', 'auto-v4', 'auto-v9']);
  await assertRoundTrip(raw, 'auto-kjs', 2);
});

test('auto.create.topics.enable=false: Metadata never creates a topic', async (t) => {
  const { broker, raw } = await setup(t, { 'auto.create.topics.enable': false });
  for (const version of [0, 1, 4, 9, 12]) {
    const response = await metadataAt(raw, version, `never-v${version}`, true);
    t.is(response.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Metadata v${version}`);
    t.deepEqual(response.topics[0]!.partitions, []);
  }

  // A KafkaJS producer gives up with UNKNOWN_TOPIC_OR_PARTITION.
  const producer = kafkaJS(broker).producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const error = await producer.send({ topic: 'never-kjs', acks: -1, messages: [{ value: 'x' }] }).then(
    () => null,
    (e: unknown) => e as { name: string; message: string; cause?: { type?: string }; type?: string },
  );
  t.truthy(error, 'the produce must fail');
  t.is(error?.name, 'KafkaJSNumberOfRetriesExceeded');
  t.is(error?.cause?.type, 'UNKNOWN_TOPIC_OR_PARTITION', `${error?.name}: ${error?.message}`);

  // So does @platformatic/kafka, even when it asks for auto-creation.
  const plt = new Producer({ clientId: 'auto-create-plt', bootstrapBrokers: [broker.bootstrap], autocreateTopics: true, retries: 0 });
  t.teardown(() => plt.close());
  await t.throwsAsync(plt.send({ messages: [{ topic: 'never-plt', value: Buffer.from('v') }] }));

  t.deepEqual(await topicNames(raw), [], 'nothing was created');

  // Explicit creation still works.
  const admin = new Admin({ clientId: 'auto-create-plt-admin', bootstrapBrokers: [broker.bootstrap] });
  t.teardown(() => admin.close());
  await admin.createTopics({ topics: ['explicit'], partitions: 2, replicas: 1 });
  t.deepEqual(await topicNames(raw), ['explicit']);
  await assertRoundTrip(raw, 'explicit', 1);
});
