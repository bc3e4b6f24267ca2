// A commit counts only once `__consumer_offsets` has accepted it: a commit the offsets topic refuses is
// reported to the client and is never shown by OffsetFetch, before or after a restart.
import test from 'ava';
import { startBrokerProcess, temporaryDir, type BrokerProcess } from '../helpers/broker.js';
import { kafkaClient, produceValues, range, waitFor } from './helpers.js';

// Small enough that a commit with 2000 bytes of metadata (under offset.metadata.max.bytes, 4096) makes a
// record batch the offsets partition refuses with MESSAGE_TOO_LARGE, as a Kafka broker would.
const OVERRIDES = ['--override', 'message.max.bytes=1024'];

test('a commit refused by __consumer_offsets gets INVALID_COMMIT_OFFSET_SIZE and OffsetFetch keeps the previous offset', async (t) => {
  const dir = temporaryDir('spate-groups-commit-');
  let broker: BrokerProcess = await startBrokerProcess(dir.path, OVERRIDES);
  t.teardown(async () => {
    await broker.kill().catch(() => undefined);
    dir.remove();
  });
  const topic = 'payments';
  const groupId = 'ledger';
  const kafka = kafkaClient(broker.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await produceValues(kafka, topic, 1, range('p', 0, 20));

  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
  t.teardown(() => consumer.disconnect());
  let received = 0;
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async () => {
      received++;
    },
  });
  await waitFor('the consumer to join and read', () => joined && received === 20, 30_000);
  const committed = async (): Promise<string> => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions[0]!.offset;

  await consumer.commitOffsets([{ topic, partition: 0, offset: '5' }]);
  t.is(await committed(), '5');

  // KafkaJS's retrier gives up at once on this non-retriable error and rethrows it with the protocol message.
  await t.throwsAsync(consumer.commitOffsets([{ topic, partition: 0, offset: '10', metadata: 'x'.repeat(2000) }]), {
    message: 'The committing offset data size is not valid',
  }, 'INVALID_COMMIT_OFFSET_SIZE: Kafka answers this when the append of a commit is too large');
  t.is(await committed(), '5', 'OffsetFetch does not show the refused commit');

  // The group keeps working: a commit the offsets topic accepts is applied.
  await consumer.commitOffsets([{ topic, partition: 0, offset: '12', metadata: 'ok' }]);
  t.is(await committed(), '12');
  await consumer.disconnect();
  await admin.disconnect();

  t.is(await broker.stop(), 0);
  broker = await startBrokerProcess(dir.path, OVERRIDES);
  const admin2 = kafkaClient(broker.bootstrap).admin();
  await admin2.connect();
  t.teardown(() => admin2.disconnect());
  const afterRestart = (await admin2.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions[0]!;
  t.deepEqual([afterRestart.offset, afterRestart.metadata], ['12', 'ok'], 'the acknowledged commit survives a restart');
});
