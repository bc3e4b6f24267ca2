// The topic configs of Kafka 3.7 through real admin clients: CreateTopics and AlterConfigs accept every one
// (KafkaJS), DescribeConfigs (@platformatic/kafka, which sends an empty key list as an empty list) lists all
// 31 in Kafka's order with exact Long.MAX_VALUE defaults, their types, documentation when asked, and
// synonyms as Kafka builds them; the values Kafka refuses are INVALID_CONFIG.
import test, { type ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import { Admin, IncrementalAlterConfigOperationTypes, type ConfigDescription } from '@platformatic/kafka';
import { startTestBroker } from '../helpers/broker.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

const RESOURCE_TOPIC = 2 as const;
const Source = { TOPIC: 1, STATIC_BROKER: 4, DEFAULT: 5 } as const;
const LONG_MAX = '9223372036854775807';

/**
 * The order Kafka 3.7 sends a topic's configs in: the iteration order of the Scala 2.13 HashMap that
 * ConfigHelper builds them in (String.hashCode spread by h ^ h >>> 16, 64 buckets, ascending hash within one).
 */
const KAFKA_ORDER = [
  'compression.type', 'leader.replication.throttled.replicas', 'remote.storage.enable', 'message.downconversion.enable',
  'min.insync.replicas', 'segment.jitter.ms', 'local.retention.ms', 'cleanup.policy', 'flush.ms',
  'follower.replication.throttled.replicas', 'segment.bytes', 'retention.ms', 'flush.messages', 'message.format.version',
  'max.compaction.lag.ms', 'file.delete.delay.ms', 'max.message.bytes', 'min.compaction.lag.ms', 'message.timestamp.type',
  'local.retention.bytes', 'preallocate', 'min.cleanable.dirty.ratio', 'index.interval.bytes', 'unclean.leader.election.enable',
  'retention.bytes', 'delete.retention.ms', 'message.timestamp.after.max.ms', 'message.timestamp.before.max.ms', 'segment.ms',
  'message.timestamp.difference.max.ms', 'segment.index.bytes',
];

/** The configs CreateTopics refused before, with a value Kafka 3.7 accepts and the value it then describes. */
const NEWLY_ACCEPTED: Array<[name: string, value: string, described: string]> = [
  ['min.cleanable.dirty.ratio', '0.25', '0.25'],
  ['file.delete.delay.ms', '1000', '1000'],
  ['max.compaction.lag.ms', '86400000', '86400000'],
  ['preallocate', 'true', 'true'],
  ['segment.index.bytes', '1048576', '1048576'],
  ['segment.jitter.ms', '5000', '5000'],
  ['message.format.version', '2.8', '2.8'],
  ['message.downconversion.enable', 'false', 'false'],
  ['message.timestamp.difference.max.ms', '3600000', '3600000'],
  ['local.retention.ms', '-2', '-2'],
  ['local.retention.bytes', '1000000', '1000000'],
  ['remote.storage.enable', 'false', 'false'],
  ['leader.replication.throttled.replicas', '0:1, 1:1', '0:1,1:1'],
  ['follower.replication.throttled.replicas', '*', '*'],
];

async function kafkaJSAdmin(t: ExecutionContext, bootstrap: string) {
  const kafka = new Kafka({ clientId: 'topic-configs-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  return admin;
}

function platformaticAdmin(t: ExecutionContext, bootstrap: string): Admin {
  const admin = new Admin({ clientId: 'topic-configs-test-plt', bootstrapBrokers: [bootstrap], retries: 0 });
  t.teardown(() => admin.close());
  return admin;
}

type Entry = ConfigDescription['configs'][number];

async function describeTopic(admin: Admin, topic: string, options: { keys?: string[]; documentation?: boolean } = {}): Promise<Entry[]> {
  const described = await admin.describeConfigs({
    resources: [{ resourceType: RESOURCE_TOPIC, resourceName: topic, ...(options.keys ? { configurationKeys: options.keys } : {}) }],
    includeSynonyms: true,
    includeDocumentation: options.documentation ?? false,
  });
  return described[0]!.configs;
}

const failure = (promise: Promise<unknown>): Promise<{ type?: string; code?: number } | null> =>
  promise.then(
    () => null,
    (error: unknown) => error as { type?: string; code?: number },
  );

test('CreateTopics and AlterConfigs (KafkaJS) accept every topic config Kafka 3.7 accepts, and DescribeConfigs shows them', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const admin = await kafkaJSAdmin(t, broker.bootstrap);
  const created = await admin.createTopics({
    topics: [{ topic: 'all-configs', numPartitions: 1, configEntries: NEWLY_ACCEPTED.map(([name, value]) => ({ name, value })) }],
  });
  t.true(created, 'CreateTopics accepted every config');
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'all-configs' }] });
  const described = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
  for (const [name, , value] of NEWLY_ACCEPTED) {
    t.is(described.get(name)?.configValue, value, name);
    t.is(described.get(name)?.configSource, Source.TOPIC, `${name} is a topic override`);
  }

  // AlterConfigs (a full replacement) takes them as well.
  await admin.createTopics({ topics: [{ topic: 'altered', numPartitions: 1 }] });
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'altered', configEntries: NEWLY_ACCEPTED.map(([name, value]) => ({ name, value })) }],
  });
  const after = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'altered' }] });
  const alteredValues = new Map(after.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
  for (const [name, , value] of NEWLY_ACCEPTED) t.is(alteredValues.get(name), value, `altered ${name}`);
});

