// Cross-client within Node: KafkaJS produces and @platformatic/kafka consumes, and the other way round, for
// every compression codec: none, gzip (built into both), and snappy, lz4 and zstd (KafkaJS through the
// plug-ins in helpers/kafkajs-codecs.ts; @platformatic/kafka has all of them built in). The broker stores
// batches as the producer wrote them, so each test also checks the codec bits of a stored batch: the
// consumer really had to decode that codec.
import test from 'ava';
import kafkajs from 'kafkajs';
import type { IHeaders, Kafka as KafkaJSKafka, KafkaMessage, Message as KafkaJSMessage } from 'kafkajs';
import { Admin, Consumer, Producer, type CompressionAlgorithmValue, type Message, type MessageToProduce } from '@platformatic/kafka';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestBroker } from '../helpers/broker.js';
import { installKafkaJSCodecs } from '../helpers/kafkajs-codecs.js';
import { type ConsumedMessage, type MessageHeader, type ProducedMessage, expectedPerPartition, generateMessages, verifyConsumed } from '../helpers/messages.js';
import { RawClient } from '../helpers/raw-client.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

installKafkaJSCodecs();

const PARTITIONS = 3;
const COUNT = 1_500;
const CHUNK = 250;
const CONSUME_TIMEOUT_MS = 30_000;

const CODECS = [
  { name: 'none', kafkajs: CompressionTypes.None, platformatic: 'none', id: 0 },
  { name: 'gzip', kafkajs: CompressionTypes.GZIP, platformatic: 'gzip', id: 1 },
  { name: 'snappy', kafkajs: CompressionTypes.Snappy, platformatic: 'snappy', id: 2 },
  { name: 'lz4', kafkajs: CompressionTypes.LZ4, platformatic: 'lz4', id: 3 },
  { name: 'zstd', kafkajs: CompressionTypes.ZSTD, platformatic: 'zstd', id: 4 },
] as const satisfies ReadonlyArray<{ name: string; kafkajs: number; platformatic: CompressionAlgorithmValue; id: number }>;

// ------------------------------------------------------------------ adapters

/**
 * KafkaJS keeps headers in an object (repeated names as an array), so it cannot interleave names, and it
 * cannot write a null header value. Messages that pass through KafkaJS are generated without null header
 * values and have their headers grouped by name (stably), the order KafkaJS writes and reads them in.
 */
function messagesFor(seed: number): ProducedMessage[] {
  return generateMessages({ count: COUNT, seed, partitions: PARTITIONS, nullHeaderValues: false }).map((m) => {
    const names = [...new Set(m.headers.map((h) => h.key))];
    return { ...m, headers: names.flatMap((name) => m.headers.filter((h) => h.key === name)) };
  });
}

function toKafkaJS(m: ProducedMessage): KafkaJSMessage {
  const headers: IHeaders = {};
  for (const h of m.headers) {
    const existing = headers[h.key];
    headers[h.key] = existing === undefined ? h.value! : Array.isArray(existing) ? [...existing, h.value!] : [existing, h.value!];
  }
  return { key: m.key, value: m.value, headers, partition: m.partition!, timestamp: String(m.timestamp) };
}

function fromKafkaJS(partition: number, m: KafkaMessage): ConsumedMessage {
  const headers: MessageHeader[] = [];
  for (const [key, value] of Object.entries(m.headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) headers.push({ key, value: v === null || v === undefined ? null : Buffer.from(v) });
  }
  return { partition, offset: Number(m.offset), key: m.key, value: m.value, headers, timestamp: Number(m.timestamp) };
}

function toPlatformatic(topic: string, m: ProducedMessage): MessageToProduce {
  const headers = new Map<Buffer, Buffer>();
  for (const h of m.headers) headers.set(Buffer.from(h.key, 'utf8'), h.value as Buffer);
  return { topic, key: m.key as Buffer, value: m.value as Buffer, headers, partition: m.partition!, timestamp: BigInt(m.timestamp!) };
}

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

// ------------------------------------------------------------------ producing and consuming

async function produceWithKafkaJS(kafka: KafkaJSKafka, topic: string, messages: ProducedMessage[], compression: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += CHUNK) {
      const results = await producer.send({ topic, acks: -1, compression, messages: messages.slice(i, i + CHUNK).map(toKafkaJS) });
      if (!results.every((r) => r.errorCode === 0)) throw new Error(`KafkaJS produce failed: ${JSON.stringify(results)}`);
    }
  } finally {
    await producer.disconnect();
  }
}

