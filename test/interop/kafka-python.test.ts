// kafka-python 2.0.2 (Debian's python3-kafka) against Spate: its admin creates the topic, its producer
// writes, its consumer reads back, once through a consumer group with committed offsets and once with
// manually assigned partitions behind its own (murmur2) key partitioner.
import test from 'ava';
import { describeMessages, keyAffinityProblems, verifyConsumed } from '../helpers/messages.js';
import { generateFor, interopBroker, kafkaPython, offsetProblems } from './drivers.js';

const PARTITIONS = 6;

test.serial('kafka-python: 10,000 keyed messages with headers and timestamps round-trip through a consumer group', async (t) => {
  kafkaPython.require();
  const { broker, dir } = await interopBroker(t);
  await kafkaPython.createTopic(broker.bootstrap, 'kp-roundtrip', PARTITIONS);

  const produced = generateFor('kafka-python', { count: 10_000, seed: 101, partitions: PARTITIONS });
  const shape = describeMessages(produced);
  for (const special of ['nullKeys', 'emptyKeys', 'binaryKeys', 'nullValues', 'emptyValues', 'binaryValues', 'largeValues', 'withHeaders', 'duplicateHeaderNames', 'outOfOrderTimestamps']) {
    t.true(shape[special]! > 0, `the generated set has ${special}`);
  }

  await kafkaPython.produce(broker.bootstrap, 'kp-roundtrip', produced, dir);
  const result = await kafkaPython.consume(broker.bootstrap, 'kp-roundtrip', dir, { count: produced.length, group: 'kp-roundtrip-group' });

  const report = verifyConsumed(produced, result.messages, { partitions: PARTITIONS });
  t.deepEqual(report.errors, []);
  t.is(Object.keys(report.perPartition).length, PARTITIONS, 'every partition got messages');
  t.deepEqual(offsetProblems(result, report.perPartition, true), []);
});

test.serial('kafka-python: its key partitioner keeps per-key order (manual assignment, producer timestamps)', async (t) => {
  kafkaPython.require();
  const { broker, dir } = await interopBroker(t);
  await kafkaPython.createTopic(broker.bootstrap, 'kp-keyed', PARTITIONS);

  // No explicit partitions and no timestamps: kafka-python hashes keys (murmur2) and stamps the send time.
  const produced = generateFor('kafka-python', { count: 2_000, seed: 102, timestamps: false });
  const from = Date.now();
  await kafkaPython.produce(broker.bootstrap, 'kp-keyed', produced, dir);
  const to = Date.now();
  const result = await kafkaPython.consume(broker.bootstrap, 'kp-keyed', dir, { count: produced.length });

  const report = verifyConsumed(produced, result.messages, { partitions: PARTITIONS, producerTimestampWindow: { from: from - 2_000, to: to + 2_000 } });
  t.deepEqual(report.errors, []);
  t.deepEqual(keyAffinityProblems(result.messages), []);
  t.true(Object.keys(report.perPartition).length > 1, 'keys spread over several partitions');
  t.deepEqual(offsetProblems(result, report.perPartition, false), []);
});
