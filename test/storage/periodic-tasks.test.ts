// The storage layer's other periodic tasks, each shown working in a live broker with a short interval (the
// retention check had a flaw that kept it from ever running; these are checked for the same): flush.ms and
// log.flush.interval.ms fdatasync acks=1 data on their own, the recovery-point checkpoint file is rewritten every
// log.flush.offset.checkpoint.interval.ms, and partition sizes in /metrics are refreshed after their cache expires.
import test, { type ExecutionContext } from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker } from '../helpers/broker.js';
import { scrape } from '../metrics/scrape.js';
import { waitFor } from '../helpers/wait.js';

const VALUE = Buffer.alloc(1000, 0x62);

function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({ brokers: [bootstrap], clientId: 'periodic-test', logLevel: logLevel.NOTHING });
}

async function createTopic(kafka: Kafka, topic: string, configs: Record<string, string> = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
  } finally {
    await admin.disconnect();
  }
}

async function produce(kafka: Kafka, topic: string, count: number): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < count; i++) await producer.send({ topic, acks: 1, messages: [{ value: VALUE }] });
  } finally {
    await producer.disconnect();
  }
}

async function fsyncCount(metricsPort: number): Promise<number> {
  return (await scrape(metricsPort)).sum('spate_fsync_duration_seconds_count');
}

/**
 * acks=1 writes are not synced on the ack path; with a flush interval the worker's timer syncs them. Two
 * messages back to back: the second is never due when it arrives (the first was just synced, or is itself
 * younger than the interval), so only the timer can sync it.
 */
async function showTimedFlush(t: ExecutionContext, config: Record<string, number>, topicConfigs: Record<string, string>): Promise<void> {
  const broker = await startTestBroker({ metricsPort: 0, config });
  t.teardown(() => broker.close());
  const kafka = kafkaFor(broker.bootstrap);
  await createTopic(kafka, 'flushed', topicConfigs);
  await produce(kafka, 'flushed', 2);
  const before = await fsyncCount(broker.metricsPort!);
  const after = await waitFor('an fdatasync by the flush timer', async () => {
    const n = await fsyncCount(broker.metricsPort!);
    return n > before ? n : undefined;
  });
  t.true(after > before, `fdatasyncs: ${before} after the acks, ${after} later`);
}

test('flush.ms: acks=1 data is fdatasynced by the worker timer in a live broker', async (t) => {
  await showTimedFlush(t, {}, { 'flush.ms': '2000' });
});

test('log.flush.interval.ms (the broker default for flush.ms) does the same', async (t) => {
  await showTimedFlush(t, { 'log.flush.interval.ms': 2000 }, {});
});

/** `topic partition offset` lines of the data dir's recovery-point checkpoint (Kafka's text format). */
function checkpointEntry(dataDir: string, topic: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, 'recovery-point-offset-checkpoint'), 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith(`${topic} 0 `));
  return line === undefined ? undefined : Number(line.split(' ')[2]);
}

function activeSegmentBase(dir: string): number {
  return Math.max(...readdirSync(dir).filter((n) => n.endsWith('.log')).map((n) => Number(n.slice(0, 20))));
}

test('the recovery-point checkpoint is rewritten every log.flush.offset.checkpoint.interval.ms with the new recovery points', async (t) => {
  t.timeout(60_000);
  const broker = await startTestBroker({ config: { 'log.flush.offset.checkpoint.interval.ms': 500 } });
  t.teardown(() => broker.close());
  const kafka = kafkaFor(broker.bootstrap);
  await createTopic(kafka, 'checkpointed', { 'segment.bytes': '4096' });
  const dir = join(broker.dataDir, 'checkpointed-0');
  // Rolls seal segments and move the recovery point to the active segment's base offset.
  for (const round of [1, 2]) {
    await produce(kafka, 'checkpointed', 10);
    const base = activeSegmentBase(dir);
    t.true(base > 0);
    const written = await waitFor(`round ${round}: the checkpoint to name recovery point ${base}`, () => (checkpointEntry(broker.dataDir, 'checkpointed') === base ? base : undefined), 20_000, 50, () =>
      checkpointEntry(broker.dataDir, 'checkpointed'),
    );
    t.is(written, base);
  }
});

test('partition sizes in /metrics are refreshed from the workers once their cache expires', async (t) => {
  t.timeout(60_000);
  const broker = await startTestBroker({ metricsPort: 0 });
  t.teardown(() => broker.close());
  const kafka = kafkaFor(broker.bootstrap);
  await createTopic(kafka, 'measured');
  await produce(kafka, 'measured', 5);
  const size = async (): Promise<number> => (await scrape(broker.metricsPort!)).value('spate_log_size_bytes', { topic: 'measured', partition: '0' }) ?? -1;
  const first = await waitFor('a size for the partition', async () => {
    const s = await size();
    return s > 0 ? s : undefined;
  });
  await produce(kafka, 'measured', 5);
  const second = await waitFor('the size to follow the new records', async () => {
    const s = await size();
    return s > first ? s : undefined;
  }, 30_000, 250);
  t.true(second >= first + 5 * VALUE.length, `${first} then ${second} bytes`);
});
