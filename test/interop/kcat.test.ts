// kcat 1.7.1 (librdkafka 2.0.2) against Spate: -P with per-message keys and per-invocation headers, -C -J
// reading everything back, -L metadata and -Q offsets by timestamp. kcat cannot create topics, so
// confluent-kafka's AdminClient does that.
import test from 'ava';
import { describeMessages, generateMessages, verifyConsumed, type ProducedMessage } from '../helpers/messages.js';
import { confluentKafka, generateFor, interopBroker, kcat, kcatMetadata, kcatOffsetsForTimes, planKcatRuns } from './drivers.js';

const PARTITIONS = 6;

test.serial('kcat: 10,000 keyed messages with headers round-trip (-P -K -H, -C -J -e)', async (t) => {
  kcat.require();
  confluentKafka.require();
  const { broker, dir } = await interopBroker(t);
  await confluentKafka.createTopic(broker.bootstrap, 'kcat-roundtrip', PARTITIONS);

  const produced = generateFor('kcat', { count: 10_000, seed: 301, partitions: PARTITIONS });
  const shape = describeMessages(produced);
  for (const special of ['nullKeys', 'emptyKeys', 'binaryKeys', 'nullValues', 'emptyValues', 'binaryValues', 'largeValues', 'withHeaders', 'nullHeaderValues', 'duplicateHeaderNames']) {
    t.true(shape[special]! > 0, `the generated set has ${special}`);
  }
  // 4 header segments x 6 partitions; a few more where a segment's null/empty mode forces a split.
  t.true(planKcatRuns(produced).length <= 4 * PARTITIONS * 2, 'kcat runs stay few');

  const from = Date.now();
  await kcat.produce(broker.bootstrap, 'kcat-roundtrip', produced, dir);
  const to = Date.now();
  const result = await kcat.consume(broker.bootstrap, 'kcat-roundtrip', dir, { count: produced.length });

  // kcat cannot set timestamps: librdkafka stamps CreateTime when kcat hands it the message.
  const report = verifyConsumed(produced, result.messages, { partitions: PARTITIONS, producerTimestampWindow: { from: from - 2_000, to: to + 2_000 } });
  t.deepEqual(report.errors, []);
  t.is(Object.keys(report.perPartition).length, PARTITIONS, 'every partition got messages');
});

test.serial('kcat -L: metadata lists the broker and the 6 partitions it leads', async (t) => {
  kcat.require();
  const { broker } = await interopBroker(t);
  await confluentKafka.createTopic(broker.bootstrap, 'kcat-metadata', PARTITIONS);
  await confluentKafka.createTopic(broker.bootstrap, 'kcat-other', 2);

  const all = await kcatMetadata(broker.bootstrap);
  t.is(all.brokers.length, 1);
  const [only] = all.brokers;
  t.is(only!.name, broker.bootstrap);
  t.deepEqual(all.topics.map((x) => x.topic).filter((name) => !name.startsWith('__')).sort(), ['kcat-metadata', 'kcat-other']);

  const one = await kcatMetadata(broker.bootstrap, 'kcat-metadata');
  t.is(one.topics.length, 1);
  const topic = one.topics[0]!;
  t.is(topic.error, undefined);
  t.deepEqual(
    topic.partitions.map((p) => p.partition).sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5],
  );
  for (const p of topic.partitions) {
    t.is(p.leader, only!.id, `partition ${p.partition} is led by the broker`);
    t.deepEqual(p.replicas.map((r) => r.id), [only!.id]);
    t.deepEqual(p.isrs.map((r) => r.id), [only!.id]);
  }
});

/** 40 messages per partition, timestamps 1 s apart (partition p starts p * 100 ms later), explicit partitions. */
function timedMessages(partitions: number, perPartition: number, base: number): ProducedMessage[] {
  const messages = generateMessages({ count: partitions * perPartition, seed: 302, headers: 'none', largeValues: false });
  return messages.map((m, i) => ({ ...m, partition: i % partitions, timestamp: base + Math.floor(i / partitions) * 1_000 + (i % partitions) * 100 }));
}

/** The ListOffsets-by-timestamp answer Kafka gives: the first offset whose timestamp is >= ts, else -1. */
function expectedOffset(messages: readonly ProducedMessage[], partition: number, ts: number): number {
  const inPartition = messages.filter((m) => m.partition === partition);
  return inPartition.findIndex((m) => m.timestamp! >= ts);
}

