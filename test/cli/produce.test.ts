// `spate produce` against a live broker, read back by kcat (librdkafka): keys, per-line headers, partitions from
// the input, tombstones (-Z and --null-value), auto-creation as the broker allows it, and a bad line that stops
// the run with its line number after exactly the lines before it were produced.
import test from 'ava';
import { startTestBroker } from '../helpers/broker.js';
import { requireKcat } from '../helpers/clients.js';
import { runOk } from '../interop/drivers.js';
import { runCli } from './run-cli.js';

interface KcatMessage {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

/** Every message of `topic` as kcat -J sees it, in partition then offset order. */
async function kcatRead(bootstrap: string, topic: string): Promise<KcatMessage[]> {
  const result = await runOk(requireKcat(), ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-J'], { timeoutMs: 30_000 });
  return result.stdout
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as KcatMessage)
    .sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

test('an input format splits lines into partition, key, headers and value; kcat reads them back', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap];
  t.is((await runCli(['topics', 'create', 'orders', '--partitions', '3', ...b])).code, 0);
  const input = ['2|k-a|source:web,trace:1|first', '0|k-b||second|with|bars', '2|k-c|source:api|third', ''].join('\n');
  const produced = await runCli(['produce', 'orders', '--format', '%p|%k|%h|%v', '-H', 'app=cli', ...b], input);
  t.like(produced, { code: 0, stdout: 'Produced 3 messages to orders.\n' });
  const read = await kcatRead(broker.bootstrap, 'orders');
  t.deepEqual(
    read.map((m) => [m.partition, m.offset, m.key, m.payload, m.headers ?? []]),
    [
      [0, 0, 'k-b', 'second|with|bars', ['app', 'cli']],
      [2, 0, 'k-a', 'first', ['app', 'cli', 'source', 'web', 'trace', '1']],
      [2, 1, 'k-c', 'third', ['app', 'cli', 'source', 'api']],
    ],
  );
});

test('-K splits at a key separator and keys pick partitions; -p picks one partition', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap];
  t.is((await runCli(['topics', 'create', 'keyed', '--partitions', '4', ...b])).code, 0);
  const lines = Array.from({ length: 40 }, (_, i) => `user-${i % 5}=event ${i}`);
  t.is((await runCli(['produce', 'keyed', '-K', '=', ...b], lines.join('\n'))).code, 0);
  const read = await kcatRead(broker.bootstrap, 'keyed');
  t.is(read.length, 40);
  // One key, one partition (librdkafka would place each key by murmur2 the same way: see kafkajs.test.ts).
  for (let k = 0; k < 5; k++) t.is(new Set(read.filter((m) => m.key === `user-${k}`).map((m) => m.partition)).size, 1);
  t.deepEqual(read.map((m) => `${m.key}=${m.payload}`).sort(), [...lines].sort());

  t.is((await runCli(['produce', 'keyed', '-p', '3', ...b], 'only here\n')).code, 0);
  const three = (await kcatRead(broker.bootstrap, 'keyed')).filter((m) => m.payload === 'only here');
  t.deepEqual(three.map((m) => [m.partition, m.key]), [[3, null]]);
  const missing = await runCli(['produce', 'keyed', '-p', '4', ...b], 'x\n');
  t.is(missing.code, 2);
  t.regex(missing.stderr, /topic keyed has no partition 4 \(it has 4\)/);
});

test('tombstones: -Z sends an empty value (and key) as null, --null-value names a marker', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap];
  t.is((await runCli(['topics', 'create', 'table', '--config', 'cleanup.policy=compact', ...b])).code, 0);
  t.is((await runCli(['produce', 'table', '-K', ':', '-Z', ...b], 'a:1\na:\nb:2\n')).code, 0);
  t.is((await runCli(['produce', 'table', '-K', ':', '--null-value', '<null>', ...b], 'b:<null>\nc:<null>x\n')).code, 0);
  const read = await kcatRead(broker.bootstrap, 'table');
  t.deepEqual(read.map((m) => [m.key, m.payload]), [['a', '1'], ['a', null], ['b', '2'], ['b', null], ['c', '<null>x']]);
  // Without -Z an empty value is an empty message, not a tombstone.
  t.is((await runCli(['produce', 'table', '-K', ':', ...b], 'd:\n')).code, 0);
  t.deepEqual((await kcatRead(broker.bootstrap, 'table')).at(-1)!.payload, '');
});

