// `spate acls` and `spate quotas` against a live broker: the ACLs the CLI creates are the ones the broker then
// enforces, `list` filters like kafka-acls.sh, `delete` removes by filter, quotas are set, shown and removed, and
// a refusal is one line on stderr with exit status 1. The CLI connects unauthenticated (User:ANONYMOUS), made the
// super user here.
import test from 'ava';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { runCli } from '../cli/run-cli.js';
import { connectAs } from './acl-helpers.js';
import { startAuthorizingBroker } from './principals.js';

test('spate acls create, list and delete manage the ACLs the broker enforces', async (t) => {
  const broker = await startAuthorizingBroker({ config: { 'super.users': 'User:ANONYMOUS;User:admin' } });
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap];
  const created = await runCli(['acls', 'create', ...b, '--allow-principal', 'User:alice', '--operation', 'Write', '--operation', 'DescribeConfigs', '--topic', 'cli-orders']);
  t.is(created.code, 0, created.stderr);
  t.regex(created.stdout, /Created 2 ACLs/);
  const prefixed = await runCli(['acls', 'create', ...b, '--deny-principal', 'User:bob', '--producer', '--topic', 'cli-', '--resource-pattern-type', 'prefixed']);
  t.is(prefixed.code, 0, prefixed.stderr);
  t.regex(prefixed.stdout, /Created 3 ACLs/);
  const consumer = await runCli(['acls', 'create', ...b, '--allow-principal', 'User:alice', '--consumer', '--topic', 'cli-orders', '--group', 'cli-readers']);
  t.is(consumer.code, 0, consumer.stderr);

  const raw = await connectAs(t, broker, 'someone');
  const alice = await connectAs(t, broker, 'alice');
  const admin = await connectAs(t, broker, 'admin');
  t.is((await admin.createTopic('cli-orders')).topics[0]!.errorCode, ErrorCode.NONE);
  const produce = async (client: typeof raw) =>
    (await client.produce('cli-orders', { partition: 0, records: buildRecordBatch([{ value: Buffer.from('x') }]) })).responses[0]!.partitionResponses[0]!.errorCode;
  t.is(await produce(alice), ErrorCode.NONE);
  t.is(await produce(raw), ErrorCode.TOPIC_AUTHORIZATION_FAILED);

  const all = await runCli(['acls', 'list', ...b]);
  t.is(all.code, 0, all.stderr);
  t.is(all.stdout.trim().split('\n').length, 1 + 2 + 3 + 3, all.stdout);
  const bobs = await runCli(['acls', 'list', ...b, '--principal', 'User:bob']);
  t.is(bobs.stdout.trim().split('\n').length, 1 + 3, bobs.stdout);
  t.regex(bobs.stdout, /TOPIC\s+cli-\s+PREFIXED\s+User:bob\s+\*\s+WRITE\s+DENY/);
  // match: every ACL that applies to the topic cli-orders (its literal ones and the prefixed deny).
  const applying = await runCli(['acls', 'list', ...b, '--topic', 'cli-orders', '--resource-pattern-type', 'match']);
  t.is(applying.stdout.trim().split('\n').length, 1 + 2 + 2 + 3, applying.stdout);

  const deleted = await runCli(['acls', 'delete', ...b, '--topic', 'cli-orders', '--operation', 'Write']);
  t.is(deleted.code, 0, deleted.stderr);
  t.regex(deleted.stdout, /Deleted 1 ACL:/);
  t.is(await produce(alice), ErrorCode.TOPIC_AUTHORIZATION_FAILED);

  const bad = await runCli(['acls', 'create', ...b, '--allow-principal', 'User:alice', '--operation', 'Fly', '--topic', 't']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /unknown operation "Fly"/);
});

test('spate acls as a principal that may not alter ACLs exits 1 with Kafka\'s error', async (t) => {
  const broker = await startAuthorizingBroker();
  t.teardown(() => broker.close());
  const refused = await runCli(['acls', 'create', '--bootstrap', broker.bootstrap, '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', 't']);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /CLUSTER_AUTHORIZATION_FAILED/);
  t.is(refused.stderr.trim().split('\n').length, 1);
});

test('spate quotas alter and describe set, show and remove client quotas', async (t) => {
  const broker = await startAuthorizingBroker({ config: { 'super.users': 'User:ANONYMOUS' } });
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap];
  const set = await runCli(['quotas', 'alter', ...b, '--user', 'alice', '--add', 'producer_byte_rate=1048576', '--add', 'consumer_byte_rate=2097152']);
  t.is(set.code, 0, set.stderr);
  const defaults = await runCli(['quotas', 'alter', ...b, '--user-default', '--client-id', 'app', '--add', 'request_percentage=12.5']);
  t.is(defaults.code, 0, defaults.stderr);
  const shown = await runCli(['quotas', 'describe', ...b]);
  t.is(shown.code, 0, shown.stderr);
  t.regex(shown.stdout, /alice\s+-\s+producer_byte_rate\s+1048576/);
  t.regex(shown.stdout, /alice\s+-\s+consumer_byte_rate\s+2097152/);
  t.regex(shown.stdout, /<default>\s+app\s+request_percentage\s+12\.5/);
  const onlyAlice = await runCli(['quotas', 'describe', ...b, '--user', 'alice']);
  t.notRegex(onlyAlice.stdout, /request_percentage/);

  const removed = await runCli(['quotas', 'alter', ...b, '--user', 'alice', '--delete', 'producer_byte_rate']);
  t.is(removed.code, 0, removed.stderr);
  const after = await runCli(['quotas', 'describe', ...b, '--user', 'alice']);
  t.notRegex(after.stdout, /producer_byte_rate/);
  t.regex(after.stdout, /consumer_byte_rate/);

  const bad = await runCli(['quotas', 'alter', ...b, '--user', 'alice', '--add', 'producer_byte_rate=0.5']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /INVALID_REQUEST: producer_byte_rate cannot be a fractional value/);
});