// Regression: an empty (non-null) configuration_keys list answered no configs at all; Kafka answers all.
test('DescribeConfigs with an empty key list lists all 31 topic configs in Kafka order, Long.MAX_VALUE defaults exact', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const admin = platformaticAdmin(t, broker.bootstrap);
  await admin.createTopics({ topics: ['described'], partitions: 1, replicas: 1 });

  const withEmptyList = await describeTopic(admin, 'described', { keys: [] });
  t.deepEqual(withEmptyList.map((c) => c.name), KAFKA_ORDER, 'an empty key list is every config, in Kafka order');
  const withNull = await describeTopic(admin, 'described');
  t.deepEqual(withNull.map((c) => c.name), KAFKA_ORDER, 'so is a null key list');

  const values = new Map(withEmptyList.map((c) => [c.name, c]));
  for (const name of ['flush.ms', 'flush.messages', 'max.compaction.lag.ms', 'message.timestamp.before.max.ms', 'message.timestamp.after.max.ms', 'message.timestamp.difference.max.ms']) {
    t.is(values.get(name)?.value, LONG_MAX, `${name} reads Long.MAX_VALUE exactly`);
  }
  t.is(values.get('min.cleanable.dirty.ratio')?.value, '0.5');
  t.is(values.get('message.format.version')?.value, '3.0-IV1');
  t.is(values.get('local.retention.ms')?.value, '-2');
  t.is(values.get('leader.replication.throttled.replicas')?.value, '');
  // Kafka's ConfigType ids: DOUBLE 6, LIST 7, LONG 5, BOOLEAN 1, STRING 2, INT 3.
  t.is(values.get('min.cleanable.dirty.ratio')?.configType, 6);
  t.is(values.get('cleanup.policy')?.configType, 7);
  t.is(values.get('follower.replication.throttled.replicas')?.configType, 7);
  t.is(values.get('flush.ms')?.configType, 5);
  t.is(values.get('preallocate')?.configType, 1);
  t.is(values.get('message.format.version')?.configType, 2);
  t.is(values.get('segment.index.bytes')?.configType, 3);

  // Documentation only when asked for, then for every config.
  t.true(withEmptyList.every((c) => c.documentation === null), 'no documentation unless asked');
  const documented = await describeTopic(admin, 'described', { documentation: true });
  t.true(documented.every((c) => typeof c.documentation === 'string' && c.documentation.length > 10), 'documentation for every config');

  // A named subset is just those keys.
  t.deepEqual((await describeTopic(admin, 'described', { keys: ['segment.ms', 'preallocate'] })).map((c) => c.name), ['preallocate', 'segment.ms']);
});

test('DescribeConfigs synonyms follow Kafka: only names Kafka gives a default get a DEFAULT_CONFIG synonym', async (t) => {
  const broker = await startTestBroker({ config: { 'log.cleaner.min.cleanable.ratio': '0.3', 'log.roll.ms': 3_600_000 } });
  t.teardown(() => broker.close());
  const admin = platformaticAdmin(t, broker.bootstrap);
  await admin.createTopics({ topics: ['synonyms'], partitions: 1, replicas: 1, configs: [{ name: 'flush.ms', value: '1000' }] });
  const configs = new Map((await describeTopic(admin, 'synonyms')).map((c) => [c.name, c]));
  const synonyms = (name: string) => configs.get(name)!.synonyms.map((s) => [s.name, s.value, s.source]);

  // A static broker setting, then the broker name's default.
  t.is(configs.get('min.cleanable.dirty.ratio')!.value, '0.3');
  t.is(configs.get('min.cleanable.dirty.ratio')!.configSource, Source.STATIC_BROKER);
  t.deepEqual(synonyms('min.cleanable.dirty.ratio'), [
    ['log.cleaner.min.cleanable.ratio', '0.3', Source.STATIC_BROKER],
    ['log.cleaner.min.cleanable.ratio', '0.5', Source.DEFAULT],
  ]);
  // log.roll.ms has no default in Kafka (log.roll.hours has): after the static value comes log.roll.hours.
  t.deepEqual(synonyms('segment.ms'), [
    ['log.roll.ms', '3600000', Source.STATIC_BROKER],
    ['log.roll.hours', '168', Source.DEFAULT],
  ]);
  // Nothing set under log.retention.ms: Kafka lists no synonym at all, and the source is DEFAULT_CONFIG.
  t.deepEqual(synonyms('retention.ms'), []);
  t.is(configs.get('retention.ms')!.configSource, Source.DEFAULT);
  // A topic override first; log.flush.interval.ms has no Kafka default either.
  t.deepEqual(synonyms('flush.ms'), [['flush.ms', '1000', Source.TOPIC]]);
  t.deepEqual(synonyms('segment.index.bytes'), [['log.index.size.max.bytes', '10485760', Source.DEFAULT]]);
  // Configs with no broker counterpart have no synonyms.
  t.deepEqual(synonyms('remote.storage.enable'), []);
  t.deepEqual(synonyms('leader.replication.throttled.replicas'), []);
});

