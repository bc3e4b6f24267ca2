// DeleteRecords through KafkaJS's admin client (deleteTopicRecords) and raw frames, the way Kafka's
// ReplicaManager.deleteRecordsOnLocalLog and Partition.deleteRecordsOnLeader answer it: never on an internal
// topic (INVALID_TOPIC_EXCEPTION: the committed offsets in __consumer_offsets must survive), never on a topic
// whose cleanup.policy lacks "delete" (POLICY_VIOLATION), and a failed partition reports low watermark -1.
import test from 'ava';
import kafkajs from 'kafkajs';
import type { Admin as KafkaJSAdmin } from 'kafkajs';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey, type DeleteRecordsResponse } from '../../src/protocol/generated/index.js';
import { startBrokerProcess, startTestBroker, temporaryDir, type BrokerProcess } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

const { Kafka, logLevel } = kafkajs;

const OFFSETS_TOPIC = '__consumer_offsets';

function kafkaFor(bootstrap: string): InstanceType<typeof Kafka> {
  return new Kafka({ clientId: 'delete-records-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
}

interface DeleteTopicRecordsError {
  partitions?: Array<{ error?: { type?: string } }>;
  cause?: DeleteTopicRecordsError;
}

/** The Kafka error types in KafkaJS's KafkaJSDeleteTopicRecordsError (its retrier wraps it as the cause). */
function partitionErrorTypes(error: unknown): string[] {
  const e = error as DeleteTopicRecordsError;
  const partitions = e.partitions ?? e.cause?.partitions ?? [];
  return partitions.map((p) => p.error?.type ?? 'unknown');
}

/** KafkaJS's deleteTopicRecords looks leaders up in a metadata cache that only fetchTopicMetadata fills. */
async function deleteTopicRecords(admin: KafkaJSAdmin, topic: string, partitions: Array<{ partition: number; offset: string }>): Promise<void> {
  await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.deleteTopicRecords({ topic, partitions });
}

async function deleteRecordsRaw(client: RawClient, topic: string, partition: number, offset: number): Promise<{ errorCode: number; lowWatermark: number }> {
  const response = await client.request<DeleteRecordsResponse>(ApiKey.DeleteRecords, 2, { topics: [{ name: topic, partitions: [{ partitionIndex: partition, offset }] }], timeoutMs: 10_000 });
  return response.topics[0]!.partitions[0]!;
}

test('DeleteRecords on __consumer_offsets is refused with INVALID_TOPIC_EXCEPTION and committed offsets survive a restart', async (t) => {
  const dir = temporaryDir();
  let broker: BrokerProcess | null = await startBrokerProcess(dir.path, ['--override', 'offsets.topic.num.partitions=3']);
  t.teardown(async () => {
    await broker?.kill();
    dir.remove();
  });
  let admin = kafkaFor(broker.bootstrap).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] });
  const producer = kafkaFor(broker.bootstrap).producer();
  await producer.connect();
  await producer.send({ topic: 'orders', messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `m${i}` })) });
  await producer.disconnect();
  await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '3' }] });

  const everyPartition = [0, 1, 2].map((partition) => ({ partition, offset: '-1' }));
  const refused = await t.throwsAsync(deleteTopicRecords(admin, OFFSETS_TOPIC, everyPartition));
  t.deepEqual(partitionErrorTypes(refused), ['INVALID_TOPIC_EXCEPTION', 'INVALID_TOPIC_EXCEPTION', 'INVALID_TOPIC_EXCEPTION']);
  await admin.disconnect();

  // The commits live in __consumer_offsets and are replayed from its log start at startup.
  t.is(await broker.stop(), 0);
  broker = await startBrokerProcess(dir.path, ['--override', 'offsets.topic.num.partitions=3']);
  admin = kafkaFor(broker.bootstrap).admin();
  await admin.connect();
  const committed = (await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] }))[0]!.partitions;
  t.deepEqual(
    committed.map((p) => ({ partition: p.partition, offset: p.offset })).sort((a, b) => a.partition - b.partition),
    [
      { partition: 0, offset: '4' },
      { partition: 1, offset: '3' },
    ],
  );
  await admin.disconnect();
});

test('DeleteRecords on a topic whose cleanup.policy has no "delete" is refused with POLICY_VIOLATION; compact,delete is allowed', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const kafka = kafkaFor(broker.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      { topic: 'compacted', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: 'both', configEntries: [{ name: 'cleanup.policy', value: 'compact,delete' }] },
    ],
  });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  for (const topic of ['compacted', 'both']) {
    await producer.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ partition: 0, key: `k${i}`, value: `v${i}` })) });
  }

  const refused = await t.throwsAsync(deleteTopicRecords(admin, 'compacted', [{ partition: 0, offset: '3' }]));
  t.deepEqual(partitionErrorTypes(refused), ['POLICY_VIOLATION']);
  t.deepEqual(
    (await admin.fetchTopicOffsets('compacted')).find((p) => p.partition === 0),
    { partition: 0, offset: '6', high: '6', low: '0' },
    'nothing was deleted',
  );

  await deleteTopicRecords(admin, 'both', [{ partition: 0, offset: '3' }]);
  t.is((await admin.fetchTopicOffsets('both')).find((p) => p.partition === 0)!.low, '3');
});

test('a partition DeleteRecords fails for reports low watermark -1, as Kafka does', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is((await client.createTopic('small', 1)).topics[0]!.errorCode, ErrorCode.NONE);
  const kafka = kafkaFor(broker.bootstrap);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'small', messages: [{ value: 'a' }, { value: 'b' }] });
  await producer.disconnect();

  t.deepEqual(await deleteRecordsRaw(client, 'small', 0, 5), { partitionIndex: 0, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 });
  t.deepEqual(await deleteRecordsRaw(client, 'small', 0, -7), { partitionIndex: 0, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 });
  t.deepEqual(await deleteRecordsRaw(client, 'small', 3, 0), { partitionIndex: 3, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, lowWatermark: -1 });
  t.deepEqual(await deleteRecordsRaw(client, 'small', 0, 1), { partitionIndex: 0, errorCode: ErrorCode.NONE, lowWatermark: 1 });
});
