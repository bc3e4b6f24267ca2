// Retention runs in a live broker at log.retention.check.interval.ms: a topic's retention.bytes deletes its
// old segments. Regression: a partition worker scheduled its first check before it owned any partition,
// "never" as the interval then stood, so retention did not run at all.
import test from 'ava';
import kafkajs from 'kafkajs';
import { startTestBroker } from '../helpers/broker.js';

const { Kafka, logLevel } = kafkajs;

test("a topic's retention.bytes deletes old segments in a running broker, checked every log.retention.check.interval.ms", async (t) => {
  const broker = await startTestBroker({ config: { 'log.retention.check.interval.ms': 100 } });
  t.teardown(() => broker.close());
  const kafka = new Kafka({ clientId: 'live-retention-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  t.true(
    await admin.createTopics({
      topics: [{ topic: 'bounded', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1024' }, { name: 'retention.bytes', value: '2048' }] }],
    }),
  );
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  for (let i = 0; i < 20; i++) await producer.send({ topic: 'bounded', acks: -1, messages: [{ key: `k${i}`, value: Buffer.alloc(400, i) }] });

  const offsets = async () => (await admin.fetchTopicOffsets('bounded'))[0]!;
  const deadline = Date.now() + 20_000;
  while (Number((await offsets()).low) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const { low, high } = await offsets();
  t.true(Number(low) > 0, 'the oldest segments are gone');
  t.is(Number(high), 20, 'the log end offset is unchanged');
  // What is left is readable from the new log start offset.
  const consumer = kafka.consumer({ groupId: 'live-retention' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'bounded', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.offset);
        if (Number(message.offset) === 19) resolve();
      },
    });
  });
  // Retention may have gone on since `low` was read; the consumer starts at the log start offset then.
  const first = Number(seen[0]);
  t.true(first >= Number(low) && first > 0, `consumption starts past the deleted segments (at ${first})`);
  t.deepEqual(seen.map(Number), Array.from({ length: 20 - first }, (_, i) => first + i), 'and reads every record after it');
});
