// Topic and broker configuration through real admin clients: DescribeConfigs (sources, synonyms, a topic
// override), AlterConfigs (KafkaJS; replaces every override), IncrementalAlterConfigs (@platformatic/kafka:
// SET, DELETE, APPEND, SUBTRACT), the changed value taking effect on produce, and DescribeCluster.
import test, { type ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import type { Admin as KafkaJSAdmin, ConfigEntries } from 'kafkajs';
import { Admin, Connection, IncrementalAlterConfigOperationTypes, describeClusterV0, describeClusterV1, type ConfigDescription } from '@platformatic/kafka';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { startTestBroker } from '../helpers/broker.js';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';

const { Kafka, logLevel, ConfigResourceTypes, ConfigSource } = kafkajs;

/** Kafka's ConfigSource values. */
const Source = { TOPIC: 1, STATIC_BROKER: 4, DEFAULT: 5 } as const;
const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;

type Broker = Awaited<ReturnType<typeof startTestBroker>>;

async function setup(t: ExecutionContext, config: Record<string, string | number | boolean> = {}) {
  const broker = await startTestBroker({ config });
  t.teardown(() => broker.close());
  const kafka = new Kafka({ clientId: 'configs-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const raw = await RawClient.connect(broker.port, broker.host);
  t.teardown(() => raw.close());
  return { broker, admin, raw };
}

function platformaticAdmin(t: ExecutionContext, broker: Broker): Admin {
  const admin = new Admin({ clientId: 'configs-test-plt', bootstrapBrokers: [broker.bootstrap], retries: 0 });
  t.teardown(() => admin.close());
  return admin;
}

async function kafkaJSTopicConfigs(admin: KafkaJSAdmin, topic: string, configNames?: string[]): Promise<Map<string, ConfigEntries>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: true,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, ...(configNames ? { configNames } : {}) }],
  });
  expectOne(resources.length);
  return new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
}

function expectOne(n: number): void {
  if (n !== 1) throw new Error(`expected one resource, got ${n}`);
}

async function platformaticTopicConfigs(admin: Admin, topic: string): Promise<Map<string, ConfigDescription['configs'][number]>> {
  const described = await admin.describeConfigs({ resources: [{ resourceType: RESOURCE_TOPIC, resourceName: topic }], includeSynonyms: true });
  expectOne(described.length);
  return new Map(described[0]!.configs.map((c) => [c.name, c]));
}

/** The Kafka error code inside a @platformatic/kafka error (its ProtocolError carries apiCode), or null. */
function findApiCode(error: unknown): number | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { apiCode?: number; errors?: unknown[]; cause?: unknown };
  if (typeof e.apiCode === 'number') return e.apiCode;
  for (const inner of e.errors ?? []) {
    const code = findApiCode(inner);
    if (code !== null) return code;
  }
  return e.cause ? findApiCode(e.cause) : null;
}

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

// ------------------------------------------------------------------ DescribeConfigs

