// Long polling: a Fetch parked with max_wait_ms 5000 must be answered as soon as a produce lands, not when the
// wait runs out; and a Fetch whose min_bytes cannot be met waits out max_wait_ms, then returns what there is.
// Measured with a raw protocol client (helpers/raw-client.ts, the generated codecs) so no client batching or scheduling
// blurs the figure, and once more end to end through a KafkaJS consumer group.
import test from 'ava';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import type { Consumer, Producer } from 'kafkajs';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey, type FetchRequest, type FetchResponse } from '../../src/protocol/generated/index.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { startTestBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

const { Kafka, logLevel } = kafkajs;

const FETCH_VERSION = 16;

async function createTopic(client: RawClient, name: string): Promise<string> {
  const result = (await client.createTopic(name, 1)).topics[0]!;
  if (result.errorCode !== ErrorCode.NONE) throw new Error(`create ${name} failed: ${result.errorCode} ${result.errorMessage}`);
  return result.topicId;
}

async function produce(client: RawClient, topic: string, value: Buffer, acks = 1): Promise<number> {
  const response = await client.produce(topic, { partition: 0, records: buildRecordBatch([{ key: null, value }]) }, acks);
  const partition = response.responses[0]!.partitionResponses[0]!;
  if (partition.errorCode !== ErrorCode.NONE) throw new Error(`produce failed: ${partition.errorCode}`);
  return partition.baseOffset;
}

/** Fetch v16: flexible, topics named by id (what @platformatic/kafka sends). */
function fetch(client: RawClient, topicId: string, fetchOffset: number, maxWaitMs: number, minBytes: number): Promise<FetchResponse> {
  return client.request<FetchResponse>(ApiKey.Fetch, FETCH_VERSION, fetchRequest(topicId, fetchOffset, maxWaitMs, minBytes), { timeoutMs: maxWaitMs + 10_000 });
}

function fetchRequest(topicId: string, fetchOffset: number, maxWaitMs: number, minBytes: number): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs,
    minBytes,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: '',
        topicId,
        partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

function onlyPartition(response: FetchResponse) {
  if (response.errorCode !== ErrorCode.NONE) throw new Error(`fetch failed: ${response.errorCode}`);
  return response.responses[0]!.partitions[0]!;
}

/** Record count of every batch in a fetched record set (batch header: recordCount at byte 57). */
function recordCount(records: Buffer | null): number {
  let count = 0;
  let position = 0;
  while (records && position + 61 <= records.length) {
    count += records.readInt32BE(position + 57);
    position += 12 + records.readInt32BE(position + 8);
  }
  return count;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;

// ------------------------------------------------------------------ tests

test('a parked fetch (max_wait_ms 5000) is answered within milliseconds of a produce', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const consumer = await RawClient.connect(broker.port, broker.host);
  const producer = await RawClient.connect(broker.port, broker.host);
  t.teardown(async () => {
    await consumer.close();
    await producer.close();
  });
  const topicId = await createTopic(producer, 'long-poll');

  const SAMPLES = 20;
  const fromAck: number[] = [];
  const fromSend: number[] = [];
  let offset = 0;
  for (let i = 0; i < SAMPLES; i++) {
    let receivedAt = 0;
    const fetchStarted = performance.now();
    const fetched = fetch(consumer, topicId, offset, 5000, 1).then((response) => {
      receivedAt = performance.now();
      return response;
    });
    // Let the fetch reach the broker and park; it must still be waiting when the produce goes out.
    await sleep(20);
    t.is(receivedAt, 0, `sample ${i}: the fetch returned before anything was produced`);
    const sentAt = performance.now();
    const baseOffset = await produce(producer, 'long-poll', Buffer.from(`sample-${i}`));
    const ackedAt = performance.now();
    const partition = onlyPartition(await fetched);
    t.is(baseOffset, offset);
    t.is(partition.errorCode, ErrorCode.NONE);
    t.is(recordCount(partition.records), 1, `sample ${i}: the woken fetch carries the new record`);
    t.true(receivedAt - fetchStarted < 4000, `sample ${i}: the fetch was answered by max_wait_ms, not by the produce`);
    fromAck.push(receivedAt - ackedAt);
    fromSend.push(receivedAt - sentAt);
    offset += 1;
  }
  const medianFromAck = median(fromAck);
  const early = Math.min(...fromAck) < 0 ? ' (a negative figure: the fetch answer arrived before the produce ack)' : '';
  t.log(`produce ack -> fetch receipt over ${SAMPLES} samples: median ${fmt(medianFromAck)}, min ${fmt(Math.min(...fromAck))}, max ${fmt(Math.max(...fromAck))}${early}`);
  t.log(`produce send -> fetch receipt: median ${fmt(median(fromSend))}, max ${fmt(Math.max(...fromSend))}`);
  t.true(medianFromAck < 1000, `median latency ${fmt(medianFromAck)} is not far below max_wait_ms 5000`);
  t.true(median(fromSend) < 1000);
});

