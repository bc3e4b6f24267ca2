// Retention in a running broker: retention.ms and retention.bytes delete whole sealed segments every
// log.retention.check.interval.ms, in a live broker and after a restart, and a deletion that fails is logged and
// counted, then retried. The issue: the worker computed its next retention check before any partition was open,
// so no check ever ran.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startBrokerProcess, startTestBroker, temporaryDir } from '../helpers/broker.js';
import { waitForLogLine } from '../helpers/raw-client.js';
import { scrape } from '../metrics/scrape.js';
import { waitFor } from '../helpers/wait.js';

const CHECK_EVERY_SECOND = { 'log.retention.check.interval.ms': 1000 };
const VALUE = Buffer.alloc(1000, 0x61);

function logFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.log')).sort();
}

function logBytes(dir: string): number {
  return logFiles(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({ brokers: [bootstrap], clientId: 'retention-test', logLevel: logLevel.NOTHING, retry: { retries: 2 } });
}

async function createTopic(kafka: Kafka, topic: string, configs: Record<string, string>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
  } finally {
    await admin.disconnect();
  }
}

/** `count` messages of 1000 bytes, one batch each, with KafkaJS (acks=1). */
async function produce(kafka: Kafka, topic: string, count: number): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < count; i++) await producer.send({ topic, acks: 1, messages: [{ key: `k${i}`, value: VALUE }] });
  } finally {
    await producer.disconnect();
  }
}

/** ListOffsets earliest and latest through KafkaJS. */
async function offsets(admin: Admin, topic: string): Promise<{ low: number; high: number }> {
  const [p] = await admin.fetchTopicOffsets(topic);
  return { low: Number(p!.low), high: Number(p!.high) };
}

async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

test('retention.ms deletes expired sealed segments in a running broker and after a restart', async (t) => {
  t.timeout(120_000);
  const data = temporaryDir('spate-retention-ms-');
  t.teardown(() => data.remove());
  let broker = await startTestBroker({ dataDir: data.path, config: CHECK_EVERY_SECOND });
  t.teardown(() => broker.close());
  let kafka = kafkaFor(broker.bootstrap);
  await createTopic(kafka, 'timed', { 'retention.ms': '2000', 'segment.bytes': '4096' });
  const dir = join(data.path, 'timed-0');
  await produce(kafka, 'timed', 10);
  t.true(logFiles(dir).length >= 3, `segments: ${logFiles(dir).join(', ')}`);

  // Every sealed segment expires 2 s after its records were written; only the active one stays.
  const kept = await waitFor(
    'the expired segments to be deleted',
    () => (logFiles(dir).length === 1 ? logFiles(dir)[0] : undefined),
    20_000,
    100,
    () => logFiles(dir),
  );
  const moved = await withAdmin(kafka, (admin) => offsets(admin, 'timed'));
  t.is(moved.high, 10);
  t.is(moved.low, Number(kept.slice(0, 20)), 'ListOffsets earliest is the base offset of the segment left');
  t.true(moved.low > 0);

  // Segments written just before a restart expire in the restarted broker.
  await createTopic(kafka, 'restarted', { 'retention.ms': '5000', 'segment.bytes': '4096' });
  await produce(kafka, 'restarted', 10);
  await broker.close();
  const restartedDir = join(data.path, 'restarted-0');
  t.true(logFiles(restartedDir).length >= 3, `before the restart: ${logFiles(restartedDir).join(', ')}`);
  broker = await startTestBroker({ dataDir: data.path, config: CHECK_EVERY_SECOND });
  kafka = kafkaFor(broker.bootstrap);
  await waitFor('the restarted broker to delete expired segments', () => (logFiles(restartedDir).length === 1 ? true : undefined), 30_000, 100, () =>
    logFiles(restartedDir),
  );
  const after = await withAdmin(kafka, (admin) => offsets(admin, 'restarted'));
  t.is(after.high, 10);
  t.true(after.low > 0, `earliest ${after.low}`);
});