test('KafkaJS DescribeConfigs: a topic override is TOPIC_CONFIG, broker settings STATIC_BROKER_CONFIG, the rest DEFAULT_CONFIG', async (t) => {
  const { admin, raw } = await setup(t, { 'log.retention.ms': 7_200_000 });
  t.true(
    await admin.createTopics({
      topics: [{ topic: 'cfg', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '4096' }, { name: 'cleanup.policy', value: 'compact' }] }],
    }),
  );
  const configs = await kafkaJSTopicConfigs(admin, 'cfg');

  const maxMessage = configs.get('max.message.bytes')!;
  t.is(maxMessage.configValue, '4096');
  t.is(maxMessage.configSource, ConfigSource.TOPIC_CONFIG);
  t.is(maxMessage.configSource, Source.TOPIC);
  t.false(maxMessage.isDefault);
  t.false(maxMessage.readOnly);
  t.false(maxMessage.isSensitive);
  // Synonyms, most specific first: the topic override, then the broker property it overrides.
  t.deepEqual(
    maxMessage.configSynonyms.map((s) => [s.configName, s.configSource]),
    [
      ['max.message.bytes', Source.TOPIC],
      ['message.max.bytes', Source.DEFAULT],
    ],
  );
  t.is(configs.get('cleanup.policy')!.configValue, 'compact');
  t.is(configs.get('cleanup.policy')!.configSource, Source.TOPIC);

  const retention = configs.get('retention.ms')!;
  t.is(retention.configValue, '7200000', 'the broker-wide setting is the topic default');
  t.is(retention.configSource, ConfigSource.STATIC_BROKER_CONFIG);
  // As Kafka lists them: the static setting, then the default of Kafka's fallback name log.retention.hours.
  t.deepEqual(retention.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource]), [
    ['log.retention.ms', '7200000', Source.STATIC_BROKER],
    ['log.retention.hours', '168', Source.DEFAULT],
  ]);

  const segmentBytes = configs.get('segment.bytes')!;
  t.is(segmentBytes.configSource, ConfigSource.DEFAULT_CONFIG);
  t.true(segmentBytes.isDefault);

  // Only the named keys when configNames is given.
  const some = await kafkaJSTopicConfigs(admin, 'cfg', ['retention.ms', 'cleanup.policy']);
  t.deepEqual([...some.keys()].sort(), ['cleanup.policy', 'retention.ms']);

  // The broker resource: static, read-only properties.
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['log.retention.ms', 'num.partitions'] }] });
  const brokerConfigs = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
  t.is(brokerConfigs.get('log.retention.ms')?.configValue, '7200000');
  t.is(brokerConfigs.get('log.retention.ms')?.configSource, Source.STATIC_BROKER);
  t.is(brokerConfigs.get('num.partitions')?.configSource, Source.DEFAULT);
  t.true(brokerConfigs.get('num.partitions')?.readOnly);

  // An unknown topic is UNKNOWN_TOPIC_OR_PARTITION for that resource.
  const unknown = await raw.describeTopicConfigs('no-such-topic');
  t.is(unknown.results[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

  // The override is enforced: a batch over 4096 bytes is MESSAGE_TOO_LARGE (10); a small one is fine.
  const big = await raw.produce('cfg', { partition: 0, records: buildRecordBatch([{ key: Buffer.from('k'), value: Buffer.alloc(5000, 1) }]) });
  t.is(big.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
  await assertRoundTrip(raw, 'cfg');
});

test('@platformatic/kafka DescribeConfigs (v4) sees the same sources', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const admin = platformaticAdmin(t, broker);
  await admin.createTopics({ topics: ['plt-cfg'], partitions: 1, replicas: 1, configs: [{ name: 'retention.ms', value: '3600000' }] });
  const configs = await platformaticTopicConfigs(admin, 'plt-cfg');
  t.is(configs.get('retention.ms')!.value, '3600000');
  t.is(configs.get('retention.ms')!.configSource, Source.TOPIC);
  t.is(configs.get('segment.bytes')!.configSource, Source.DEFAULT);
  // Kafka gives log.retention.ms no default of its own (it falls back to log.retention.hours), so it lists
  // no DEFAULT_CONFIG synonym for it: the topic override alone.
  t.deepEqual(
    configs.get('retention.ms')!.synonyms.map((s) => [s.name, s.source]),
    [['retention.ms', Source.TOPIC]],
  );
  t.deepEqual(
    configs.get('segment.bytes')!.synonyms.map((s) => [s.name, s.source]),
    [['log.segment.bytes', Source.DEFAULT]],
  );
});

// ------------------------------------------------------------------ AlterConfigs / IncrementalAlterConfigs