test('a fetch whose min_bytes exceeds the available data waits max_wait_ms, then returns what is there', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port, broker.host);
  t.teardown(() => client.close());
  const topicId = await createTopic(client, 'min-bytes');
  await produce(client, 'min-bytes', Buffer.from('small'));
  await produce(client, 'min-bytes', Buffer.from('also small'));

  const MAX_WAIT = 1000;
  const started = performance.now();
  const partition = onlyPartition(await fetch(client, topicId, 0, MAX_WAIT, 1 << 20));
  const elapsed = performance.now() - started;
  t.log(`fetch with min_bytes 1 MiB and max_wait_ms ${MAX_WAIT} returned after ${fmt(elapsed)}`);
  // The broker's deadline is in whole milliseconds; allow for that rounding, nothing more.
  t.true(elapsed >= MAX_WAIT - 5, `returned after ${fmt(elapsed)}, before max_wait_ms`);
  t.true(elapsed < MAX_WAIT + 4000, `returned after ${fmt(elapsed)}, long after max_wait_ms`);
  t.is(partition.errorCode, ErrorCode.NONE);
  t.is(partition.highWatermark, 2);
  t.is(recordCount(partition.records), 2, 'what was there is returned');

  // Nothing at all past the fetch offset: the same wait, then an empty (not null) record set.
  const emptyStarted = performance.now();
  const empty = onlyPartition(await fetch(client, topicId, 2, 300, 1));
  t.true(performance.now() - emptyStarted >= 295);
  t.is(empty.errorCode, ErrorCode.NONE);
  t.is(recordCount(empty.records), 0);
});

// Regression: the log cached its last read plan and append() did not drop it, so a parked fetch re-reading
// the same offset kept getting only the batches of its first read and never reached min_bytes.
test('a fetch waiting for min_bytes returns once enough data has arrived, before max_wait_ms', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const consumer = await RawClient.connect(broker.port, broker.host);
  const producer = await RawClient.connect(broker.port, broker.host);
  t.teardown(async () => {
    await consumer.close();
    await producer.close();
  });
  const topicId = await createTopic(producer, 'min-bytes-met');
  const value = Buffer.alloc(500, 7); // each batch is ~570 bytes
  let receivedAt = 0;
  const started = performance.now();
  const fetched = fetch(consumer, topicId, 0, 3000, 1500).then((r) => {
    receivedAt = performance.now();
    return r;
  });
  await sleep(20);
  await produce(producer, 'min-bytes-met', value);
  await sleep(50);
  t.is(receivedAt, 0, 'one batch is below min_bytes: the fetch keeps waiting');
  await produce(producer, 'min-bytes-met', value);
  await produce(producer, 'min-bytes-met', value);
  const partition = onlyPartition(await fetched);
  t.true(receivedAt - started < 2000, `answered after ${fmt(receivedAt - started)}`);
  t.true(partition.records !== null && partition.records.length >= 1500);
  t.is(recordCount(partition.records), 3);
});

test('KafkaJS consumer in a group (maxWaitTimeInMs 5000) sees a produced message within milliseconds', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const kafka = new Kafka({ clientId: 'long-poll', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'kjs-long-poll', numPartitions: 1 }] });
  await admin.disconnect();

  const producer: Producer = kafka.producer();
  const consumer: Consumer = kafka.consumer({ groupId: 'long-poll-group', maxWaitTimeInMs: 5000, minBytes: 1, sessionTimeout: 30_000 });
  t.teardown(async () => {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: 'kjs-long-poll', fromBeginning: true });
  const arrivals = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  let joined!: () => void;
  const groupJoined = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = message.value!.toString();
      arrivals.set(id, performance.now());
      waiters.get(id)?.();
    },
  });
  await groupJoined;
  // A warm-up message proves the fetch loop is running before timing starts.
  const arrived = (id: string): Promise<void> => (arrivals.has(id) ? Promise.resolve() : new Promise((resolve) => waiters.set(id, resolve)));
  const warmUp = arrived('warm-up');
  await producer.send({ topic: 'kjs-long-poll', acks: 1, messages: [{ value: 'warm-up' }] });
  await warmUp;

  const SAMPLES = 10;
  const latencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    await sleep(30); // the consumer is parked in its next fetch again
    const id = `m${i}`;
    const seen = arrived(id);
    await producer.send({ topic: 'kjs-long-poll', acks: 1, messages: [{ value: id }] });
    const ackedAt = performance.now();
    await seen;
    latencies.push(arrivals.get(id)! - ackedAt);
  }
  const m = median(latencies);
  t.log(`KafkaJS produce ack -> eachMessage over ${SAMPLES} samples: median ${fmt(m)}, max ${fmt(Math.max(...latencies))}`);
  t.true(m < 1000, `median ${fmt(m)}`);
});