test('retention.bytes deletes the oldest segments down to the limit, and again after a restart', async (t) => {
  t.timeout(120_000);
  const data = temporaryDir('spate-retention-bytes-');
  t.teardown(() => data.remove());
  let broker = await startTestBroker({ dataDir: data.path, config: CHECK_EVERY_SECOND });
  t.teardown(() => broker.close());
  let kafka = kafkaFor(broker.bootstrap);
  const limit = 6000;
  const segmentBytes = 4096;
  await createTopic(kafka, 'sized', { 'retention.bytes': String(limit), 'segment.bytes': String(segmentBytes) });
  const dir = join(data.path, 'sized-0');
  await produce(kafka, 'sized', 20);
  t.true(logBytes(dir) > limit + segmentBytes, `${logBytes(dir)} bytes written`);

  // Kafka's rule: the oldest segment goes while the log without it is still at least retention.bytes.
  const fits = (): true | undefined => (logBytes(dir) < limit + segmentBytes ? true : undefined);
  await waitFor('the log to shrink to retention.bytes', fits, 20_000, 100, () => ({ bytes: logBytes(dir), files: logFiles(dir) }));
  const first = await withAdmin(kafka, (admin) => offsets(admin, 'sized'));
  t.is(first.high, 20);
  t.is(first.low, Number(logFiles(dir)[0]!.slice(0, 20)));
  t.true(first.low > 0);

  await broker.close();
  broker = await startTestBroker({ dataDir: data.path, config: CHECK_EVERY_SECOND });
  kafka = kafkaFor(broker.bootstrap);
  await produce(kafka, 'sized', 20);
  await waitFor('the restarted broker to apply retention.bytes', fits, 20_000, 100, () => ({ bytes: logBytes(dir), files: logFiles(dir) }));
  const second = await withAdmin(kafka, (admin) => offsets(admin, 'sized'));
  t.is(second.high, 40);
  t.true(second.low > first.low, `earliest ${second.low} after ${first.low}`);
});

test('a segment retention cannot delete is logged and counted, kept readable, and deleted once it can be', async (t) => {
  t.timeout(120_000);
  const data = temporaryDir('spate-retention-failure-');
  let immutable: string | null = null;
  t.teardown(() => {
    if (immutable) execFileSync('chattr', ['-i', immutable]);
    data.remove();
  });
  const broker = await startBrokerProcess(data.path, ['--override', 'log.retention.check.interval.ms=1000', '--metrics-port', '0']);
  t.teardown(() => broker.kill());
  const started = await waitForLogLine(broker.logs, (line) => line.msg === 'broker started');
  const metricsPort = Number(new URL(String(started.metrics)).port);
  const kafka = kafkaFor(broker.bootstrap);
  await createTopic(kafka, 'stuck', { 'retention.ms': '2000', 'segment.bytes': '4096' });
  await produce(kafka, 'stuck', 10);
  const dir = join(data.path, 'stuck-0');
  const oldest = join(dir, logFiles(dir)[0]!);
  // Even root cannot unlink an immutable file: the retention delete fails with EPERM.
  execFileSync('chattr', ['+i', oldest]);
  immutable = oldest;

  const line = await waitForLogLine(broker.logs, (l) => l.operation === 'retention' && l.code === 'EPERM', 20_000);
  t.is(line.partition, 'stuck-0');
  t.is(line.level, 50, 'logged as an error');
  const counted = await scrape(metricsPort);
  t.true(counted.sum('spate_storage_errors_total', { operation: 'retention' }) >= 1);
  // Nothing behind the stuck segment was deleted out of order, and its records are still served.
  t.is(join(dir, logFiles(dir)[0]!), oldest);
  t.is((await withAdmin(kafka, (admin) => offsets(admin, 'stuck'))).low, 0);

  execFileSync('chattr', ['-i', oldest]);
  immutable = null;
  await waitFor('the retried deletion', () => (logFiles(dir).length === 1 ? true : undefined), 20_000, 100, () => logFiles(dir));
  t.true((await withAdmin(kafka, (admin) => offsets(admin, 'stuck'))).low > 0);
  // One failure repeated every second is a handful of lines, not one per check.
  const lines = broker.logs.filter((l) => l.includes('"operation":"retention"')).length;
  t.true(lines >= 1 && lines <= 10, `${lines} retention error lines`);
});

test('a compact-only topic keeps its segments whatever retention.ms says (Kafka deletes only under cleanup.policy delete)', async (t) => {
  t.timeout(120_000);
  const broker = await startTestBroker({ config: CHECK_EVERY_SECOND });
  t.teardown(() => broker.close());
  const kafka = kafkaFor(broker.bootstrap);
  await createTopic(kafka, 'compacted', { 'cleanup.policy': 'compact', 'retention.ms': '2000', 'segment.bytes': '4096' });
  await createTopic(kafka, 'deleted', { 'cleanup.policy': 'delete', 'retention.ms': '2000', 'segment.bytes': '4096' });
  // The compacted topic's records are the older ones: whatever check deletes the other topic's segments found
  // these expired too.
  await produce(kafka, 'compacted', 10);
  await produce(kafka, 'deleted', 10);
  const compacted = join(broker.dataDir, 'compacted-0');
  const before = logFiles(compacted);
  t.true(before.length >= 3);
  const deleted = join(broker.dataDir, 'deleted-0');
  await waitFor('retention to run on the delete topic', () => (logFiles(deleted).length === 1 ? true : undefined), 20_000, 100, () => logFiles(deleted));
  t.deepEqual(logFiles(compacted), before);
  t.is((await withAdmin(kafka, (admin) => offsets(admin, 'compacted'))).low, 0);
});