test('KafkaJS AlterConfigs replaces the overrides and DescribeConfigs shows TOPIC_CONFIG', async (t) => {
  const { admin, raw } = await setup(t);
  t.true(await admin.createTopics({ topics: [{ topic: 'alter', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '60000' }] }] }));

  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'alter', configEntries: [{ name: 'max.message.bytes', value: '2048' }, { name: 'cleanup.policy', value: 'compact' }] }],
  });
  let configs = await kafkaJSTopicConfigs(admin, 'alter');
  t.is(configs.get('max.message.bytes')!.configValue, '2048');
  t.is(configs.get('max.message.bytes')!.configSource, ConfigSource.TOPIC_CONFIG);
  t.is(configs.get('cleanup.policy')!.configValue, 'compact');
  t.is(configs.get('cleanup.policy')!.configSource, ConfigSource.TOPIC_CONFIG);
  // AlterConfigs is a full replacement: the earlier retention.ms override is gone.
  t.is(configs.get('retention.ms')!.configSource, ConfigSource.DEFAULT_CONFIG);
  t.is(configs.get('retention.ms')!.configValue, String(7 * 24 * 3600 * 1000));

  // The new limit applies to produces at once.
  const big = await raw.produce('alter', { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(3000, 2) }]) });
  t.is(big.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.MESSAGE_TOO_LARGE);

  // validateOnly changes nothing.
  await admin.alterConfigs({ validateOnly: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'alter', configEntries: [{ name: 'max.message.bytes', value: '999999' }] }] });
  configs = await kafkaJSTopicConfigs(admin, 'alter', ['max.message.bytes', 'cleanup.policy']);
  t.is(configs.get('max.message.bytes')!.configValue, '2048');
  t.is(configs.get('cleanup.policy')!.configValue, 'compact');

  // Invalid values and unknown names are INVALID_CONFIG (40), and nothing changes.
  for (const entry of [
    { name: 'retention.ms', value: 'forever' },
    { name: 'cleanup.policy', value: 'shred' },
    { name: 'no.such.config', value: '1' },
  ]) {
    const error = (await failure(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'alter', configEntries: [entry] }] }))) as {
      type?: string;
      code?: number;
    } | null;
    t.is(error?.type, 'INVALID_CONFIG', `${entry.name}=${entry.value}`);
    t.is(error?.code, 40);
  }
  configs = await kafkaJSTopicConfigs(admin, 'alter', ['max.message.bytes']);
  t.is(configs.get('max.message.bytes')!.configValue, '2048');

  // Removing every override returns the topic to the defaults.
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'alter', configEntries: [] }] });
  configs = await kafkaJSTopicConfigs(admin, 'alter');
  t.deepEqual(
    [...configs.values()].filter((c) => c.configSource === Source.TOPIC).map((c) => c.configName),
    [],
  );
  await assertRoundTrip(raw, 'alter');
});

