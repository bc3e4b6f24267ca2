// What one client writes, another reads: kcat, kafka-python and confluent-kafka in all six directions, each
// on its own broker and 6-partition topic. Consumers alternate between consumer groups (with committed
// offsets checked for the Python clients) and assigned partitions; Python producers alternate between
// explicit partitions and their own key partitioners.
import test, { type ExecutionContext } from 'ava';
import { keyAffinityProblems, verifyConsumed } from '../helpers/messages.js';
import { CLIENTS, confluentKafka, generateFor, interopBroker, offsetProblems, type ClientName } from './drivers.js';

const PARTITIONS = 6;
const COUNT = 2_000;

interface Direction {
  producer: ClientName;
  consumer: ClientName;
  /** Consume through a consumer group (kcat: -G). */
  group: boolean;
  /** Let the producer's partitioner pick partitions (not possible for kcat, which we drive per partition). */
  partitioner: boolean;
  seed: number;
}

async function crossClient(t: ExecutionContext, d: Direction): Promise<void> {
  const producer = CLIENTS[d.producer];
  const consumer = CLIENTS[d.consumer];
  producer.require();
  consumer.require();
  const { broker, dir } = await interopBroker(t);
  const topic = `cross-${d.producer}-${d.consumer}`;
  await confluentKafka.createTopic(broker.bootstrap, topic, PARTITIONS);

  const produced = generateFor(d.producer, { count: COUNT, seed: d.seed, ...(d.partitioner ? {} : { partitions: PARTITIONS }) });
  const from = Date.now();
  await producer.produce(broker.bootstrap, topic, produced, dir);
  const to = Date.now();
  const group = d.group ? `${topic}-group` : undefined;
  const result = await consumer.consume(broker.bootstrap, topic, dir, { count: produced.length, ...(group ? { group } : {}) });

  const report = verifyConsumed(produced, result.messages, { partitions: PARTITIONS, producerTimestampWindow: { from: from - 2_000, to: to + 2_000 } });
  t.deepEqual(report.errors, []);
  if (d.partitioner) t.deepEqual(keyAffinityProblems(result.messages), []);
  t.deepEqual(offsetProblems(result, report.perPartition, d.group && d.consumer !== 'kcat'), []);
}

const directions: Direction[] = [
  { producer: 'kafka-python', consumer: 'kcat', group: false, partitioner: true, seed: 401 },
  { producer: 'kcat', consumer: 'kafka-python', group: true, partitioner: false, seed: 402 },
  { producer: 'kcat', consumer: 'confluent-kafka', group: true, partitioner: false, seed: 403 },
  { producer: 'confluent-kafka', consumer: 'kcat', group: true, partitioner: true, seed: 404 },
  { producer: 'confluent-kafka', consumer: 'kafka-python', group: false, partitioner: false, seed: 405 },
  { producer: 'kafka-python', consumer: 'confluent-kafka', group: false, partitioner: false, seed: 406 },
];

for (const d of directions) {
  const how = [d.group ? 'consumer group' : 'assigned partitions', d.partitioner ? "producer's partitioner" : 'explicit partitions'].join(', ');
  test.serial(`${d.producer} -> ${d.consumer}: ${COUNT} messages (${how})`, crossClient, d);
}
