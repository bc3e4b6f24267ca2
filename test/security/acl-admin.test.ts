// CreateAcls, DescribeAcls and DeleteAcls through real admin clients: KafkaJS (v1-v3 of the APIs) with every kind of
// filter, kafka-python (v0-v1), the bindings Kafka refuses, the ACLs surviving a restart (spate-acls.json), a damaged
// ACL file stopping the start, and SECURITY_DISABLED without an authorizer. (Debian's confluent-kafka 1.7.0 has no
// ACL admin API; librdkafka-based clients are covered by the kcat denials in client-denials.test.ts.)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import type { AclEntry, AclFilter } from 'kafkajs';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { operationName, patternTypeName, permissionTypeName, resourceTypeName } from '../../src/security/acl-model.js';
import { ApiKey, type CreateAclsResponse, type DescribeAclsResponse } from '../../src/protocol/generated/index.js';
import { SpateError, startBroker, type RunningBroker } from '../../src/index.js';
import { REPO_ROOT, startTestBroker, temporaryDir } from '../helpers/broker.js';
import { requirePythonModule } from '../helpers/clients.js';
import { runOk } from '../interop/drivers.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { connectAs } from './acl-helpers.js';
import { ADMIN, principal, startAuthorizingBroker } from './principals.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;

async function kafkaJsAdmin(t: ExecutionContext, broker: RunningBroker, name: string) {
  const kafka = new Kafka({ clientId: principal(name).clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  return admin;
}

const entry = (overrides: Partial<AclEntry>): AclEntry => ({
  resourceType: AclResourceTypes.TOPIC,
  resourceName: 'orders',
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: AclOperationTypes.READ,
  permissionType: AclPermissionTypes.ALLOW,
  ...overrides,
});

const anyFilter: AclFilter = {
  resourceType: AclResourceTypes.ANY,
  resourcePatternType: ResourcePatternTypes.ANY,
  operation: AclOperationTypes.ANY,
  permissionType: AclPermissionTypes.ANY,
};

/** Every ACL a describe returns, flattened and sorted, as "PERMISSION principal host OPERATION TYPE:PATTERN:name". */
function flat(resources: Awaited<ReturnType<Awaited<ReturnType<typeof kafkaJsAdmin>>['describeAcls']>>['resources']): string[] {
  return resources
    .flatMap((r) =>
      r.acls.map(
        (a) =>
          `${permissionTypeName(a.permissionType)} ${a.principal} ${a.host} ${operationName(a.operation)} ${resourceTypeName(r.resourceType)}:${patternTypeName(r.resourcePatternType)}:${r.resourceName}`,
      ),
    )
    .sort();
}

test('KafkaJS creates ACLs, describes them through every kind of filter, and deletes by filter', async (t) => {
  const broker = await startAuthorizingBroker();
  t.teardown(() => broker.close());
  const admin = await kafkaJsAdmin(t, broker, ADMIN);
  t.true(
    await admin.createAcls({
      acl: [
        entry({}),
        entry({ operation: AclOperationTypes.WRITE, principal: 'User:bob' }),
        entry({ resourceName: 'ord', resourcePatternType: ResourcePatternTypes.PREFIXED, permissionType: AclPermissionTypes.DENY, principal: 'User:bob' }),
        entry({ resourceName: '*', principal: 'User:*', operation: AclOperationTypes.DESCRIBE }),
        entry({ resourceType: AclResourceTypes.GROUP, resourceName: 'billing', host: '10.1.1.1' }),
        entry({ resourceType: AclResourceTypes.CLUSTER, resourceName: 'kafka-cluster', operation: AclOperationTypes.ALTER, principal: 'User:ops' }),
        entry({ resourceType: AclResourceTypes.TRANSACTIONAL_ID, resourceName: 'tx-', resourcePatternType: ResourcePatternTypes.PREFIXED, operation: AclOperationTypes.WRITE }),
        // Creating an ACL that exists already is a success that changes nothing.
        entry({}),
      ],
    }),
  );
  const describe = async (filter: Partial<AclFilter>) => flat((await admin.describeAcls({ ...anyFilter, ...filter })).resources);
  t.is((await describe({})).length, 7);
  t.deepEqual(await describe({ resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL }), [
    'ALLOW User:alice * READ TOPIC:LITERAL:orders',
    'ALLOW User:bob * WRITE TOPIC:LITERAL:orders',
  ]);
  // MATCH: everything that applies to a topic named orders: its literal ACLs, the wildcard and the prefix.
  t.deepEqual(await describe({ resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.MATCH }), [
    'ALLOW User:* * DESCRIBE TOPIC:LITERAL:*',
    'ALLOW User:alice * READ TOPIC:LITERAL:orders',
    'ALLOW User:bob * WRITE TOPIC:LITERAL:orders',
    'DENY User:bob * READ TOPIC:PREFIXED:ord',
  ]);
  t.deepEqual(await describe({ resourcePatternType: ResourcePatternTypes.PREFIXED }), ['ALLOW User:alice * WRITE TRANSACTIONAL_ID:PREFIXED:tx-', 'DENY User:bob * READ TOPIC:PREFIXED:ord']);
  t.deepEqual(await describe({ principal: 'User:bob' }), ['ALLOW User:bob * WRITE TOPIC:LITERAL:orders', 'DENY User:bob * READ TOPIC:PREFIXED:ord']);
  t.deepEqual(await describe({ host: '10.1.1.1' }), ['ALLOW User:alice 10.1.1.1 READ GROUP:LITERAL:billing']);
  t.deepEqual(await describe({ operation: AclOperationTypes.ALTER }), ['ALLOW User:ops * ALTER CLUSTER:LITERAL:kafka-cluster']);
  t.deepEqual(await describe({ permissionType: AclPermissionTypes.DENY }), ['DENY User:bob * READ TOPIC:PREFIXED:ord']);

  const deleted = await admin.deleteAcls({ filters: [{ ...anyFilter, principal: 'User:bob' }, { ...anyFilter, resourceType: AclResourceTypes.GROUP }] });
  t.deepEqual(
    deleted.filterResponses.map((r) => [r.errorCode, r.matchingAcls.length]),
    [
      [0, 2],
      [0, 1],
    ],
  );
  t.deepEqual(await describe({ resourceType: AclResourceTypes.TOPIC }), ['ALLOW User:* * DESCRIBE TOPIC:LITERAL:*', 'ALLOW User:alice * READ TOPIC:LITERAL:orders']);
});

test('KafkaJS: the bindings Kafka refuses are INVALID_REQUEST with the reason, and a principal without ALTER on the cluster is refused', async (t) => {
  const broker = await startAuthorizingBroker();
  t.teardown(() => broker.close());
  const raw = await connectAs(t, broker, ADMIN);
  const create = async (creation: Record<string, unknown>) =>
    (
      await raw.request<CreateAclsResponse>(ApiKey.CreateAcls, 3, {
        creations: [{ resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3, ...creation }],
      })
    ).results[0]!;
  const refusals: Array<[Record<string, unknown>, RegExp]> = [
    [{ resourceType: 4, resourceName: 'my-cluster' }, /only valid name for the CLUSTER resource is kafka-cluster/],
    [{ resourceName: '' }, /empty resource name/],
    [{ resourceType: 1 }, /Invalid resourceType ANY/],
    [{ resourcePatternType: 2 }, /Invalid patternType MATCH/],
    [{ resourcePatternType: 1 }, /Invalid patternType ANY/],
    [{ operation: 1 }, /Invalid operation ANY/],
    [{ operation: 99 }, /Invalid operation UNKNOWN/],
    [{ permissionType: 1 }, /Invalid permissionType ANY/],
    [{ principal: 'alice' }, /Invalid principal/],
  ];
  for (const [creation, reason] of refusals) {
    const result = await create(creation);
    t.is(result.errorCode, ErrorCode.INVALID_REQUEST, JSON.stringify(creation));
    t.regex(result.errorMessage ?? '', reason);
  }
  // v0 predates pattern types: a prefixed ACL cannot be said in it.
  const v0 = await raw.request<CreateAclsResponse>(ApiKey.CreateAcls, 0, {
    creations: [{ resourceType: 2, resourceName: 't', resourcePatternType: 4, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
  });
  t.is(v0.results[0]!.errorCode, ErrorCode.NONE, 'v0 has no pattern field: the creation is LITERAL');
  const described = await raw.request<DescribeAclsResponse>(ApiKey.DescribeAcls, 0, {
    resourceTypeFilter: 2,
    resourceNameFilter: 't',
    patternTypeFilter: 3,
    principalFilter: null,
    hostFilter: null,
    operation: 1,
    permissionType: 1,
  });
  t.deepEqual(described.resources.map((r) => [r.resourceName, r.acls.length]), [['t', 1]]);

  const alice = await kafkaJsAdmin(t, broker, 'alice');
  const refused = await t.throwsAsync(alice.createAcls({ acl: [entry({})] }));
  t.regex(JSON.stringify(refused) + refused.message, /CLUSTER_AUTHORIZATION_FAILED|Cluster authorization failed/);
  const refusedDescribe = await t.throwsAsync(alice.describeAcls(anyFilter));
  t.regex(JSON.stringify(refusedDescribe) + refusedDescribe.message, /CLUSTER_AUTHORIZATION_FAILED|Cluster authorization failed/);
});

test('kafka-python (CreateAcls, DescribeAcls, DeleteAcls v0-1) manages ACLs the broker then enforces', async (t) => {
  const broker = await startAuthorizingBroker();
  t.teardown(() => broker.close());
  const python = requirePythonModule('kafka');
  const script = join(REPO_ROOT, 'test/security/clients/kafka_python_acls.py');
  const run = async (args: string[]) => {
    const result = await runOk(python, [script, ...args, '--bootstrap', broker.bootstrap, '--client-id', principal(ADMIN).clientId], { timeoutMs: 60_000, env: { PYTHONDONTWRITEBYTECODE: '1' } });
    return JSON.parse(result.stdout.toString('utf8').trim().split('\n').pop()!) as unknown;
  };
  const created = (await run(['create', '--acl', 'User:carol,*,WRITE,ALLOW,TOPIC,audit,LITERAL', '--acl', 'User:carol,*,READ,DENY,TOPIC,audit,LITERAL'])) as {
    succeeded: unknown[];
    failed: unknown[];
  };
  t.is(created.succeeded.length, 2, JSON.stringify(created));
  t.deepEqual(created.failed, []);
  const described = (await run(['describe', '--principal', 'User:carol', '--resource-type', 'TOPIC', '--name', 'audit', '--pattern', 'LITERAL'])) as { error: string; acls: Array<{ operation: string }> };
  t.is(described.error, 'NoError');
  t.deepEqual(described.acls.map((a) => a.operation).sort(), ['READ', 'WRITE']);

  const raw = await connectAs(t, broker, ADMIN);
  t.is((await raw.createTopic('audit')).topics[0]!.errorCode, ErrorCode.NONE);
  const carol = await connectAs(t, broker, 'carol');
  const produce = async () => (await carol.produce('audit', { partition: 0, records: buildRecordBatch([{ value: Buffer.from('entry') }]) })).responses[0]!.partitionResponses[0]!.errorCode;
  t.is(await produce(), ErrorCode.NONE);
  t.is((await carol.fetch('audit', 0, 0)).responses[0]!.partitions[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);

  const deleted = (await run(['delete', '--principal', 'User:carol'])) as Array<{ error: string; deleted: unknown[] }>;
  t.is(deleted[0]!.error, 'NoError');
  t.is(deleted[0]!.deleted.length, 2);
  t.is(await produce(), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
});

test('ACLs survive a restart (spate-acls.json), and a damaged ACL file stops the start with a coded error', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const first = await startAuthorizingBroker({ dataDir: dir.path });
  const admin = await kafkaJsAdmin(t, first, ADMIN);
  await admin.createAcls({ acl: [entry({ resourceName: 'kept', operation: AclOperationTypes.WRITE })] });
  await admin.disconnect();
  await first.close();

  const second = await startAuthorizingBroker({ dataDir: dir.path });
  t.teardown(() => second.close());
  const raw = await connectAs(t, second, ADMIN);
  t.is((await raw.createTopic('kept')).topics[0]!.errorCode, ErrorCode.NONE);
  const alice = await connectAs(t, second, 'alice');
  const produced = await alice.produce('kept', { partition: 0, records: buildRecordBatch([{ value: Buffer.from('after restart') }]) });
  t.is(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  await second.close();

  writeFileSync(join(dir.path, 'spate-acls.json'), '{"version": 1, "acls": [{"resourceType": "TOPIC"}]}');
  const error = await t.throwsAsync(startAuthorizingBroker({ dataDir: dir.path }));
  t.true(error instanceof SpateError);
  t.is((error as SpateError).code, 'SPATE_SECURITY_FILE_INVALID');
  t.regex(error.message, /spate-acls\.json is damaged/);
});

test('without an authorizer the ACL APIs answer SECURITY_DISABLED and every request is allowed', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const admin = await kafkaJsAdmin(t, broker, 'anyone');
  const created = await t.throwsAsync(admin.createAcls({ acl: [entry({})] }));
  t.regex(JSON.stringify(created) + created.message, /SECURITY_DISABLED|Security features are disabled/);
  const described = await t.throwsAsync(admin.describeAcls(anyFilter));
  t.regex(JSON.stringify(described) + described.message, /SECURITY_DISABLED|Security features are disabled/);
  t.true(await admin.createTopics({ topics: [{ topic: 'open-topic' }] }));
});

test('startBroker refuses a super.users entry that is not type:name', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const error = await t.throwsAsync(
    startBroker({ logLevel: 'silent', dataDir: dir.path, config: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'admin' } }),
  );
  t.is((error as SpateError).code, 'SPATE_CONFIG_INVALID');
  t.regex(error.message, /super\.users/);
});