test('@platformatic/kafka IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const admin = platformaticAdmin(t, broker);
  await admin.createTopics({ topics: ['inc'], partitions: 1, replicas: 1, configs: [{ name: 'segment.ms', value: '600000' }] });
  const alter = (configs: Parameters<Admin['incrementalAlterConfigs']>[0]['resources'][number]['configs'], validateOnly = false) =>
    admin.incrementalAlterConfigs({ resources: [{ resourceType: RESOURCE_TOPIC, resourceName: 'inc', configs }], validateOnly });

  await alter([
    { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '120000' },
    { name: 'max.message.bytes', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '65536' },
  ]);
  let configs = await platformaticTopicConfigs(admin, 'inc');
  t.is(configs.get('retention.ms')!.value, '120000');
  t.is(configs.get('retention.ms')!.configSource, Source.TOPIC);
  t.is(configs.get('max.message.bytes')!.value, '65536');
  t.is(configs.get('segment.ms')!.value, '600000', 'an incremental change keeps the other overrides');
  t.is(configs.get('segment.ms')!.configSource, Source.TOPIC);

  await alter([{ name: 'segment.ms', configOperation: IncrementalAlterConfigOperationTypes.DELETE }]);
  configs = await platformaticTopicConfigs(admin, 'inc');
  t.is(configs.get('segment.ms')!.configSource, Source.DEFAULT, 'DELETE drops the override');

  // APPEND to a list starts from the current value (here the default, "delete"), as Kafka does.
  await alter([{ name: 'cleanup.policy', configOperation: IncrementalAlterConfigOperationTypes.APPEND, value: 'compact' }]);
  configs = await platformaticTopicConfigs(admin, 'inc');
  t.is(configs.get('cleanup.policy')!.value, 'delete,compact');
  t.is(configs.get('cleanup.policy')!.configSource, Source.TOPIC);
  await alter([{ name: 'cleanup.policy', configOperation: IncrementalAlterConfigOperationTypes.SUBTRACT, value: 'delete' }]);
  configs = await platformaticTopicConfigs(admin, 'inc');
  t.is(configs.get('cleanup.policy')!.value, 'compact');

  // validateOnly changes nothing.
  await alter([{ name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '1' }], true);
  t.is((await platformaticTopicConfigs(admin, 'inc')).get('retention.ms')!.value, '120000');

  // Bad values are INVALID_CONFIG (40); so is APPEND to a non-list key, as in Kafka 3.7 (its
  // PlaintextAdminIntegrationTest expects InvalidConfigurationException there).
  t.is(findApiCode(await failure(alter([{ name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: 'later' }]))), 40);
  t.is(findApiCode(await failure(alter([{ name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.APPEND, value: '5' }]))), 40);
  t.is((await platformaticTopicConfigs(admin, 'inc')).get('retention.ms')!.value, '120000');

  // Unknown topic.
  const unknown = await failure(
    admin.incrementalAlterConfigs({ resources: [{ resourceType: RESOURCE_TOPIC, resourceName: 'nope', configs: [{ name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '1' }] }] }),
  );
  t.is(findApiCode(unknown), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

  const raw = await RawClient.connect(broker.port, broker.host);
  t.teardown(() => raw.close());
  await assertRoundTrip(raw, 'inc');
});

// ------------------------------------------------------------------ DescribeCluster

test('DescribeCluster (v0 and v1 through @platformatic/kafka) agrees with Metadata (KafkaJS describeCluster)', async (t) => {
  const { broker, admin } = await setup(t);
  const viaMetadata = await admin.describeCluster();
  t.deepEqual(viaMetadata.brokers, [{ nodeId: 1, host: broker.host, port: broker.port }]);
  t.is(viaMetadata.controller, 1);

  const connection = new Connection('describe-cluster-test');
  t.teardown(() => connection.close());
  await connection.connect(broker.host, broker.port);
  for (const api of [describeClusterV0, describeClusterV1]) {
    const cluster = await api.api.async(connection, false, 1);
    t.is(cluster.errorCode, 0);
    t.is(cluster.clusterId, viaMetadata.clusterId, `v${api.api.version}: same cluster id as Metadata`);
    t.is(cluster.controllerId, 1);
    t.deepEqual(cluster.brokers, [{ brokerId: 1, host: broker.host, port: broker.port, rack: null }]);
  }

  // num.partitions is static in Kafka too (not one of its dynamic broker configs): INVALID_REQUEST, and the
  // broker keeps serving.
  const alter = (await failure(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'num.partitions', value: '3' }] }] }))) as { type?: string } | null;
  t.is(alter?.type, 'INVALID_REQUEST');
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: RESOURCE_BROKER, name: '1', configNames: ['num.partitions'] }] });
  t.is(resources[0]!.configEntries[0]!.configValue, '1');
});

// Regression: UNSUPPORTED_ENDPOINT_TYPE was 119 (Kafka's INVALID_REGISTRATION) instead of 115.
test('DescribeCluster v1 asking for controller endpoints is UNSUPPORTED_ENDPOINT_TYPE (115)', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const connection = new Connection('describe-cluster-test');
  t.teardown(() => connection.close());
  await connection.connect(broker.host, broker.port);
  const controllers = await failure(describeClusterV1.api.async(connection, false, 2));
  t.is(findApiCode(controllers), 115);
  t.truthy((controllers as { findBy(k: string, v: unknown): unknown }).findBy('apiId', 'UNSUPPORTED_ENDPOINT_TYPE'));
});
