// Dynamic broker configs through real admin clients: AlterConfigs (KafkaJS, confluent-kafka) and
// IncrementalAlterConfigs (@platformatic/kafka) on a BROKER resource, per broker ("1") and as the cluster
// default (""). The change takes effect at once (a batch over the new message.max.bytes is refused, the new
// retention deletes segments in a running broker), is described with Kafka's sources, and survives a restart.
import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { Admin, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { REPO_ROOT, startBrokerProcess, startTestBroker, temporaryDir } from '../helpers/broker.js';
import { requirePythonModule } from '../helpers/clients.js';
import { runOk } from '../interop/drivers.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

const RESOURCE_BROKER = 4;
const Source = { TOPIC: 1, DYNAMIC_BROKER: 2, DYNAMIC_DEFAULT_BROKER: 3, STATIC_BROKER: 4, DEFAULT: 5 } as const;
const CONFLUENT_ADMIN = join(REPO_ROOT, 'test/admin/clients/confluent_admin.py');

function kafkaFor(bootstrap: string) {
  return new Kafka({ clientId: 'dynamic-configs-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
}

async function kafkaJSAdmin(t: ExecutionContext, bootstrap: string) {
  const admin = kafkaFor(bootstrap).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  return admin;
}

function platformaticAdmin(t: ExecutionContext, bootstrap: string): Admin {
  const admin = new Admin({ clientId: 'dynamic-configs-test-plt', bootstrapBrokers: [bootstrap], retries: 0 });
  t.teardown(() => admin.close());
  return admin;
}

/** Produces one record of `bytes` bytes with KafkaJS; resolves to the Kafka error type, or null when stored. */
async function produceError(bootstrap: string, topic: string, bytes: number): Promise<string | null> {
  const producer = kafkaFor(bootstrap).producer({ retry: { retries: 0 }, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: Buffer.alloc(bytes, 7) }] });
    return null;
  } catch (error) {
    return (error as { type?: string }).type ?? String(error);
  } finally {
    await producer.disconnect();
  }
}

async function confluentAdmin(args: string[]): Promise<Record<string, unknown>> {
  const python = requirePythonModule('confluent_kafka');
  const result = await runOk(python, [CONFLUENT_ADMIN, ...args], { timeoutMs: 60_000, env: { PYTHONDONTWRITEBYTECODE: '1' } });
  const lines = result.stdout.toString('utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

test('KafkaJS AlterConfigs on broker 1: message.max.bytes applies at once and DescribeConfigs shows DYNAMIC_BROKER_CONFIG', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const admin = await kafkaJSAdmin(t, broker.bootstrap);
  t.true(await admin.createTopics({ topics: [{ topic: 'sized', numPartitions: 1 }] }));
  t.is(await produceError(broker.bootstrap, 'sized', 8000), null, 'an 8 kB record fits the default limit');

  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'message.max.bytes', value: '4096' }] }] });
  t.is(await produceError(broker.bootstrap, 'sized', 8000), 'MESSAGE_TOO_LARGE', 'the new broker-wide limit applies to a topic without its own');
  t.is(await produceError(broker.bootstrap, 'sized', 1000), null);

  const { resources } = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['message.max.bytes', 'num.partitions'] }] });
  const entries = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
  const maxBytes = entries.get('message.max.bytes')!;
  t.is(maxBytes.configValue, '4096');
  t.is(maxBytes.configSource, Source.DYNAMIC_BROKER);
  t.false(maxBytes.readOnly, 'a dynamic config is not read-only');
  t.deepEqual(maxBytes.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource]), [
    ['message.max.bytes', '4096', Source.DYNAMIC_BROKER],
    ['message.max.bytes', '1048588', Source.DEFAULT],
  ]);
  t.true(entries.get('num.partitions')!.readOnly, 'num.partitions is static in Kafka');

  const topic = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'sized', configNames: ['max.message.bytes'] }] });
  const topicEntry = topic.resources[0]!.configEntries[0]!;
  t.is(topicEntry.configValue, '4096');
  t.is(topicEntry.configSource, Source.DYNAMIC_BROKER, "the topic's value comes from the dynamic broker config");

  // Replacing the broker's set with nothing removes the dynamic value again.
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [] }] });
  t.is(await produceError(broker.bootstrap, 'sized', 8000), null);
});

