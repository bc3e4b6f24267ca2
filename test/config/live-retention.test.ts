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
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  // Checks ran during the produces too; wait until the log start offset has moved and then stays put for
  // several check intervals (production is over, so one more check settles it).
  const deadline = Date.now() + 20_000;
  let low = (await offsets()).low;
  for (let stable = 0; stable < 5 && Date.now() < deadline; ) {
    await sleep(100);
    const now = (await offsets()).low;
    stable = now === low && Number(now) > 0 ? stable + 1 : 0;
    low = now;
  }
  const { high } = await offsets();
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
  const first = Number(seen[0]);
  t.is(first, Number(low), 'consumption starts at the log start offset');
  t.deepEqual(seen.map(Number), Array.from({ length: 20 - first }, (_, i) => first + i), 'and reads every record after it');
});
