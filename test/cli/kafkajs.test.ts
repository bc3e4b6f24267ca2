// The CLI interoperates with KafkaJS: `spate consume` prints exactly what KafkaJS produced, and KafkaJS consumes
// exactly what `spate produce` wrote (keys, values, headers; gzip, since KafkaJS has no zstd codec built in).
import test from 'ava';
import kafkajs from 'kafkajs';
import { startTestBroker } from '../helpers/broker.js';
import { runCli } from './run-cli.js';

const { Kafka, logLevel } = kafkajs;

test('spate consume --max-messages prints exactly the messages KafkaJS produced', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'interop', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'from-kafkajs', numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const values = Array.from({ length: 25 }, (_, i) => `message ${i} ✓`);
  await producer.send({ topic: 'from-kafkajs', messages: values.slice(0, 10).map((value, i) => ({ key: `k${i}`, value })) });
  await producer.send({ topic: 'from-kafkajs', compression: kafkajs.CompressionTypes.GZIP, messages: values.slice(10).map((value) => ({ value })) });
  await producer.disconnect();

  const result = await runCli(['consume', 'from-kafkajs', '--from-beginning', '--max-messages', '25', '--bootstrap', broker.bootstrap]);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout, values.map((v) => `${v}\n`).join(''));

  const json = await runCli(['consume', 'from-kafkajs', '--from-beginning', '--max-messages', '2', '--format', 'json', '--bootstrap', broker.bootstrap]);
  t.deepEqual(
    json.stdout.trim().split('\n').map((l) => {
      const m = JSON.parse(l) as { offset: number; key: string; value: string };
      return [m.offset, m.key, m.value];
    }),
    [[0, 'k0', values[0]], [1, 'k1', values[1]]],
  );
});

test('KafkaJS consumes exactly what spate produce wrote', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap];
  t.is((await runCli(['topics', 'create', 'from-spate', '--partitions', '3', ...b])).code, 0);
  const lines = Array.from({ length: 30 }, (_, i) => `key-${i % 4}\tvalue ${i}`);
  const produced = await runCli(['produce', 'from-spate', '--key-separator', '\t', '--header', 'origin=spate', '--compression', 'gzip', ...b], `${lines.join('\n')}\n`);
  t.is(produced.code, 0, produced.stderr);

  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'interop', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'kjs', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'from-spate', fromBeginning: true });
  const received: Array<{ partition: number; key: string; value: string; origin: string }> = [];
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({ partition, key: message.key!.toString(), value: message.value!.toString(), origin: String(message.headers?.['origin']) });
        if (received.length === lines.length) resolve();
      },
    });
  });
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${received.length} messages arrived`)), 30_000))]);
  t.deepEqual(received.map((r) => `${r.key}\t${r.value}`).sort(), [...lines].sort());
  t.true(received.every((r) => r.origin === 'spate'));
  // Same key, same partition, as KafkaJS's own default partitioner would place it.
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
  for (const r of received) t.is(r.partition, partitioner({ topic: 'from-spate', partitionMetadata, message: { key: r.key, value: r.value } }));
});
