// How ACLs decide, as Kafka's StandardAuthorizer: deny beats allow, prefixed and wildcard patterns match, super
// users pass every deny, implied DESCRIBE, hosts, and allow.everyone.if.no.acl.found. The decision table runs on
// the authorizer itself; the rules that matter to users are also shown with KafkaJS against a live broker.
import test from 'ava';
import kafkajs from 'kafkajs';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey, type CreateAclsResponse } from '../../src/protocol/generated/index.js';
import { AclOperation as Op, AclPermissionType as Permission, PatternType, ResourceType as Type, WILDCARD, type AclBinding } from '../../src/security/acl-model.js';
import type { AclChange, AclStore } from '../../src/security/acl-store.js';
import { StandardAuthorizer, type Session } from '../../src/security/authorizer.js';
import { connectAsAdmin, connectAs, grant } from './acl-helpers.js';
import { principal, startAuthorizingBroker } from './principals.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { RawClient } from '../helpers/raw-client.js';

const { Kafka, logLevel } = kafkajs;

/** ACLs kept in memory: the decision table needs no disk. */
class MemoryAclStore implements AclStore {
  readonly changes: AclChange[] = [];
  async load(): Promise<AclBinding[]> {
    return [];
  }
  async apply(change: AclChange): Promise<void> {
    this.changes.push(change);
  }
}

function acl(principalName: string, operation: number, resourceName: string, options: Partial<AclBinding> = {}): AclBinding {
  return {
    resourceType: Type.TOPIC,
    resourceName,
    patternType: PatternType.LITERAL,
    principal: principalName,
    host: WILDCARD,
    operation,
    permissionType: Permission.ALLOW,
    ...options,
  };
}

const alice: Session = { principal: { type: 'User', name: 'alice' }, host: '10.0.0.1' };
const bob: Session = { principal: { type: 'User', name: 'bob' }, host: '10.0.0.2' };
const admin: Session = { principal: { type: 'User', name: 'admin' }, host: '10.0.0.3' };

async function authorizerWith(acls: AclBinding[], allowIfNoAcl = false): Promise<StandardAuthorizer> {
  const authorizer = await StandardAuthorizer.start({ superUsers: 'User:admin; User:ops', allowIfNoAcl }, new MemoryAclStore());
  const outcomes = await authorizer.create(acls);
  if (outcomes.some((o) => o !== null)) throw new Error(`ACLs refused: ${JSON.stringify(outcomes)}`);
  return authorizer;
}

test('deny beats allow, whichever pattern each comes from', async (t) => {
  const authorizer = await authorizerWith([
    acl('User:alice', Op.WRITE, 'orders', { patternType: PatternType.PREFIXED }),
    acl('User:alice', Op.WRITE, 'orders-eu', { permissionType: Permission.DENY }),
    acl('User:*', Op.READ, WILDCARD),
    acl('User:alice', Op.READ, 'orders-', { patternType: PatternType.PREFIXED, permissionType: Permission.DENY }),
  ]);
  t.true(authorizer.authorize(alice, Op.WRITE, Type.TOPIC, 'orders-us'));
  t.false(authorizer.authorize(alice, Op.WRITE, Type.TOPIC, 'orders-eu'));
  // The wildcard allow is beaten by the prefixed deny, for alice only.
  t.false(authorizer.authorize(alice, Op.READ, Type.TOPIC, 'orders-us'));
  t.true(authorizer.authorize(bob, Op.READ, Type.TOPIC, 'orders-us'));
  // Super users pass every deny.
  t.true(authorizer.authorize(admin, Op.WRITE, Type.TOPIC, 'orders-eu'));
});

