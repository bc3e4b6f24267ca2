// @platformatic/kafka 2.12.1 end to end. This client speaks only flexible versions (Metadata 9-12, Fetch
// 12-17 with topic ids from 13), so this is the test that proves the broker's flexible encodings and topic-id
// fetches: the versions it actually sends are recorded from its diagnostics channel and checked.
// Same round trip as the KafkaJS test: admin-created 6-partition topic, 10,000 deterministic keyed messages
// (binary and null keys/values, headers with null values and repeated names, explicit timestamps) produced
// with acks -1, 1 and 0, consumed back through a consumer group and verified per partition.
import test from 'ava';
import { Admin, Consumer, Producer, connectionsApiChannel, type Message, type MessageToProduce } from '@platformatic/kafka';
import { ApiKey } from '../../src/protocol/generated/index.js';
import { startTestBroker } from '../helpers/broker.js';
import { type ConsumedMessage, type ProducedMessage, describeMessages, expectedPerPartition, generateMessages, verifyConsumed } from '../helpers/messages.js';
import { RawClient } from '../helpers/raw-client.js';

const TOPIC = 'platformatic-round-trip';
const PARTITIONS = 6;
const COUNT = 10_000;
const CHUNK = 500;
const ACKS = [-1, 1, 0] as const;

// ------------------------------------------------------------------ the versions the client sends

/** Every (api key, version) pair any @platformatic/kafka connection in this process sent. */
const sent = new Map<number, Set<number>>();
connectionsApiChannel.start.subscribe((event) => {
  const { apiKey, apiVersion } = event as unknown as { apiKey: number; apiVersion: number };
  let versions = sent.get(apiKey);
  if (!versions) sent.set(apiKey, (versions = new Set()));
  versions.add(apiVersion);
});
const versionsOf = (apiKey: number): number[] => [...(sent.get(apiKey) ?? [])].sort((a, b) => a - b);

// ------------------------------------------------------------------ @platformatic/kafka <-> generated messages

function toPlatformatic(topic: string, m: ProducedMessage): MessageToProduce {
  // Buffer keys compare by identity, so a Map<Buffer, Buffer> can hold one header name twice, in order.
  const headers = new Map<Buffer, Buffer>();
  for (const h of m.headers) headers.set(Buffer.from(h.key, 'utf8'), h.value as Buffer);
  return {
    topic,
    key: m.key as Buffer,
    value: m.value as Buffer,
    headers,
    ...(m.partition !== undefined ? { partition: m.partition } : {}),
    ...(m.timestamp !== undefined ? { timestamp: BigInt(m.timestamp) } : {}),
  };
}

/** The consumer hands null keys, values and header values over as undefined. */
function fromPlatformatic(m: Message): ConsumedMessage {
  return {
    partition: m.partition,
    offset: Number(m.offset),
    key: m.key ?? null,
    value: m.value ?? null,
    headers: m.headerEntries.map(([key, value]) => ({ key: key.toString('utf8'), value: value ?? null })),
    timestamp: Number(m.timestamp),
  };
}

// ------------------------------------------------------------------ test

test('@platformatic/kafka: 10,000 keyed messages with headers and timestamps, acks -1/1/0, round trip through a consumer group (flexible versions, topic-id fetches)', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const options = { bootstrapBrokers: [broker.bootstrap] };

  const admin = new Admin({ clientId: 'plt-interop-admin', ...options });
  t.teardown(() => admin.close());
  const [created] = await admin.createTopics({ topics: [TOPIC], partitions: PARTITIONS, replicas: 1 });
  t.is(created?.partitions, PARTITIONS);

  const produced = generateMessages({ count: COUNT, seed: 7, partitions: PARTITIONS });
  const stats = describeMessages(produced);
  t.log(`messages: ${JSON.stringify(stats)}`);
  for (const key of ['nullKeys', 'emptyKeys', 'binaryKeys', 'nullValues', 'emptyValues', 'binaryValues', 'largeValues', 'withHeaders', 'nullHeaderValues', 'duplicateHeaderNames', 'outOfOrderTimestamps']) {
    t.true(stats[key]! > 0, `the message set exercises ${key}`);
  }

  const producer = new Producer({ clientId: 'plt-interop-producer', ...options });
  t.teardown(() => producer.close());
  const started = Date.now();
  for (let i = 0; i < COUNT; i += CHUNK) {
    const acks = ACKS[(i / CHUNK) % ACKS.length]!;
    const result = await producer.send({ acks, messages: produced.slice(i, i + CHUNK).map((m) => toPlatformatic(TOPIC, m)) });
    if (acks !== 0) t.is(result.offsets?.length, PARTITIONS, `chunk ${i / CHUNK} (acks ${acks}) reached every partition`);
  }
  t.log(`produced ${COUNT} messages in ${Date.now() - started} ms`);

  // acks=0 gets no answer, so wait (bounded) until every message is in the log.
  const raw = await RawClient.connect(broker.port, broker.host);
  t.teardown(() => raw.close());
  const expected = expectedPerPartition(produced);
  const deadline = Date.now() + 20_000;
  let ends: number[] = [];
  for (;;) {
    ends = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => raw.offset(TOPIC, p)));
    if (ends.every((end, p) => end === (expected[p] ?? 0)) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.deepEqual(ends, Array.from({ length: PARTITIONS }, (_, p) => expected[p] ?? 0), 'every message, acks=0 ones included, reached the log');

  const consumer = new Consumer({ clientId: 'plt-interop-consumer', groupId: 'plt-interop-group', maxWaitTime: 100, ...options });
  t.teardown(() => consumer.close(true));
  const stream = await consumer.consume({ topics: [TOPIC], mode: 'committed', fallbackMode: 'earliest', autocommit: true });
  const consumed: ConsumedMessage[] = [];
  const timer = setTimeout(() => stream.destroy(new Error(`consumed only ${consumed.length} of ${COUNT} within 60 s`)), 60_000);
  for await (const message of stream) {
    consumed.push(fromPlatformatic(message));
    if (consumed.length >= COUNT) break;
  }
  clearTimeout(timer);
  t.log(`produced and consumed ${consumed.length} messages in ${Date.now() - started} ms`);

  const report = verifyConsumed(produced, consumed, { partitions: PARTITIONS });
  t.deepEqual(report.errors, []);
  t.deepEqual(report.perPartition, expected);

  // What was negotiated: flexible Metadata with topic ids (>= 10) and Fetch by topic id (>= 13).
  const fetchVersions = versionsOf(ApiKey.Fetch);
  const metadataVersions = versionsOf(ApiKey.Metadata);
  t.log(`versions sent: Fetch ${fetchVersions.join(',')}, Metadata ${metadataVersions.join(',')}, Produce ${versionsOf(ApiKey.Produce).join(',')}, ApiVersions ${versionsOf(ApiKey.ApiVersions).join(',')}, JoinGroup ${versionsOf(ApiKey.JoinGroup).join(',')}, OffsetCommit ${versionsOf(ApiKey.OffsetCommit).join(',')}`);
  t.true(fetchVersions.length > 0 && fetchVersions.every((v) => v >= 13), `Fetch versions ${fetchVersions.join(',')} use topic ids`);
  t.true(metadataVersions.length > 0 && metadataVersions.every((v) => v >= 10), `Metadata versions ${metadataVersions.join(',')} carry topic ids`);
  t.true(versionsOf(ApiKey.Produce).every((v) => v >= 9), 'Produce is flexible too');
});
