// What real clients see when the authorizer refuses them, and that the same client works once the ACL is there:
// kcat (librdkafka) producing and consuming, confluent-kafka's producer, and a KafkaJS consumer group (its topic,
// then its group).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { AclOperation as Op, ResourceType as Type } from '../../src/security/acl-model.js';
import type { RunningBroker } from '../../src/index.js';
import { requireKcat, requirePythonModule } from '../helpers/clients.js';
import { CLIENTS_DIR, run } from '../interop/drivers.js';
import { connectAsAdmin, grant } from './acl-helpers.js';
import { principal, startAuthorizingBroker } from './principals.js';

const { Kafka, logLevel } = kafkajs;

async function brokerWithTopic(t: ExecutionContext, topic: string): Promise<{ broker: RunningBroker; admin: Awaited<ReturnType<typeof connectAsAdmin>> }> {
  const broker = await startAuthorizingBroker();
  t.teardown(() => broker.close());
  const admin = await connectAsAdmin(t, broker);
  t.is((await admin.createTopic(topic)).topics[0]!.errorCode, ErrorCode.NONE);
  return { broker, admin };
}

function kcat(broker: RunningBroker, name: string, args: string[], input?: string) {
  return run(requireKcat(), ['-b', broker.bootstrap, ...principal(name).kcatArgs, ...args], { timeoutMs: 60_000, ...(input !== undefined ? { input } : {}) });
}

test('kcat: producing without WRITE fails with "Topic authorization failed", with it the messages are stored', async (t) => {
  const { broker, admin } = await brokerWithTopic(t, 'kcat-acl');
  const denied = await kcat(broker, 'alice', ['-P', '-t', 'kcat-acl', '-X', 'message.timeout.ms=10000'], 'one\ntwo\n');
  t.not(denied.code, 0);
  t.regex(denied.stderr, /Topic authorization failed/);
  t.is(await admin.offset('kcat-acl', 0), 0, 'nothing was stored');

  await grant(admin, 'alice', [{ resourceType: Type.TOPIC, resourceName: 'kcat-acl', operation: Op.WRITE }]);
  const allowed = await kcat(broker, 'alice', ['-P', '-t', 'kcat-acl'], 'one\ntwo\n');
  t.is(allowed.code, 0, allowed.stderr);
  t.is(await admin.offset('kcat-acl', 0), 2);
});

test('kcat: consuming without READ fails with "Topic authorization failed", with it the messages are read', async (t) => {
  const { broker, admin } = await brokerWithTopic(t, 'kcat-read');
  const seeded = await kcat(broker, 'admin', ['-P', '-t', 'kcat-read'], 'first\nsecond\n');
  t.is(seeded.code, 0, seeded.stderr);
  const denied = await kcat(broker, 'bob', ['-C', '-t', 'kcat-read', '-o', 'beginning', '-e']);
  t.not(denied.code, 0);
  t.regex(denied.stderr, /Topic authorization failed/);
  t.is(denied.stdout.toString('utf8'), '');

  await grant(admin, 'bob', [{ resourceType: Type.TOPIC, resourceName: 'kcat-read', operation: Op.READ }]);
  const allowed = await kcat(broker, 'bob', ['-C', '-t', 'kcat-read', '-o', 'beginning', '-e']);
  t.is(allowed.code, 0, allowed.stderr);
  t.deepEqual(allowed.stdout.toString('utf8').trim().split('\n'), ['first', 'second']);
});

test('confluent-kafka: a producer without WRITE gets TOPIC_AUTHORIZATION_FAILED delivery reports', async (t) => {
  const python = requirePythonModule('confluent_kafka');
  const { broker, admin } = await brokerWithTopic(t, 'confluent-acl');
  const dir = mkdtempSync(join(tmpdir(), 'spate-acl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const specs = join(dir, 'specs.jsonl');
  writeFileSync(specs, `${JSON.stringify({ p: 0, v: Buffer.from('hello').toString('base64') })}\n`);
  const produce = () =>
    run(
      python,
      [join(CLIENTS_DIR, 'confluent_client.py'), 'produce', '--bootstrap', broker.bootstrap, '--topic', 'confluent-acl', '--input', specs, '--timeout', '15', '--producer-config', `client.id=${principal('carol').clientId}`],
      { timeoutMs: 60_000, env: { PYTHONDONTWRITEBYTECODE: '1' } },
    );
  const denied = await produce();
  t.not(denied.code, 0);
  t.regex(denied.stderr, /Topic authorization failed/i);
  await grant(admin, 'carol', [{ resourceType: Type.TOPIC, resourceName: 'confluent-acl', operation: Op.WRITE }]);
  const allowed = await produce();
  t.is(allowed.code, 0, allowed.stderr);
  t.is(await admin.offset('confluent-acl', 0), 1);
});

test('KafkaJS consumer group: refused without READ on the topic, without DESCRIBE on the group (no coordinator), without READ on it (GROUP_AUTHORIZATION_FAILED); messages with all three', async (t) => {
  const { broker, admin } = await brokerWithTopic(t, 'group-acl');
  const seeded = await kcat(broker, 'admin', ['-P', '-t', 'group-acl'], 'm1\nm2\nm3\n');
  t.is(seeded.code, 0, seeded.stderr);
  const kafka = new Kafka({ clientId: principal('dave').clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const consume = async (): Promise<string[]> => {
    const consumer = kafka.consumer({ groupId: 'dave-group', retry: { retries: 0 }, sessionTimeout: 10_000, heartbeatInterval: 500 });
    const received: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: 'group-acl', fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.CRASH, (event) => reject(event.payload.error));
        void consumer
          .run({
            eachMessage: async ({ message }) => {
              received.push(message.value!.toString());
              if (received.length === 3) resolve();
            },
          })
          .catch(reject);
      });
      return received;
    } finally {
      await consumer.disconnect();
    }
  };
  // KafkaJS asks for the topic's metadata before it joins: the topic is refused first.
  const noTopic = await t.throwsAsync(consume());
  t.regex(`${noTopic.name} ${noTopic.message} ${JSON.stringify(noTopic)}`, /TOPIC_AUTHORIZATION_FAILED/);

  await grant(admin, 'dave', [{ resourceType: Type.TOPIC, resourceName: 'group-acl', operation: Op.READ }]);
  // Without DESCRIBE on the group its FindCoordinator is refused (GROUP_AUTHORIZATION_FAILED), which KafkaJS reports so.
  const noCoordinator = await t.throwsAsync(consume());
  t.is(noCoordinator.name, 'KafkaJSGroupCoordinatorNotFound');
  // DESCRIBE finds the coordinator; joining needs READ.
  await grant(admin, 'dave', [{ resourceType: Type.GROUP, resourceName: 'dave-group', operation: Op.DESCRIBE }]);
  const noGroup = await t.throwsAsync(consume());
  t.regex(`${noGroup.name} ${noGroup.message} ${JSON.stringify(noGroup)}`, /GROUP_AUTHORIZATION_FAILED/);

  await grant(admin, 'dave', [{ resourceType: Type.GROUP, resourceName: 'dave-group', operation: Op.READ }]);
  t.deepEqual(await consume(), ['m1', 'm2', 'm3']);
});