test('prefixed patterns match names that start with them, literal ones the exact name, * every name', async (t) => {
  const authorizer = await authorizerWith([
    acl('User:alice', Op.WRITE, 'logs-', { patternType: PatternType.PREFIXED }),
    acl('User:alice', Op.READ, 'metrics'),
    acl('User:bob', Op.READ, WILDCARD),
  ]);
  t.true(authorizer.authorize(alice, Op.WRITE, Type.TOPIC, 'logs-'));
  t.true(authorizer.authorize(alice, Op.WRITE, Type.TOPIC, 'logs-app'));
  t.false(authorizer.authorize(alice, Op.WRITE, Type.TOPIC, 'logs'));
  t.false(authorizer.authorize(alice, Op.WRITE, Type.TOPIC, 'app-logs-x'));
  t.true(authorizer.authorize(alice, Op.READ, Type.TOPIC, 'metrics'));
  t.false(authorizer.authorize(alice, Op.READ, Type.TOPIC, 'metrics2'));
  t.true(authorizer.authorize(bob, Op.READ, Type.TOPIC, 'anything'));
  // A topic ACL says nothing about a group of the same name.
  t.false(authorizer.authorize(bob, Op.READ, Type.GROUP, 'anything'));
});

test('READ, WRITE, DELETE and ALTER imply DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS, ALL allows everything; a DENY implies nothing', async (t) => {
  const implied = async (operation: number) => (await authorizerWith([acl('User:alice', operation, 't')])).authorize(alice, Op.DESCRIBE, Type.TOPIC, 't');
  for (const operation of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER, Op.DESCRIBE]) t.true(await implied(operation), `${operation} implies DESCRIBE`);
  for (const operation of [Op.CREATE, Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS]) t.false(await implied(operation), `${operation} does not imply DESCRIBE`);
  const configs = await authorizerWith([acl('User:alice', Op.ALTER_CONFIGS, 't')]);
  t.true(configs.authorize(alice, Op.DESCRIBE_CONFIGS, Type.TOPIC, 't'));
  const everything = await authorizerWith([acl('User:alice', Op.ALL, 't')]);
  for (const operation of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER_CONFIGS]) t.true(everything.authorize(alice, operation, Type.TOPIC, 't'));
  // A DENY for READ does not deny DESCRIBE (which WRITE still allows).
  const denyRead = await authorizerWith([acl('User:alice', Op.WRITE, 't'), acl('User:alice', Op.READ, 't', { permissionType: Permission.DENY })]);
  t.true(denyRead.authorize(alice, Op.DESCRIBE, Type.TOPIC, 't'));
  t.false(denyRead.authorize(alice, Op.READ, Type.TOPIC, 't'));
});

test('hosts: an ACL for one address applies to that address only', async (t) => {
  const authorizer = await authorizerWith([acl('User:alice', Op.READ, 't', { host: '10.0.0.1' })]);
  t.true(authorizer.authorize(alice, Op.READ, Type.TOPIC, 't'));
  t.false(authorizer.authorize({ ...alice, host: '10.0.0.9' }, Op.READ, Type.TOPIC, 't'));
});

test('allow.everyone.if.no.acl.found allows only resources no ACL covers (for anyone)', async (t) => {
  const open = await authorizerWith([acl('User:bob', Op.READ, 'private')], true);
  t.true(open.authorize(alice, Op.WRITE, Type.TOPIC, 'public'));
  t.false(open.authorize(alice, Op.READ, Type.TOPIC, 'private'), 'an ACL covers it, for bob: alice is denied');
  const closed = await authorizerWith([], false);
  t.false(closed.authorize(alice, Op.WRITE, Type.TOPIC, 'public'));
  t.true(closed.authorize({ principal: { type: 'User', name: 'ops' }, host: '1.2.3.4' }, Op.WRITE, Type.TOPIC, 'public'), 'the second super user');
});

test('authorizeByResourceType: WRITE on some topic, unless a deny covers every allowed one', async (t) => {
  const some = await authorizerWith([acl('User:alice', Op.WRITE, 'a-', { patternType: PatternType.PREFIXED })]);
  t.true(some.authorizeByResourceType(alice, Op.WRITE, Type.TOPIC));
  t.false(some.authorizeByResourceType(bob, Op.WRITE, Type.TOPIC));
  const dominated = await authorizerWith([
    acl('User:alice', Op.WRITE, 'a-x'),
    acl('User:alice', Op.WRITE, 'a-', { patternType: PatternType.PREFIXED, permissionType: Permission.DENY }),
  ]);
  t.false(dominated.authorizeByResourceType(alice, Op.WRITE, Type.TOPIC));
});

