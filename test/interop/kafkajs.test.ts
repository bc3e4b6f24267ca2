// KafkaJS 2.2.4 end to end: an admin-created 6-partition topic, 10,000 deterministic keyed messages (binary
// and null keys/values, headers, explicit and out-of-order CreateTime timestamps) produced with acks -1, 1 and
// 0, then consumed back through a consumer group and checked per partition: order, offsets, bytes, headers,
// timestamps. KafkaJS negotiates Produce v7 / Fetch v11 / Metadata v6 here (non-flexible versions).
import test from 'ava';
import kafkajs from 'kafkajs';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { startTestBroker } from '../helpers/broker.js';
import { type ConsumedMessage, type MessageHeader, type ProducedMessage, describeMessages, expectedPerPartition, generateMessages, verifyConsumed } from '../helpers/messages.js';
import { RawClient } from '../helpers/raw-client.js';

const { Kafka, logLevel } = kafkajs;

const TOPIC = 'kafkajs-round-trip';
const PARTITIONS = 6;
const COUNT = 10_000;
const CHUNK = 500;
const ACKS = [-1, 1, 0] as const;

// ------------------------------------------------------------------ KafkaJS <-> generated messages

/**
 * KafkaJS carries headers as an object: one entry per name, repeated names as an array. It can therefore
 * keep the values of one name in order, but not interleave names. This regroups a message's headers by name
 * (stably, first occurrence first), which is the order KafkaJS writes and reads them in.
 */
function groupHeaders(messages: ProducedMessage[]): ProducedMessage[] {
  return messages.map((m) => {
    const names = [...new Set(m.headers.map((h) => h.key))];
    return { ...m, headers: names.flatMap((name) => m.headers.filter((h) => h.key === name)) };
  });
}

function toKafkaJS(m: ProducedMessage): Message {
  const headers: IHeaders = {};
  for (const h of m.headers) {
    const existing = headers[h.key];
    const value = h.value!;
    headers[h.key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return {
    key: m.key,
    value: m.value,
    headers,
    ...(m.partition !== undefined ? { partition: m.partition } : {}),
    ...(m.timestamp !== undefined ? { timestamp: String(m.timestamp) } : {}),
  };
}

function fromKafkaJS(partition: number, m: KafkaMessage): ConsumedMessage {
  const headers: MessageHeader[] = [];
  for (const [key, value] of Object.entries(m.headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) headers.push({ key, value: v === null || v === undefined ? null : Buffer.from(v) });
  }
  return { partition, offset: Number(m.offset), key: m.key, value: m.value, headers, timestamp: Number(m.timestamp) };
}

// ------------------------------------------------------------------ test

test('KafkaJS: 10,000 keyed messages with headers and timestamps, acks -1/1/0, round trip through a consumer group', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const kafka = new Kafka({ clientId: 'kafkajs-interop', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });

  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  t.true(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] }));

  // KafkaJS cannot write a null header value (it measures every header value with Buffer.byteLength).
  const produced = groupHeaders(generateMessages({ count: COUNT, seed: 42, partitions: PARTITIONS, nullHeaderValues: false }));
  const stats = describeMessages(produced);
  t.log(`messages: ${JSON.stringify(stats)}`);
  for (const key of ['nullKeys', 'emptyKeys', 'binaryKeys', 'nullValues', 'emptyValues', 'binaryValues', 'largeValues', 'withHeaders', 'duplicateHeaderNames', 'outOfOrderTimestamps']) {
    t.true(stats[key]! > 0, `the message set exercises ${key}`);
  }

  // Chunks of 500 in send order, cycling through acks -1, 1 and 0.
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const started = Date.now();
  for (let i = 0; i < COUNT; i += CHUNK) {
    const acks = ACKS[(i / CHUNK) % ACKS.length]!;
    const results = await producer.send({ topic: TOPIC, acks, messages: produced.slice(i, i + CHUNK).map(toKafkaJS) });
    if (acks !== 0) t.true(results.every((r) => r.errorCode === 0), `chunk ${i / CHUNK} (acks ${acks})`);
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

  // Consume through a group until all 10,000 are back (bounded).
  const consumer = kafka.consumer({ groupId: 'kafkajs-interop-group', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const consumed: ConsumedMessage[] = [];
  let allIn!: () => void;
  const done = new Promise<void>((resolve) => (allIn = resolve));
  await consumer.run({
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (const message of batch.messages) {
        consumed.push(fromKafkaJS(batch.partition, message));
        resolveOffset(message.offset);
      }
      await heartbeat();
      if (consumed.length >= COUNT) allIn();
    },
  });
  const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 60_000).unref())]);
  t.false(timedOut, `consumed only ${consumed.length} of ${COUNT} within 60 s`);
  t.log(`produced and consumed ${consumed.length} messages in ${Date.now() - started} ms`);

  const report = verifyConsumed(produced, consumed, { partitions: PARTITIONS });
  t.deepEqual(report.errors, []);
  t.deepEqual(report.perPartition, expected);
});
