// Offset expiry and the empty-group sweep (`offsets.retention.check.interval.ms`) at work in a running broker.
// Kafka's properties set the sweep interval in ms but the retention only in whole minutes, so most of this
// file makes offsets expire the way Kafka lets a client ask for it: OffsetCommit v2-4 carry retention_time_ms,
// and such offsets expire that long after their commit. One test waits out offsets.retention.minutes=1.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import type { Admin } from 'kafkajs';
import { startBrokerProcess, temporaryDir, type BrokerProcess } from '../helpers/broker.js';
import { requirePythonModule } from '../helpers/clients.js';
import { kafkaClient, produceValues, range, startInProcessBroker, waitFor } from './helpers.js';

const COMMIT_WITH_RETENTION = fileURLToPath(new URL('../../../test/group/clients/commit_with_retention.py', import.meta.url));
const SWEEP_EVERY_200_MS = ['--override', 'offsets.retention.check.interval.ms=200'];

/** kafka-python sends OffsetCommit v2 for `groupId` with the given retention_time_ms (-1: the broker's). */
async function commitWithRetention(bootstrap: string, groupId: string, topic: string, offset: number, retentionMs: number): Promise<number> {
  const python = requirePythonModule('kafka');
  const { stdout } = await promisify(execFile)(python, [COMMIT_WITH_RETENTION, bootstrap, groupId, topic, '0', String(offset), String(retentionMs)], { timeout: 30_000 });
  return (JSON.parse(stdout) as { error_code: number }).error_code;
}

async function committedOffset(admin: Admin, groupId: string, topic: string): Promise<string> {
  return (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.find((p) => p.partition === 0)!.offset;
}

async function groupIds(admin: Admin): Promise<string[]> {
  return (await admin.listGroups()).groups.map((g) => g.groupId).sort();
}

test('offsets committed with retention_time_ms expire in a running broker, on every sweep, and stay expired after a restart', async (t) => {
  const dir = temporaryDir('spate-groups-expiry-');
  let broker: BrokerProcess = await startBrokerProcess(dir.path, SWEEP_EVERY_200_MS);
  t.teardown(async () => {
    await broker.kill().catch(() => undefined);
    dir.remove();
  });
  const topic = 'ledger';
  let admin = kafkaClient(broker.bootstrap).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });

  // 6 s is long enough for the check right after the commit on a busy machine, short enough to wait out.
  t.is(await commitWithRetention(broker.bootstrap, 'short-lived', topic, 5, 6000), 0);
  t.is(await commitWithRetention(broker.bootstrap, 'kept', topic, 7, -1), 0);
  t.is(await committedOffset(admin, 'short-lived', topic), '5');
  await waitFor('the short-lived offset to expire', async () => (await committedOffset(admin, 'short-lived', topic)) === '-1', 30_000, 100);
  t.is(await committedOffset(admin, 'kept', topic), '7', 'retention_time_ms -1 keeps offsets.retention.minutes (7 days)');
  t.deepEqual(await groupIds(admin), ['kept'], 'the group left without offsets is forgotten');

  // The sweep is re-armed after a run that expired something: a later commit expires too.
  t.is(await commitWithRetention(broker.bootstrap, 'second', topic, 9, 6000), 0);
  t.is(await committedOffset(admin, 'second', topic), '9');
  await waitFor('the second offset to expire', async () => (await committedOffset(admin, 'second', topic)) === '-1', 30_000, 100);

  await admin.disconnect();
  t.is(await broker.stop(), 0);
  broker = await startBrokerProcess(dir.path, SWEEP_EVERY_200_MS);
  admin = kafkaClient(broker.bootstrap).admin();
  await admin.connect();
  t.is(await committedOffset(admin, 'short-lived', topic), '-1', 'expiry is written to __consumer_offsets as tombstones');
  t.is(await committedOffset(admin, 'second', topic), '-1');
  t.is(await committedOffset(admin, 'kept', topic), '7');
});

test('the sweep forgets a consumer group that became empty without committing anything', async (t) => {
  const running = await startInProcessBroker({ 'offsets.retention.check.interval.ms': 200 });
  t.teardown(() => running.close());
  const kafka = kafkaClient(running.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const topic = 'visits';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const consumer = kafka.consumer({ groupId: 'one-off', sessionTimeout: 10_000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
  await waitFor('the consumer to join', () => joined, 30_000);
  t.deepEqual(await groupIds(admin), ['one-off']);
  await consumer.disconnect();
  await waitFor('the empty group to be forgotten', async () => (await groupIds(admin)).length === 0, 30_000, 100);
  t.is((await admin.describeGroups(['one-off'])).groups[0]!.state, 'Dead');
});

test('offsets of a consumer group expire offsets.retention.minutes after the group became empty', async (t) => {
  const running = await startInProcessBroker({ 'offsets.retention.minutes': 1, 'offsets.retention.check.interval.ms': 500 });
  t.teardown(() => running.close());
  const kafka = kafkaClient(running.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const topic = 'orders';
  const groupId = 'billing';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await produceValues(kafka, topic, 1, range('o', 0, 10));
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
  let received = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async () => {
      received++;
    },
  });
  await waitFor('the 10 messages to be consumed and committed', async () => received === 10 && (await committedOffset(admin, groupId, topic)) === '10', 30_000, 100);
  // The group becomes empty while disconnect() runs (LeaveGroup), so not before this moment.
  const leaving = Date.now();
  await consumer.disconnect();
  t.is(await committedOffset(admin, groupId, topic), '10', 'an empty group keeps its offsets for the retention period');
  await waitFor('the offsets to expire', async () => (await committedOffset(admin, groupId, topic)) === '-1', 150_000, 500);
  t.true(Date.now() - leaving >= 60_000, 'not before offsets.retention.minutes since the group became empty');
  t.deepEqual(await groupIds(admin), [], 'and the group is forgotten with them');
});