test('a cached decision is dropped when the ACLs change', async (t) => {
  const authorizer = await authorizerWith([acl('User:alice', Op.READ, 't')]);
  t.true(authorizer.authorize(alice, Op.READ, Type.TOPIC, 't'));
  await authorizer.create([acl('User:alice', Op.READ, 't', { permissionType: Permission.DENY })]);
  t.false(authorizer.authorize(alice, Op.READ, Type.TOPIC, 't'));
  await authorizer.delete([{ resourceType: Type.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: Op.ANY, permissionType: Permission.DENY }]);
  t.true(authorizer.authorize(alice, Op.READ, Type.TOPIC, 't'));
});

// ---------------------------------------------------------------- live, with KafkaJS

test('live: a prefixed ALLOW lets KafkaJS produce to every matching topic, a literal DENY takes one back, the super user is never denied', async (t) => {
  const broker = await startAuthorizingBroker();
  t.teardown(() => broker.close());
  const adminRaw = await connectAsAdmin(t, broker);
  for (const topic of ['orders-us', 'orders-eu', 'payments']) t.is((await adminRaw.createTopic(topic)).topics[0]!.errorCode, ErrorCode.NONE);
  await grant(adminRaw, 'alice', [{ resourceType: Type.TOPIC, resourceName: 'orders-', patternType: PatternType.PREFIXED, operation: Op.WRITE }]);

  const producerFor = async (name: string) => {
    const kafka = new Kafka({ clientId: principal(name).clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    return producer;
  };
  const send = (producer: Awaited<ReturnType<typeof producerFor>>, topic: string) => producer.send({ topic, acks: -1, messages: [{ value: `to ${topic}` }] });
  const alice = await producerFor('alice');
  await t.notThrowsAsync(send(alice, 'orders-us'));
  await t.notThrowsAsync(send(alice, 'orders-eu'));
  const refused = await t.throwsAsync(send(alice, 'payments'));
  t.regex(String(refused.message) + JSON.stringify(refused), /authoriz/i);

  await grant(adminRaw, 'alice', [{ resourceType: Type.TOPIC, resourceName: 'orders-eu', operation: Op.WRITE, permissionType: Permission.DENY }]);
  const denied = await t.throwsAsync(send(alice, 'orders-eu'));
  t.regex(String(denied.message) + JSON.stringify(denied), /authoriz/i);
  await t.notThrowsAsync(send(alice, 'orders-us'));

  // A DENY for everyone does not stop the super user.
  const everyoneDenied = await adminRaw.request<CreateAclsResponse>(ApiKey.CreateAcls, 3, {
    creations: [{ resourceType: Type.TOPIC, resourceName: 'payments', resourcePatternType: PatternType.LITERAL, principal: 'User:*', host: '*', operation: Op.ALL, permissionType: Permission.DENY }],
  });
  t.is(everyoneDenied.results[0]!.errorCode, ErrorCode.NONE);
  const admin = await producerFor('admin');
  await t.notThrowsAsync(send(admin, 'payments'));
});

test('live: with allow.everyone.if.no.acl.found an unauthenticated client writes where no ACL exists, and is denied once one does', async (t) => {
  const broker = await startAuthorizingBroker({ config: { 'allow.everyone.if.no.acl.found': true } });
  t.teardown(() => broker.close());
  const adminRaw = await connectAsAdmin(t, broker);
  t.is((await adminRaw.createTopic('open')).topics[0]!.errorCode, ErrorCode.NONE);
  const alice = await connectAs(t, broker, 'alice');
  // A client that does not authenticate is User:ANONYMOUS.
  const raw = await RawClient.connect(broker.port, broker.host, 'plain-client');
  t.teardown(() => raw.close());
  const produce = async (client: RawClient) =>
    (await client.produce('open', { partition: 0, records: buildRecordBatch([{ value: Buffer.from('x') }]) })).responses[0]!.partitionResponses[0]!.errorCode;
  t.is(await produce(raw), ErrorCode.NONE);
  t.is(await produce(alice), ErrorCode.NONE);
  await grant(adminRaw, 'someone-else', [{ resourceType: Type.TOPIC, resourceName: 'open', operation: Op.READ }]);
  t.is(await produce(raw), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  t.is(await produce(alice), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
});
