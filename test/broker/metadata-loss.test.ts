// spate-metadata.json lost, damaged or out of date. Deleted: the topics are rebuilt from their partition
// directories and a real consumer reads every record back (committed offsets too). A directory the metadata does
// not list is never served under a new topic of the same name. Corrupt, empty or gapped: `spate start` exits 1
// with one line, and startBroker() rejects with SPATE_METADATA_INVALID; the file is left as it was.
import test from 'ava';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { startBroker, SpateError } from '../../src/index.js';
import { startBrokerProcess, temporaryDir } from '../helpers/broker.js';
import { exitWithin, spawnStart, stderrLines } from '../helpers/cli-start.js';
import { RawClient, waitForLogLine } from '../helpers/raw-client.js';

const { Kafka, logLevel } = kafkajs;
type KafkaClient = InstanceType<typeof Kafka>;

const METADATA = 'spate-metadata.json';

function client(bootstrap: string): KafkaClient {
  return new Kafka({ brokers: [bootstrap], clientId: 'metadata-loss', logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

/** Every record of `topic` as `partition:value`, read from the beginning by a fresh consumer group. */
async function consumeAll(kafka: KafkaClient, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const expected = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${topic}: consumed ${seen.length} of ${expected}`)), 30_000);
    if (expected === 0) {
      clearTimeout(timer);
      resolve();
      return;
    }
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push(`${partition}:${message.value!.toString()}`);
        if (seen.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return seen.sort();
}

async function topicIds(port: number): Promise<Record<string, string>> {
  const raw = await RawClient.connect(port);
  try {
    return Object.fromEntries((await raw.metadata(null)).topics.map((t) => [t.name!, t.topicId]));
  } finally {
    await raw.close();
  }
}

test('a deleted spate-metadata.json is rebuilt from the partition directories: topics, records and committed offsets are back', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const first = await startBrokerProcess(dir.path);
  t.teardown(() => first.kill());
  let kafka = client(first.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  // `a-1` ends in digits like a partition suffix: its directories are a-1-0 and a-1-1.
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }, { topic: 'a-1', numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  for (let p = 0; p < 3; p++) await producer.send({ topic: 'orders', acks: -1, messages: [{ partition: p, value: `o${p}a` }, { partition: p, value: `o${p}b` }] });
  await producer.send({ topic: 'a-1', acks: -1, messages: [{ partition: 1, value: 'x' }] });
  await producer.disconnect();
  await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '2' }, { partition: 1, offset: '1' }] });
  await admin.disconnect();
  const before = { orders: await consumeAll(kafka, 'orders'), a1: await consumeAll(kafka, 'a-1'), ids: await topicIds(first.port) };
  t.is(before.orders.length, 6);
  t.is(await first.stop(), 0);

  rmSync(join(dir.path, METADATA));
  const second = await startBrokerProcess(dir.path);
  t.teardown(() => second.kill());
  kafka = client(second.bootstrap);
  const ids = await topicIds(second.port);
  t.deepEqual(Object.keys(ids).sort(), ['__consumer_offsets', 'a-1', 'orders']);
  // The old ids are lost with the file: the rebuilt topics have new ones.
  for (const name of ['orders', 'a-1']) {
    t.not(ids[name], before.ids[name]);
    t.notRegex(ids[name]!, /^[0-]+$/);
  }
  const rebuiltAdmin = kafka.admin();
  await rebuiltAdmin.connect();
  t.deepEqual((await rebuiltAdmin.fetchTopicMetadata({ topics: ['orders', 'a-1'] })).topics.map((m) => [m.name, m.partitions.length]).sort(), [
    ['a-1', 2],
    ['orders', 3],
  ]);
  const committed = await rebuiltAdmin.fetchOffsets({ groupId: 'billing', topics: ['orders'] });
  t.deepEqual(committed[0]!.partitions.map((p) => [p.partition, p.offset]).sort(), [
    [0, '2'],
    [1, '1'],
    [2, '-1'],
  ]);
  await rebuiltAdmin.disconnect();
  t.deepEqual(await consumeAll(kafka, 'orders'), before.orders);
  t.deepEqual(await consumeAll(kafka, 'a-1'), before.a1);
  const warning = await waitForLogLine(second.logs, (l) => typeof l.msg === 'string' && l.msg.includes(`${METADATA} was missing`));
  t.is(warning.level, 40);
  t.is(await second.stop(), 0);

  // The rebuilt metadata was written: the next start keeps the new ids without rebuilding again.
  const third = await startBrokerProcess(dir.path);
  t.teardown(() => third.kill());
  t.deepEqual(await topicIds(third.port), ids);
  t.false(third.logs.some((line) => line.includes('was missing')));
});

test('a topic created over a partition directory the metadata does not list starts empty; the old directory is moved aside, not served', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const first = await startBrokerProcess(dir.path);
  t.teardown(() => first.kill());
  let kafka = client(first.bootstrap);
  let producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'ghost', acks: -1, messages: [{ value: 'old-1' }, { value: 'old-2' }] });
  await producer.send({ topic: 'kept', acks: -1, messages: [{ value: 'kept-1' }] });
  await producer.disconnect();
  t.is(await first.stop(), 0);
  // As after a crash between DeleteTopics saving the metadata and removing the files, or a restored old file.
  const stored = JSON.parse(readFileSync(join(dir.path, METADATA), 'utf8')) as { topics: Array<{ name: string }> };
  stored.topics = stored.topics.filter((topic) => topic.name !== 'ghost');
  writeFileSync(join(dir.path, METADATA), JSON.stringify(stored));

  const second = await startBrokerProcess(dir.path);
  t.teardown(() => second.kill());
  kafka = client(second.bootstrap);
  producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'ghost', acks: -1, messages: [{ value: 'new-1' }] });
  await producer.disconnect();
  t.deepEqual(await consumeAll(kafka, 'ghost'), ['0:new-1']);
  t.deepEqual(await consumeAll(kafka, 'kept'), ['0:kept-1']);
  await waitForLogLine(second.logs, (l) => typeof l.msg === 'string' && l.msg.includes('are not served') && JSON.stringify(l.directories).includes('ghost-0'));
  const aside = readdirSync(dir.path).filter((name) => name.startsWith('ghost-0.') && name.endsWith('-stray'));
  t.is(aside.length, 1);
  t.true(statSync(join(dir.path, aside[0]!, '00000000000000000000.log')).size > 0, 'the old records are still on disk');
});

const DAMAGED: Array<{ name: string; content: string; problem: RegExp }> = [
  { name: 'an empty file', content: '', problem: /is empty/ },
  { name: 'a file cut short', content: '{\n  "version": 1,\n  "clusterId": "abc",\n  "topics": [\n    {"name": "t", "id": "4', problem: /is not valid JSON/ },
  { name: 'a topic id that is not a uuid', content: JSON.stringify({ version: 1, clusterId: 'abc', topics: [{ name: 't', id: 'not-an-id', partitions: 1, configs: {} }] }), problem: /topic 't' has no valid id/ },
  { name: 'a partition count of 0', content: JSON.stringify({ version: 1, clusterId: 'abc', topics: [{ name: 't', id: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', partitions: 0, configs: {} }] }), problem: /topic 't' has no valid partition count/ },
];

for (const damaged of DAMAGED) {
  test(`spate start on ${damaged.name} as ${METADATA} exits 1 with one line and leaves the file alone`, async (t) => {
    const dir = temporaryDir();
    t.teardown(() => dir.remove());
    writeFileSync(join(dir.path, METADATA), damaged.content);
    const start = spawnStart(dir.path);
    t.is(await exitWithin(start, 20_000), 1);
    const lines = stderrLines(start);
    t.is(lines.length, 1, lines.join('\n'));
    t.true(lines[0]!.startsWith(`spate: ${join(dir.path, METADATA)} `), lines[0]);
    t.regex(lines[0]!, damaged.problem);
    t.regex(lines[0]!, /restore it from a backup, or move it away/);
    t.false(start.stdout.some((line) => line.includes('broker started')));
    t.is(readFileSync(join(dir.path, METADATA), 'utf8'), damaged.content);
  });
}

test(`startBroker() on a damaged ${METADATA} rejects with SPATE_METADATA_INVALID`, async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  writeFileSync(join(dir.path, METADATA), '{"version": 1, "clusterId": ');
  const error = await t.throwsAsync(startBroker({ dataDir: dir.path, logLevel: 'silent' }), { instanceOf: SpateError });
  t.is(error?.code, 'SPATE_METADATA_INVALID');
  // The failed start released the data dir: with the file moved away a broker starts there.
  rmSync(join(dir.path, METADATA));
  const broker = await startBroker({ dataDir: dir.path, logLevel: 'silent' });
  await broker.close();
});

test(`without ${METADATA}, partition directories with a gap are not guessed at: exit 1 naming the missing partition`, async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const first = await startBrokerProcess(dir.path);
  t.teardown(() => first.kill());
  const kafka = client(first.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'gappy', numPartitions: 3 }] });
  await admin.disconnect();
  t.is(await first.stop(), 0);
  rmSync(join(dir.path, METADATA));
  rmSync(join(dir.path, 'gappy-1'), { recursive: true });

  const start = spawnStart(dir.path);
  t.is(await exitWithin(start, 20_000), 1);
  const lines = stderrLines(start);
  t.is(lines.length, 1, lines.join('\n'));
  t.regex(lines[0]!, /topic 'gappy' cannot be rebuilt .*found partition logs gappy-0, gappy-2, but none in gappy-1/);
  t.false(existsSync(join(dir.path, METADATA)), 'nothing was written');
});