test('@platformatic/kafka IncrementalAlterConfigs: cluster default ("") and per-broker levels, their precedence, and Kafka error codes', async (t) => {
  // Node id 0: @platformatic/kafka sends a resource named "" to the broker whose id is Number(""), that is 0.
  const broker = await startTestBroker({ config: { 'node.id': 0 } });
  t.teardown(() => broker.close());
  const admin = platformaticAdmin(t, broker.bootstrap);
  const alter = (resourceName: string, configs: Parameters<Admin['incrementalAlterConfigs']>[0]['resources'][number]['configs'], validateOnly = false) =>
    admin.incrementalAlterConfigs({ resources: [{ resourceType: RESOURCE_BROKER, resourceName, configs }], validateOnly });
  const describe = async (resourceName: string) => {
    const [described] = await admin.describeConfigs({ resources: [{ resourceType: RESOURCE_BROKER, resourceName }], includeSynonyms: true });
    return new Map(described!.configs.map((c) => [c.name, c]));
  };
  const SET = IncrementalAlterConfigOperationTypes.SET;

  await alter('', [{ name: 'log.retention.ms', configOperation: SET, value: '3600000' }]);
  let all = await describe('0');
  t.is(all.get('log.retention.ms')!.value, '3600000');
  t.is(all.get('log.retention.ms')!.configSource, Source.DYNAMIC_DEFAULT_BROKER);
  // The cluster-default resource lists only what is set at that level.
  const defaults = await describe('');
  t.deepEqual([...defaults.keys()], ['log.retention.ms']);
  t.is(defaults.get('log.retention.ms')!.configSource, Source.DYNAMIC_DEFAULT_BROKER);

  // A per-broker value wins over the cluster default; both are listed, most specific first.
  await alter('0', [{ name: 'log.retention.ms', configOperation: SET, value: '60000' }]);
  all = await describe('0');
  t.is(all.get('log.retention.ms')!.value, '60000');
  t.deepEqual(all.get('log.retention.ms')!.synonyms.map((s) => [s.name, s.value, s.source]), [
    ['log.retention.ms', '60000', Source.DYNAMIC_BROKER],
    ['log.retention.ms', '3600000', Source.DYNAMIC_DEFAULT_BROKER],
    ['log.retention.hours', '168', Source.DEFAULT],
  ]);
  await alter('0', [{ name: 'log.retention.ms', configOperation: IncrementalAlterConfigOperationTypes.DELETE }]);
  t.is((await describe('0')).get('log.retention.ms')!.value, '3600000', 'DELETE falls back to the cluster default');

  // APPEND works on the list log.cleanup.policy, starting from Kafka's default.
  await alter('0', [{ name: 'log.cleanup.policy', configOperation: IncrementalAlterConfigOperationTypes.APPEND, value: 'compact' }]);
  t.is((await describe('0')).get('log.cleanup.policy')!.value, 'delete,compact');

  // Long values above 2^53 round-trip exactly.
  await alter('', [{ name: 'log.flush.interval.messages', configOperation: SET, value: '9223372036854775806' }]);
  t.is((await describe('0')).get('log.flush.interval.messages')!.value, '9223372036854775806');

  // validateOnly changes nothing.
  await alter('0', [{ name: 'message.max.bytes', configOperation: SET, value: '2048' }], true);
  t.is((await describe('0')).get('message.max.bytes')!.value, '1048588');

  // Kafka's answers: a static config and a bad value are INVALID_REQUEST (42); APPEND to
  // a non-list is INVALID_CONFIG (40). Nothing changes.
  const apiCode = (error: unknown): number | undefined => {
    const e = error as { apiCode?: number; errors?: unknown[]; cause?: unknown } | undefined;
    return e?.apiCode ?? (e?.errors ?? []).map(apiCode).find((c) => c !== undefined) ?? (e?.cause ? apiCode(e.cause) : undefined);
  };
  const code = (promise: Promise<unknown>) => promise.then(() => undefined, apiCode);
  t.is(await code(alter('0', [{ name: 'num.partitions', configOperation: SET, value: '3' }])), 42);
  t.is(await code(alter('0', [{ name: 'log.message.format.version', configOperation: SET, value: '2.8' }])), 42);
  t.is(await code(alter('0', [{ name: 'message.max.bytes', configOperation: SET, value: 'huge' }])), 42);
  t.is(await code(alter('0', [{ name: 'message.max.bytes', configOperation: IncrementalAlterConfigOperationTypes.APPEND, value: '1' }])), 40);
  t.is((await describe('0')).get('message.max.bytes')!.value, '1048588');
  t.is((await describe('0')).get('num.partitions')!.value, '1');
});