async function consumeWithKafkaJS(kafka: KafkaJSKafka, topic: string, count: number): Promise<ConsumedMessage[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-kafkajs-group`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const consumed: ConsumedMessage[] = [];
    let allIn!: () => void;
    const done = new Promise<void>((resolve) => (allIn = resolve));
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset }) => {
        for (const message of batch.messages) {
          consumed.push(fromKafkaJS(batch.partition, message));
          resolveOffset(message.offset);
        }
        if (consumed.length >= count) allIn();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, CONSUME_TIMEOUT_MS)))]);
    clearTimeout(timer);
    return consumed;
  } finally {
    await consumer.disconnect();
  }
}

async function produceWithPlatformatic(bootstrap: string, topic: string, messages: ProducedMessage[], compression: CompressionAlgorithmValue): Promise<void> {
  const producer = new Producer({ clientId: `${topic}-plt-producer`, bootstrapBrokers: [bootstrap], compression });
  try {
    for (let i = 0; i < messages.length; i += CHUNK) {
      await producer.send({ acks: -1, messages: messages.slice(i, i + CHUNK).map((m) => toPlatformatic(topic, m)) });
    }
  } finally {
    await producer.close();
  }
}

async function consumeWithPlatformatic(bootstrap: string, topic: string, count: number): Promise<ConsumedMessage[]> {
  const consumer = new Consumer({ clientId: `${topic}-plt-consumer`, groupId: `${topic}-plt-group`, bootstrapBrokers: [bootstrap], maxWaitTime: 100 });
  const consumed: ConsumedMessage[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: true });
    const timer = setTimeout(() => stream.destroy(), CONSUME_TIMEOUT_MS);
    try {
      for await (const message of stream) {
        consumed.push(fromPlatformatic(message));
        if (consumed.length >= count) break;
      }
    } catch {
      // destroyed by the timer: return what arrived, the verifier reports the rest
    }
    clearTimeout(timer);
    return consumed;
  } finally {
    await consumer.close(true);
  }
}

/** Codec bits (attributes & 7) of the first stored batch of each partition. */
async function storedCodecs(raw: RawClient, topic: string): Promise<number[]> {
  const codecs: number[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const fetched = await raw.fetch(topic, p, 0, { maxBytes: 1 << 20, partitionMaxBytes: 1 << 20 });
    const data = fetched.responses[0]!.partitions[0]!;
    if (data.errorCode !== ErrorCode.NONE || !data.records || data.records.length < 61) throw new Error(`no stored batch in ${topic}-${p}`);
    codecs.push(data.records.readInt16BE(21) & 7);
  }
  return codecs;
}

// ------------------------------------------------------------------ tests

CODECS.forEach((codec, i) => {
  test(`KafkaJS produces (${codec.name}), @platformatic/kafka consumes through a group`, async (t) => {
    const broker = await startTestBroker();
    t.teardown(() => broker.close());
    const topic = `kjs-to-plt-${codec.name}`;
    const kafka = new Kafka({ clientId: `cross-${topic}`, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = new Admin({ clientId: `${topic}-admin`, bootstrapBrokers: [broker.bootstrap] });
    t.teardown(() => admin.close());
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });

    const produced = messagesFor(100 + i);
    await produceWithKafkaJS(kafka, topic, produced, codec.kafkajs);
    const raw = await RawClient.connect(broker.port, broker.host);
    t.teardown(() => raw.close());
    t.deepEqual(await storedCodecs(raw, topic), Array<number>(PARTITIONS).fill(codec.id), `stored batches are ${codec.name}`);

    const consumed = await consumeWithPlatformatic(broker.bootstrap, topic, produced.length);
    const report = verifyConsumed(produced, consumed, { partitions: PARTITIONS });
    t.deepEqual(report.errors, []);
    t.deepEqual(report.perPartition, expectedPerPartition(produced));
  });

  test(`@platformatic/kafka produces (${codec.name}), KafkaJS consumes through a group`, async (t) => {
    const broker = await startTestBroker();
    t.teardown(() => broker.close());
    const topic = `plt-to-kjs-${codec.name}`;
    const kafka = new Kafka({ clientId: `cross-${topic}`, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    t.true(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] }));

    const produced = messagesFor(200 + i);
    await produceWithPlatformatic(broker.bootstrap, topic, produced, codec.platformatic);
    const raw = await RawClient.connect(broker.port, broker.host);
    t.teardown(() => raw.close());
    t.deepEqual(await storedCodecs(raw, topic), Array<number>(PARTITIONS).fill(codec.id), `stored batches are ${codec.name}`);

    const consumed = await consumeWithKafkaJS(kafka, topic, produced.length);
    const report = verifyConsumed(produced, consumed, { partitions: PARTITIONS });
    t.deepEqual(report.errors, []);
    t.deepEqual(report.perPartition, expectedPerPartition(produced));
  });
});
