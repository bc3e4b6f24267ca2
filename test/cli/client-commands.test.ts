// Every client command of the CLI, run as a child process against a live broker, checked by its output and exit
// code; failures (unknown topic, bad bootstrap, bad arguments) exit non-zero with a clear message.
import test from 'ava';
import { startTestBroker } from '../helpers/broker.js';
import { runCli } from './run-cli.js';

test('topics, produce, consume, groups and cluster commands', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap];

  t.like(await runCli(['topics', 'create', 'logs', '--partitions', '2', '--replication-factor', '1', '--config', 'retention.ms=60000', ...b]), { code: 0, stdout: 'Created topic logs.\n' });
  t.like(await runCli(['topics', 'create', 'other', ...b]), { code: 0 });
  t.like(await runCli(['topics', 'list', ...b]), { code: 0, stdout: 'logs\nother\n' });

  const describe = await runCli(['topics', 'describe', 'logs', ...b]);
  t.is(describe.code, 0);
  t.regex(describe.stdout, /^Topic: logs  TopicId: [0-9a-f-]{36}  PartitionCount: 2  ReplicationFactor: 1  Configs: retention\.ms=60000\n/);
  t.regex(describe.stdout, /\n1 +1 +1 +1 +0 +0 +0\n$/);

  // (Not cleanup.policy=compact: a compacted topic refuses the keyless messages produced below, as Kafka does.)
  const alter = await runCli(['topics', 'alter-config', 'logs', '--set', 'segment.ms=3600000', '--delete', 'retention.ms', ...b]);
  t.like(alter, { code: 0, stdout: 'Updated config of topic logs.\n' });
  t.regex((await runCli(['topics', 'describe', 'logs', ...b])).stdout, /Configs: segment\.ms=3600000\n/);

  const produced = await runCli(['produce', 'logs', '--partition', '0', '--key-separator', ':', '--header', 'source=cli', '--header', 'n=1', ...b], 'k1:first\nk2:second\nk3:third\n');
  t.like(produced, { code: 0, stdout: 'Produced 3 messages to logs.\n' });
  t.like(await runCli(['produce', 'logs', '--partition', '1', '--compression', 'gzip', '--acks', 'all', ...b], 'gz-1\ngz-2\n'), { code: 0 });
  t.like(await runCli(['produce', 'logs', '--partition', '1', '--compression', 'zstd', '--acks', '1', ...b], 'zs-1\n'), { code: 0 });

  const all = await runCli(['consume', 'logs', '--from-beginning', '--max-messages', '6', ...b]);
  t.is(all.code, 0);
  t.deepEqual(all.stdout.split('\n').filter(Boolean).sort(), ['first', 'gz-1', 'gz-2', 'second', 'third', 'zs-1']);
  t.regex(all.stderr, /Processed a total of 6 messages/);

  const json = await runCli(['consume', 'logs', '--partition', '0', '--offset', '1', '--max-messages', '1', '--format', 'json', ...b]);
  t.is(json.code, 0);
  const line = JSON.parse(json.stdout) as Record<string, unknown>;
  t.like(line, { topic: 'logs', partition: 0, offset: 1, key: 'k2', value: 'second', headers: { source: 'cli', n: '1' } });
  t.is(typeof line['timestamp'], 'number');

  const byTime = await runCli(['consume', 'logs', '--partition', '1', '--timestamp', String(Date.now() + 60_000), '--timeout-ms', '300', ...b]);
  t.like(byTime, { code: 0, stdout: '' });

  // A group reads everything, then its offsets show no lag.
  const grouped = await runCli(['consume', 'logs', '--group', 'readers', '--from-beginning', '--timeout-ms', '1000', ...b]);
  t.is(grouped.code, 0);
  t.is(grouped.stdout.split('\n').filter(Boolean).length, 6);
  t.like(await runCli(['groups', 'list', ...b]), { code: 0, stdout: 'GROUP    STATE  PROTOCOL-TYPE\nreaders  Empty  consumer\n' });
  const groupDescribe = await runCli(['groups', 'describe', 'readers', ...b]);
  t.is(groupDescribe.code, 0);
  t.regex(groupDescribe.stdout, /^Group: readers  State: Empty/);
  t.regex(groupDescribe.stdout, /TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG/);
  t.regex(groupDescribe.stdout, /\nlogs\s+0\s+3\s+3\s+0\s/);
  t.regex(groupDescribe.stdout, /\nlogs\s+1\s+3\s+3\s+0\s/);

  const dry = await runCli(['groups', 'reset-offsets', 'readers', '--topic', 'logs', '--to-earliest', '--dry-run', ...b]);
  t.is(dry.code, 0);
  t.regex(dry.stdout, /readers\s+logs\s+0\s+3\s+0\n/);
  t.regex(dry.stderr, /No offsets were changed/);
  t.like(await runCli(['groups', 'reset-offsets', 'readers', '--topic', 'logs', '--to-offset', '2', '--execute', ...b]), { code: 0 });
  t.regex((await runCli(['groups', 'describe', 'readers', ...b])).stdout, /\nlogs\s+0\s+2\s+3\s+1\s/);
  t.like(await runCli(['groups', 'reset-offsets', 'readers', '--topic', 'logs', '--to-timestamp', '0', '--execute', ...b]), { code: 0 });
  t.like(await runCli(['groups', 'reset-offsets', 'readers', '--topic', 'logs', '--to-latest', '--execute', ...b]), { code: 0 });
  // Resuming the group from the latest offsets reads nothing new.
  t.like(await runCli(['consume', 'logs', '--group', 'readers', '--timeout-ms', '500', ...b]), { code: 0, stdout: '' });

  t.like(await runCli(['groups', 'delete', 'readers', ...b]), { code: 0, stdout: 'Deleted group readers.\n' });
  t.like(await runCli(['groups', 'list', ...b]), { code: 0, stdout: '' });

  const cluster = await runCli(['cluster', 'describe', ...b]);
  t.is(cluster.code, 0);
  t.regex(cluster.stdout, /^Cluster ID: \S+\nController: 1\nBROKER\s+HOST\s+PORT\s+RACK\n1\s+127\.0\.0\.1\s+\d+\s+-\n$/);

  t.like(await runCli(['topics', 'delete', 'other', ...b]), { code: 0, stdout: 'Deleted topic other.\n' });
  t.like(await runCli(['topics', 'list', ...b]), { code: 0, stdout: 'logs\n' });
});

