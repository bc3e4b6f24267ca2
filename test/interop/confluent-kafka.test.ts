// confluent-kafka-python 1.7.0 on librdkafka 2.0.2 (Debian's python3-confluent-kafka) against Spate: its
// AdminClient creates the topic, its producer writes, its consumer reads back, once through a consumer
// group with committed offsets and once with manually assigned partitions behind librdkafka's own
// (consistent_random) key partitioner.
import test from 'ava';
import { describeMessages, keyAffinityProblems, verifyConsumed } from '../helpers/messages.js';
import { confluentKafka, generateFor, interopBroker, offsetProblems } from './drivers.js';

const PARTITIONS = 6;

test.serial('confluent-kafka: 10,000 keyed messages with headers and timestamps round-trip through a consumer group', async (t) => {
  confluentKafka.require();
  const { broker, dir } = await interopBroker(t);
  await confluentKafka.createTopic(broker.bootstrap, 'ck-roundtrip', PARTITIONS);

  const produced = generateFor('confluent-kafka', { count: 10_000, seed: 201, partitions: PARTITIONS });
  const shape = describeMessages(produced);
  for (const special of ['nullKeys', 'emptyKeys', 'binaryKeys', 'nullValues', 'emptyValues', 'binaryValues', 'largeValues', 'withHeaders', 'nullHeaderValues', 'duplicateHeaderNames', 'outOfOrderTimestamps']) {
    t.true(shape[special]! > 0, `the generated set has ${special}`);
  }

  await confluentKafka.produce(broker.bootstrap, 'ck-roundtrip', produced, dir);
  const result = await confluentKafka.consume(broker.bootstrap, 'ck-roundtrip', dir, { count: produced.length, group: 'ck-roundtrip-group' });

  const report = verifyConsumed(produced, result.messages, { partitions: PARTITIONS });
  t.deepEqual(report.errors, []);
  t.is(Object.keys(report.perPartition).length, PARTITIONS, 'every partition got messages');
  t.deepEqual(offsetProblems(result, report.perPartition, true), []);
});

test.serial('confluent-kafka: its key partitioner keeps per-key order (manual assignment, producer timestamps)', async (t) => {
  confluentKafka.require();
  const { broker, dir } = await interopBroker(t);
  await confluentKafka.createTopic(broker.bootstrap, 'ck-keyed', PARTITIONS);

  // No explicit partitions and no timestamps: librdkafka hashes keys (CRC32) and stamps the produce time.
  const produced = generateFor('confluent-kafka', { count: 2_000, seed: 202, timestamps: false });
  const from = Date.now();
  await confluentKafka.produce(broker.bootstrap, 'ck-keyed', produced, dir);
  const to = Date.now();
  const result = await confluentKafka.consume(broker.bootstrap, 'ck-keyed', dir, { count: produced.length });

  const report = verifyConsumed(produced, result.messages, { partitions: PARTITIONS, producerTimestampWindow: { from: from - 2_000, to: to + 2_000 } });
  t.deepEqual(report.errors, []);
  t.deepEqual(keyAffinityProblems(result.messages), []);
  t.true(Object.keys(report.perPartition).length > 1, 'keys spread over several partitions');
  t.deepEqual(offsetProblems(result, report.perPartition, false), []);
});
