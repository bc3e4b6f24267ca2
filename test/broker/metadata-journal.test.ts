// Topic metadata changes are journaled (spate-metadata.log) and folded into spate-metadata.json once the journal
// outgrows the topic list: a SIGKILL right after creates, config changes and deletes loses none of them, a torn
// last line (a crash inside an append) is dropped, a damaged line stops the start with one line, and folding keeps
// every topic.
import test from 'ava';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBrokerProcess, temporaryDir } from '../helpers/broker.js';
import { exitWithin, spawnStart, stderrLines } from '../helpers/cli-start.js';
import kafkajs from 'kafkajs';
import { RawClient } from '../helpers/raw-client.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

function adminOf(bootstrap: string): ReturnType<InstanceType<typeof Kafka>['admin']> {
  return new Kafka({ brokers: [bootstrap], clientId: 'metadata-journal', logLevel: logLevel.NOTHING, requestTimeout: 120_000 }).admin();
}

const JOURNAL = 'spate-metadata.log';
const METADATA = 'spate-metadata.json';

async function topicsOf(port: number): Promise<Map<string, number>> {
  const raw = await RawClient.connect(port);
  try {
    const metadata = await raw.metadata(null);
    return new Map(metadata.topics.map((t) => [t.name!, t.partitions.length]));
  } finally {
    await raw.close();
  }
}

test('creates, grows, config changes and deletes survive a SIGKILL through the journal alone', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const first = await startBrokerProcess(dir.path);
  const admin = adminOf(first.bootstrap);
  await admin.connect();
  t.true(await admin.createTopics({ topics: ['kept', 'grown', 'gone'].map((topic) => ({ topic, numPartitions: 2 })) }));
  await admin.createPartitions({ topicPartitions: [{ topic: 'grown', count: 5 }] });
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kept', configEntries: [{ name: 'retention.ms', value: '12345' }] }] });
  await admin.deleteTopics({ topics: ['gone'] });
  await admin.disconnect();
  // The metadata file was written once, empty, at the first start; everything since is in the journal.
  t.deepEqual((JSON.parse(readFileSync(join(dir.path, METADATA), 'utf8')) as { topics: unknown[] }).topics, []);
  t.is(readFileSync(join(dir.path, JOURNAL), 'utf8').trim().split('\n').length, 6);
  await first.kill();

  const second = await startBrokerProcess(dir.path);
  t.teardown(() => second.kill());
  t.deepEqual(await topicsOf(second.port), new Map([['kept', 2], ['grown', 5]]));
  const check = adminOf(second.bootstrap);
  await check.connect();
  const described = await check.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kept', configNames: ['retention.ms'] }] });
  t.is(described.resources[0]!.configEntries[0]!.configValue, '12345');
  await check.disconnect();
});

test('a torn last journal line (a crash inside an append) is dropped; a damaged earlier line stops the start with one line', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const first = await startBrokerProcess(dir.path);
  const raw = await RawClient.connect(first.port);
  t.is((await raw.createTopic('before-the-tear', 1)).topics[0]!.errorCode, 0);
  await raw.close();
  await first.kill();
  appendFileSync(join(dir.path, JOURNAL), '{"put":{"name":"torn","id":"0b5');

  const second = await startBrokerProcess(dir.path);
  t.deepEqual(await topicsOf(second.port), new Map([['before-the-tear', 1]]));
  const again = await RawClient.connect(second.port);
  t.is((await again.createTopic('after-the-tear', 1)).topics[0]!.errorCode, 0, 'appends after the cut tail line up');
  await again.close();
  await second.kill();
  const third = await startBrokerProcess(dir.path);
  t.deepEqual(await topicsOf(third.port), new Map([['before-the-tear', 1], ['after-the-tear', 1]]));
  await third.kill();

  const lines = readFileSync(join(dir.path, JOURNAL), 'utf8').split('\n');
  lines[0] = '{"put": not json';
  writeFileSync(join(dir.path, JOURNAL), lines.join('\n'));
  const refused = spawnStart(dir.path);
  t.is(await exitWithin(refused, 15_000), 1);
  const errors = stderrLines(refused);
  t.is(errors.length, 1, errors.join('\n'));
  t.regex(errors[0]!, /^spate: .*spate-metadata\.log is damaged at line 1: /);
});

test('the journal is folded into the metadata file once it outgrows the topic list, and every topic survives', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const first = await startBrokerProcess(dir.path);
  const admin = adminOf(first.bootstrap);
  await admin.connect();
  t.true(await admin.createTopics({ timeout: 120_000, topics: Array.from({ length: 1100 }, (_, i) => ({ topic: `t${i}`, numPartitions: 1 })) }));
  await admin.disconnect();
  const stored = JSON.parse(readFileSync(join(dir.path, METADATA), 'utf8')) as { topics: unknown[] };
  t.true(stored.topics.length >= 1000, `the metadata file holds ${stored.topics.length} topics after folding`);
  t.true(readFileSync(join(dir.path, JOURNAL), 'utf8').split('\n').length < 1000, 'the journal was emptied when it was folded');
  await first.kill();
  const second = await startBrokerProcess(dir.path);
  t.is((await topicsOf(second.port)).size, 1100);
  // A clean stop folds what is left of the journal: the metadata file alone then lists every topic.
  t.is(await second.stop(), 0);
  t.is((JSON.parse(readFileSync(join(dir.path, METADATA), 'utf8')) as { topics: unknown[] }).topics.length, 1100);
  t.is(readFileSync(join(dir.path, JOURNAL), 'utf8'), '');
});
