// ListOffsets on the wire, where no stock client goes: the earliest-local timestamp (-4) ListOffsets v8 defines
// (Spate advertises v8), a partition named twice in one request, and what an unanswerable partition carries.
// Kafka's KafkaApis.handleListOffsetRequestV1AndAbove and UnifiedLog.fetchOffsetByTimestamp are the reference.
import test, { type ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey, type DeleteRecordsResponse, type ListOffsetsResponse } from '../../src/protocol/generated/index.js';
import { startTestBroker } from '../helpers/broker.js';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';

const { Kafka, logLevel } = kafkajs;

const EARLIEST_LOCAL = -4;

type Broker = Awaited<ReturnType<typeof startTestBroker>>;

async function setup(t: ExecutionContext): Promise<{ broker: Broker; client: RawClient }> {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is((await client.createTopic('events', 2)).topics[0]!.errorCode, ErrorCode.NONE);
  const producer = new Kafka({ clientId: 'list-offsets-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic: 'events', messages: Array.from({ length: 6 }, (_, i) => ({ partition: 0, value: `e${i}` })) });
  await producer.disconnect();
  return { broker, client };
}

function listOffsets(client: RawClient, version: number, partitions: Array<{ partition: number; timestamp: number }>): Promise<ListOffsetsResponse> {
  return client.request<ListOffsetsResponse>(ApiKey.ListOffsets, version, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: 'events', partitions: partitions.map((p) => ({ partitionIndex: p.partition, currentLeaderEpoch: -1, timestamp: p.timestamp, maxNumOffsets: 1 })) }],
  });
}

test('ListOffsets v8 answers earliest-local (-4) with the log start offset; v7 does not know it', async (t) => {
  const { client } = await setup(t);
  const moved = await client.request<DeleteRecordsResponse>(ApiKey.DeleteRecords, 2, { topics: [{ name: 'events', partitions: [{ partitionIndex: 0, offset: 2 }] }], timeoutMs: 10_000 });
  t.is(moved.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);

  const v8 = (await listOffsets(client, 8, [{ partition: 0, timestamp: EARLIEST_LOCAL }])).topics[0]!.partitions[0]!;
  t.like(v8, { errorCode: ErrorCode.NONE, offset: 2, timestamp: -1 });
  t.is(v8.offset, await client.offset('events', 0, -2), 'the same answer as earliest (-2)');

  const v7 = (await listOffsets(client, 7, [{ partition: 0, timestamp: EARLIEST_LOCAL }])).topics[0]!.partitions[0]!;
  t.like(v7, { errorCode: ErrorCode.UNSUPPORTED_VERSION, offset: -1 });
  await assertRoundTrip(client, 'events', 1);
});

test('a partition named twice in one ListOffsets request gets INVALID_REQUEST each time; the others are answered', async (t) => {
  const { client } = await setup(t);
  const answer = (await listOffsets(client, 7, [
    { partition: 0, timestamp: -1 },
    { partition: 1, timestamp: -1 },
    { partition: 0, timestamp: -2 },
  ])).topics[0]!.partitions;
  t.deepEqual(
    answer.map((p) => [p.partitionIndex, p.errorCode, p.offset]),
    [
      [0, ErrorCode.INVALID_REQUEST, -1],
      [1, ErrorCode.NONE, 0],
      [0, ErrorCode.INVALID_REQUEST, -1],
    ],
  );
  t.is(await client.offset('events', 0, -1), 6, 'asked once, partition 0 is answered');
});

test('an unknown partition or a timestamp past every record carries offset, timestamp and leader epoch -1', async (t) => {
  const { client } = await setup(t);
  const [unknown, future, latest] = (await listOffsets(client, 7, [
    { partition: 9, timestamp: -1 },
    { partition: 0, timestamp: Date.now() + 3_600_000 },
    { partition: 1, timestamp: -1 },
  ])).topics[0]!.partitions;
  t.deepEqual({ ...unknown }, { partitionIndex: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 });
  t.deepEqual({ ...future }, { partitionIndex: 0, errorCode: ErrorCode.NONE, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 });
  t.like(latest, { errorCode: ErrorCode.NONE, offset: 0, leaderEpoch: 0 });
});