test('failures exit 1 with a clear message, usage errors exit 2', async (t) => {
  const broker = await startTestBroker({ config: { 'auto.create.topics.enable': false } });
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap];
  // [arguments, stderr, exit status, stdin]
  const cases: Array<[string[], RegExp, number, string?]> = [
    [['consume', 'nope', '--timeout-ms', '100', ...b], /^spate: topic nope does not exist: UNKNOWN_TOPIC_OR_PARTITION\n$/, 1],
    [['produce', 'nope', ...b], /^spate: topic nope does not exist: UNKNOWN_TOPIC_OR_PARTITION\n$/, 1, 'x\n'],
    [['topics', 'describe', 'nope', ...b], /UNKNOWN_TOPIC_OR_PARTITION/, 1],
    [['topics', 'delete', 'nope', ...b], /^spate: deleting topic nope: UNKNOWN_TOPIC_OR_PARTITION/, 1],
    [['topics', 'list', '--bootstrap', '127.0.0.1:1'], /^spate: cannot reach any bootstrap broker: cannot connect to 127\.0\.0\.1:1: ECONNREFUSED\n$/, 1],
    [['cluster', 'describe', '--bootstrap', 'no-port'], /^spate: bad bootstrap server "no-port": expected host:port \(from --bootstrap\)\n$/, 2],
    [['topics', 'create', 'x', '--partitions', 'zero', ...b], /partitions must be an integer/, 2],
    [['groups', 'describe', 'ghost', ...b], /^spate: consumer group ghost does not exist\n$/, 1],
    [['groups', 'reset-offsets', 'g', '--topic', 't', ...b], /give exactly one of --to-earliest/, 2],
    [['produce', 'nope', '--compression', 'brotli', ...b], /argument 'brotli' is invalid\. Allowed choices are none, gzip, snappy, lz4, zstd/, 2],
    [['consume', 'x', '--group', 'g', '--offset', '1', ...b], /--group cannot be combined with --offset/, 2],
  ];
  for (const [args, message, code, input] of cases) {
    const result = await runCli(args, input);
    t.is(result.code, code, args.join(' '));
    t.regex(result.stderr, message, args.join(' '));
  }
  await runCli(['topics', 'create', 'once', ...b]);
  const twice = await runCli(['topics', 'create', 'once', ...b]);
  t.is(twice.code, 1);
  t.regex(twice.stderr, /^spate: creating topic once: TOPIC_ALREADY_EXISTS/);
  const keyless = await runCli(['produce', 'once', '--key-separator', ':', ...b], 'a:1\nno separator\n');
  t.is(keyless.code, 1);
  t.regex(keyless.stderr, /^spate: line 2: no ":" after the key \(column 1\); the 1 message before it was produced, nothing after it\n$/);
});

test('--help works for every command', async (t) => {
  for (const args of [[], ['topics'], ['topics', 'create'], ['topics', 'alter-config'], ['produce'], ['consume'], ['groups'], ['groups', 'reset-offsets'], ['cluster', 'describe'], ['start']]) {
    const result = await runCli([...args, '--help']);
    t.is(result.code, 0, args.join(' '));
    t.regex(result.stdout, /^Usage: spate/, args.join(' '));
  }
  t.regex((await runCli(['consume', '--help'])).stdout, /--bootstrap <servers>[\s\S]*SPATE_BOOTSTRAP[\s\S]*127\.0\.0\.1:9092/);
});