test.serial('kcat -Q: offsets for timestamps when every message is its own batch', async (t) => {
  kcat.require();
  const { broker, dir } = await interopBroker(t);
  await confluentKafka.createTopic(broker.bootstrap, 'kcat-times', 3);
  const base = 1_650_000_000_000;
  const messages = timedMessages(3, 40, base);
  await confluentKafka.produce(broker.bootstrap, 'kcat-times', messages, dir, { lingerMs: 0, librdkafka: { 'batch.num.messages': '1' } });

  // Exact message timestamps, timestamps between two messages, and one before everything.
  const cases = [
    { partition: 0, timestamp: base },
    { partition: 1, timestamp: base + 17 * 1_000 + 100 },
    { partition: 2, timestamp: base + 25 * 1_000 + 150 },
  ];
  const first = await kcatOffsetsForTimes(broker.bootstrap, 'kcat-times', cases);
  for (const c of cases) t.is(first.get(c.partition), expectedOffset(messages, c.partition, c.timestamp), `partition ${c.partition} at ${c.timestamp}`);
  t.deepEqual(Object.fromEntries(first), { 0: 0, 1: 17, 2: 25 });

  const second = await kcatOffsetsForTimes(broker.bootstrap, 'kcat-times', [
    { partition: 0, timestamp: 1 },
    { partition: 1, timestamp: base + 39 * 1_000 + 100 },
    { partition: 2, timestamp: base + 38 * 1_000 + 201 },
  ]);
  t.deepEqual(Object.fromEntries(second), { 0: 0, 1: 39, 2: 39 });
});

// Regression: ListOffsets by timestamp answered per batch (the base offset of the first batch whose
// maxTimestamp >= ts) where Kafka answers the first record with timestamp >= ts inside that batch, and
// answered the log end offset where Kafka answers -1 when no record is that late.
test.serial('kcat -Q: offsets for timestamps inside multi-message batches, and past the last message', async (t) => {
  kcat.require();
  const { broker, dir } = await interopBroker(t);
  await confluentKafka.createTopic(broker.bootstrap, 'kcat-times-batched', 3);
  const base = 1_650_000_000_000;
  const messages = timedMessages(3, 40, base);
  // One produce request with one batch per partition.
  await confluentKafka.produce(broker.bootstrap, 'kcat-times-batched', messages, dir, { lingerMs: 200 });

  const cases = [
    { partition: 0, timestamp: base + 10 * 1_000 },
    { partition: 1, timestamp: base + 17 * 1_000 + 100 },
    { partition: 2, timestamp: base + 25 * 1_000 + 150 },
  ];
  const found = await kcatOffsetsForTimes(broker.bootstrap, 'kcat-times-batched', cases);
  t.deepEqual(Object.fromEntries(found), { 0: 10, 1: 17, 2: 25 });

  const late = await kcatOffsetsForTimes(broker.bootstrap, 'kcat-times-batched', [{ partition: 0, timestamp: base + 3_600_000 }]);
  t.is(late.get(0), -1, 'no message at or after the timestamp: -1, as Kafka answers');
});

// Regression: message.timestamp.type=LogAppendTime was accepted but ignored; batches kept the producer's CreateTime.
test.serial('kcat: a LogAppendTime topic serves the broker append time', async (t) => {
  kcat.require();
  const { broker, dir } = await interopBroker(t);
  await confluentKafka.createTopic(broker.bootstrap, 'kcat-log-append', 2, { 'message.timestamp.type': 'LogAppendTime' });
  const produced = generateFor('confluent-kafka', { count: 200, seed: 303, partitions: 2, timestamps: { base: 1_000_000_000_000 } });
  const from = Date.now();
  await confluentKafka.produce(broker.bootstrap, 'kcat-log-append', produced, dir);
  const to = Date.now();
  const result = await kcat.consume(broker.bootstrap, 'kcat-log-append', dir, { count: produced.length });
  const report = verifyConsumed(produced, result.messages, { partitions: 2, timestampType: 'log-append' });
  t.deepEqual(report.errors, []);
  for (const m of result.messages) {
    if (!(m.timestamp >= from - 2_000 && m.timestamp <= to + 2_000)) {
      t.fail(`partition ${m.partition} offset ${m.offset}: timestamp ${m.timestamp} is not the append time (${from}..${to})`);
      return;
    }
  }
});
