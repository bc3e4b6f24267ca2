// `spate topics` against a live broker, checked with KafkaJS's admin client: describe with per-partition
// leader, replicas, ISR, start and end offsets; add-partitions; delete-records --before; describe-config and
// alter-config with kafka-configs.sh's --add-config / --delete-config syntax.
import test from 'ava';
import kafkajs from 'kafkajs';
import { startTestBroker } from '../helpers/broker.js';
import { runCli } from './run-cli.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

interface Described {
  name: string;
  partitionCount: number;
  replicationFactor: number;
  configs: Record<string, string | null>;
  partitions: Array<{ partition: number; leader: number; replicas: number[]; isr: number[]; startOffset: number; endOffset: number; messages: number }>;
}

test('describe, add-partitions and delete-records', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap];
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'topics-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  t.is((await runCli(['topics', 'create', 'metrics', '-p', '2', '-c', 'retention.ms=3600000', ...b])).code, 0);
  t.is((await runCli(['produce', 'metrics', '--format', '%p %v', ...b], Array.from({ length: 9 }, (_, i) => `${i % 3 === 0 ? 1 : 0} m${i}`).join('\n'))).code, 0);

  const describe = async (): Promise<Described> => {
    const result = await runCli(['topics', 'describe', 'metrics', '--output', 'json', ...b]);
    t.is(result.code, 0, result.stderr);
    return (JSON.parse(result.stdout) as Described[])[0]!;
  };
  const first = await describe();
  t.like(first, { name: 'metrics', partitionCount: 2, replicationFactor: 1, configs: { 'retention.ms': '3600000' } });
  t.deepEqual(first.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr, p.startOffset, p.endOffset, p.messages]), [
    [0, 1, [1], [1], 0, 6, 6],
    [1, 1, [1], [1], 0, 3, 3],
  ]);
  const table = await runCli(['topics', 'describe', 'metrics', ...b]);
  t.regex(table.stdout, /^Topic: metrics  TopicId: [0-9a-f-]{36}  PartitionCount: 2  ReplicationFactor: 1  Configs: retention\.ms=3600000\nPARTITION  LEADER  REPLICAS  ISR  START-OFFSET  END-OFFSET  MESSAGES\n0 +1 +1 +1 +0 +6 +6\n1 +1 +1 +1 +0 +3 +3\n$/);

  // delete-records: one partition below offset 4, then the other up to its end.
  t.like(await runCli(['topics', 'delete-records', 'metrics', '--before', '4', '-p', '0', ...b]), { code: 0, stdout: 'TOPIC    PARTITION  START-OFFSET\nmetrics  0          4\n' });
  t.is((await runCli(['topics', 'delete-records', 'metrics', '--before', 'end', '-p', '1', ...b])).code, 0);
  const trimmed = await describe();
  t.deepEqual(trimmed.partitions.map((p) => [p.startOffset, p.endOffset, p.messages]), [[4, 6, 2], [3, 3, 0]]);
  t.deepEqual((await admin.fetchTopicOffsets('metrics')).map((p) => [p.partition, Number(p.low), Number(p.high)]).sort(), [[0, 4, 6], [1, 3, 3]]);
  const past = await runCli(['topics', 'delete-records', 'metrics', '--before', '99', ...b]);
  t.is(past.code, 1);
  t.regex(past.stderr, /OFFSET_OUT_OF_RANGE/);
  t.is((await runCli(['topics', 'delete-records', 'metrics', '--before', 'soon', ...b])).code, 2);

  // add-partitions: --num adds, --partitions sets the total; shrinking is Kafka's INVALID_PARTITIONS.
  t.like(await runCli(['topics', 'add-partitions', 'metrics', '--num', '2', ...b]), { code: 0, stdout: 'Topic metrics now has 4 partitions (was 2).\n' });
  t.is((await runCli(['topics', 'add-partitions', 'metrics', '--partitions', '6', ...b])).code, 0);
  t.is((await admin.fetchTopicMetadata({ topics: ['metrics'] })).topics[0]!.partitions.length, 6);
  const shrink = await runCli(['topics', 'add-partitions', 'metrics', '--partitions', '3', ...b]);
  t.is(shrink.code, 1);
  t.regex(shrink.stderr, /INVALID_PARTITIONS/);
  t.is((await runCli(['topics', 'add-partitions', 'metrics', ...b])).code, 2);
  t.deepEqual((await describe()).partitions.map((p) => [p.partition, p.endOffset]), [[0, 6], [1, 3], [2, 0], [3, 0], [4, 0], [5, 0]]);
});

test('describe-config and alter-config, read back by KafkaJS', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap];
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'topics-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  t.is((await runCli(['topics', 'create', 'conf', ...b])).code, 0);
  t.like(await runCli(['topics', 'describe-config', 'conf', ...b]), { code: 0, stdout: 'NAME  VALUE  SOURCE  READ-ONLY\n' });

  const altered = await runCli(['topics', 'alter-config', 'conf', '--add-config', 'retention.ms=5000,cleanup.policy=[compact,delete]', '--set', 'segment.bytes=1048576', ...b]);
  t.like(altered, { code: 0, stdout: 'Updated config of topic conf.\n' });
  const kjs = async (): Promise<Record<string, string>> => {
    const d = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'conf' }] });
    return Object.fromEntries(d.resources[0]!.configEntries.filter((c) => !c.isDefault).map((c) => [c.configName, c.configValue]));
  };
  t.deepEqual(await kjs(), { 'cleanup.policy': 'compact,delete', 'retention.ms': '5000', 'segment.bytes': '1048576' });
  const overrides = await runCli(['topics', 'describe-config', 'conf', '--output', 'json', ...b]);
  t.deepEqual(
    (JSON.parse(overrides.stdout) as Array<{ name: string; value: string; source: string }>).map((c) => [c.name, c.value, c.source]),
    [['cleanup.policy', 'compact,delete', 'DYNAMIC_TOPIC_CONFIG'], ['retention.ms', '5000', 'DYNAMIC_TOPIC_CONFIG'], ['segment.bytes', '1048576', 'DYNAMIC_TOPIC_CONFIG']],
  );
  const all = await runCli(['topics', 'describe-config', 'conf', '--all', ...b]);
  t.regex(all.stdout, /\nmax\.message\.bytes +\d+ +DEFAULT_CONFIG +no\n/);
  t.regex(all.stdout, /\nretention\.ms +5000 +DYNAMIC_TOPIC_CONFIG +no\n/);

  t.is((await runCli(['topics', 'alter-config', 'conf', '--delete-config', 'retention.ms,segment.bytes', ...b])).code, 0);
  t.deepEqual(await kjs(), { 'cleanup.policy': 'compact,delete' });
  const bad = await runCli(['topics', 'alter-config', 'conf', '--set', 'retention.ms=soon', ...b]);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /INVALID_CONFIG/);
  t.is((await runCli(['topics', 'alter-config', 'conf', ...b])).code, 2);
  t.is((await runCli(['topics', 'alter-config', 'conf', '--set', 'a=1', '--delete', 'a', ...b])).code, 2);
});