test('values Kafka refuses are INVALID_CONFIG (40) and create nothing', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const admin = await kafkaJSAdmin(t, broker.bootstrap);
  const refused: Array<Array<{ name: string; value: string }>> = [
    [{ name: 'min.cleanable.dirty.ratio', value: '1.5' }],
    [{ name: 'segment.index.bytes', value: '3' }],
    [{ name: 'message.format.version', value: '9.9' }],
    [{ name: 'leader.replication.throttled.replicas', value: 'everything' }],
    [{ name: 'preallocate', value: 'maybe' }],
    [{ name: 'local.retention.ms', value: '-3' }],
    [{ name: 'flush.ms', value: '9223372036854775808' }],
    // Spate, like Kafka with tiered storage off, has none.
    [{ name: 'remote.storage.enable', value: 'true' }],
    // Checked against each other, as Kafka's LogConfig does.
    [{ name: 'min.compaction.lag.ms', value: '5000' }, { name: 'max.compaction.lag.ms', value: '1000' }],
  ];
  for (const [i, configEntries] of refused.entries()) {
    const error = await failure(admin.createTopics({ topics: [{ topic: `refused-${i}`, numPartitions: 1, configEntries }] }));
    const what = configEntries.map((e) => `${e.name}=${e.value}`).join(' ');
    t.is(error?.type ?? (error as { errors?: Array<{ type?: string }> } | null)?.errors?.[0]?.type, 'INVALID_CONFIG', what);
  }
  t.deepEqual(await admin.listTopics(), []);
  // The largest long is fine, and round-trips exactly.
  t.true(await admin.createTopics({ topics: [{ topic: 'longest', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: LONG_MAX }] }] }));
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'longest', configNames: ['retention.ms'] }] });
  t.is(resources[0]!.configEntries[0]!.configValue, LONG_MAX);
});

test("IncrementalAlterConfigs (@platformatic/kafka): Kafka's request checks, a key or resource named twice is INVALID_REQUEST (42)", async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const admin = platformaticAdmin(t, broker.bootstrap);
  await admin.createTopics({ topics: ['checked'], partitions: 1, replicas: 1 });
  const SET = IncrementalAlterConfigOperationTypes.SET;
  const resource = (configs: Array<{ name: string; value: string }>) => ({ resourceType: RESOURCE_TOPIC, resourceName: 'checked', configs: configs.map((c) => ({ ...c, configOperation: SET })) });
  const apiCodes = (error: unknown): number[] => {
    const e = error as { apiCode?: number; errors?: unknown[] } | undefined;
    return e?.apiCode !== undefined ? [e.apiCode] : (e?.errors ?? []).flatMap(apiCodes);
  };
  const codes = (resources: ReturnType<typeof resource>[]) => admin.incrementalAlterConfigs({ resources }).then(() => [], apiCodes);

  t.deepEqual(await codes([resource([{ name: 'retention.ms', value: '1000' }, { name: 'retention.ms', value: '2000' }])]), [42], 'a key twice');
  t.deepEqual(await codes([resource([{ name: 'retention.ms', value: '1000' }]), resource([{ name: 'segment.ms', value: '1000' }])]), [42, 42], 'a resource twice');
  const [described] = await admin.describeConfigs({ resources: [{ resourceType: RESOURCE_TOPIC, resourceName: 'checked', configurationKeys: ['retention.ms', 'segment.ms'] }] });
  t.true(described!.configs.every((c) => c.configSource === Source.DEFAULT), 'nothing changed');
});