test('a missing topic is created when the broker auto-creates topics, refused when it does not or with --no-auto-create', async (t) => {
  const creating = await startTestBroker({ config: { 'num.partitions': 3 } });
  t.teardown(() => creating.close());
  t.like(await runCli(['produce', 'fresh', '--bootstrap', creating.bootstrap], 'hello\n'), { code: 0, stdout: 'Produced 1 message to fresh.\n' });
  const described = JSON.parse((await runCli(['topics', 'describe', 'fresh', '--output', 'json', '--bootstrap', creating.bootstrap])).stdout) as Array<{ partitionCount: number }>;
  t.is(described[0]!.partitionCount, 3);
  const refused = await runCli(['produce', 'other', '--no-auto-create', '--bootstrap', creating.bootstrap], 'hello\n');
  t.is(refused.code, 1);
  t.regex(refused.stderr, /topic other does not exist: UNKNOWN_TOPIC_OR_PARTITION/);

  const strict = await startTestBroker({ config: { 'auto.create.topics.enable': false } });
  t.teardown(() => strict.close());
  const missing = await runCli(['produce', 'fresh', '--bootstrap', strict.bootstrap], 'hello\n');
  t.is(missing.code, 1);
  t.regex(missing.stderr, /topic fresh does not exist: UNKNOWN_TOPIC_OR_PARTITION/);
});

test('a bad line stops the run with its number: every line before it is produced exactly once, none after', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap];
  t.is((await runCli(['topics', 'create', 'ingest', '--partitions', '2', ...b])).code, 0);
  // 2,500 lines in batches of 1,000: line 1,700 has no separator, so one full batch is out and the next is partial.
  const lines = Array.from({ length: 2500 }, (_, i) => (i === 1699 ? 'no separator here' : `k${i % 7}\tline ${i + 1}`));
  const result = await runCli(['produce', 'ingest', '-K', '\t', '--batch-size', '1000', ...b], lines.join('\n') + '\n');
  t.is(result.code, 1);
  t.is(result.stderr, 'spate: line 1700: no "\\t" after the key (column 1); the 1699 messages before it were produced, nothing after it\n');
  const read = await kcatRead(broker.bootstrap, 'ingest');
  t.deepEqual(read.map((m) => m.payload).sort(), lines.slice(0, 1699).map((l) => l.split('\t')[1]).sort());
  // Within a partition the input order is kept.
  for (const p of [0, 1]) {
    const numbers = read.filter((m) => m.partition === p).map((m) => Number(m.payload!.slice(5)));
    t.deepEqual(numbers, [...numbers].sort((x, y) => x - y));
  }
  // A per-line partition that does not exist is a bad line too.
  const badPartition = await runCli(['produce', 'ingest', '--format', '%p %v', ...b], '1 ok\n7 nope\n0 never\n');
  t.is(badPartition.code, 1);
  t.regex(badPartition.stderr, /^spate: line 2: topic ingest has no partition 7 \(it has 2\); the 1 message before it was produced/);
  t.is((await kcatRead(broker.bootstrap, 'ingest')).filter((m) => m.payload === 'ok' || m.payload === 'never').length, 1);
});

test('format strings that cannot work are usage errors (exit 2)', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  for (const [format, message] of [
    ['%k%v', /%v must be separated from the field before it/],
    ['%k:%x', /unknown field %x/],
    ['%k', /has no %v/],
    ['%v|%v', /%v appears twice/],
  ] as const) {
    const result = await runCli(['produce', 't', '--format', format, '--bootstrap', broker.bootstrap], 'a\n');
    t.is(result.code, 2, format);
    t.regex(result.stderr, message, format);
  }
});