test('a dynamic log.retention.bytes reaches the partition workers: a running broker deletes old segments under it', async (t) => {
  const broker = await startTestBroker({ config: { 'log.retention.check.interval.ms': 100 } });
  t.teardown(() => broker.close());
  const kafka = kafkaFor(broker.bootstrap);
  const admin = await kafkaJSAdmin(t, broker.bootstrap);
  t.true(await admin.createTopics({ topics: [{ topic: 'retained', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1024' }] }] }));
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (let i = 0; i < 20; i++) await producer.send({ topic: 'retained', acks: -1, messages: [{ key: `k${i}`, value: Buffer.alloc(400, i) }] });
  await producer.disconnect();
  const low = async () => Number((await admin.fetchTopicOffsets('retained'))[0]!.low);
  // Nothing is deleted under the default retention, even after several checks.
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.is(await low(), 0);

  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'log.retention.bytes', value: '1' }] }] });
  const deadline = Date.now() + 20_000;
  while ((await low()) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  t.true((await low()) > 0, 'old segments were deleted under the new broker-wide retention.bytes');
  const high = Number((await admin.fetchTopicOffsets('retained'))[0]!.high);
  t.is(high, 20, 'the log end offset stays where it was');
});

test('dynamic broker configs survive a restart (confluent-kafka AlterConfigs, then a new broker process)', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  let broker = await startBrokerProcess(dir.path);
  t.teardown(() => broker.stop());
  const admin = await kafkaJSAdmin(t, broker.bootstrap);
  t.true(await admin.createTopics({ topics: [{ topic: 'kept', numPartitions: 1 }] }));
  await admin.disconnect();

  t.deepEqual(await confluentAdmin(['alter-broker', '--bootstrap', broker.bootstrap, '--broker', '1', '--set', 'message.max.bytes=2048', '--set', 'log.segment.bytes=1048576']), { error: null });
  t.true(existsSync(join(dir.path, 'spate-dynamic-configs.json')), 'persisted in the data dir');
  t.is(await produceError(broker.bootstrap, 'kept', 4000), 'MESSAGE_TOO_LARGE');
  // A config Kafka cannot change at run time is refused by confluent-kafka's AlterConfigs too.
  const refused = await confluentAdmin(['alter-broker', '--bootstrap', broker.bootstrap, '--broker', '1', '--set', 'auto.create.topics.enable=false']);
  t.is(refused['error'], 42);

  t.is(await broker.stop(), 0);
  broker = await startBrokerProcess(dir.path);
  const described = await confluentAdmin(['describe-broker', '--bootstrap', broker.bootstrap, '--broker', '1', '--name', 'message.max.bytes', '--name', 'log.segment.bytes', '--name', 'auto.create.topics.enable']);
  t.deepEqual(described['message.max.bytes'], { value: '2048', source: Source.DYNAMIC_BROKER, read_only: false });
  t.deepEqual(described['log.segment.bytes'], { value: '1048576', source: Source.DYNAMIC_BROKER, read_only: false });
  t.deepEqual(described['auto.create.topics.enable'], { value: 'true', source: Source.DEFAULT, read_only: true });
  t.is(await produceError(broker.bootstrap, 'kept', 4000), 'MESSAGE_TOO_LARGE', 'still in effect after the restart');
  t.is(await produceError(broker.bootstrap, 'kept', 1000), null);
});
