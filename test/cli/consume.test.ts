// `spate consume` against a live broker: every --offset form kcat's -o has, partition selection, --max-messages,
// -e (exit at the end of every partition), and format strings whose output matches kcat's byte for byte.
import test, { type ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import { startTestBroker } from '../helpers/broker.js';
import { requireKcat } from '../helpers/clients.js';
import { runOk } from '../interop/drivers.js';
import { runCli } from './run-cli.js';

const { Kafka, logLevel } = kafkajs;
const BASE_TIME = Date.UTC(2024, 0, 1);

/** Topic `events`: partition 0 holds e0..e9 (timestamps BASE_TIME + i s), partition 1 holds f0..f4. */
async function seeded(t: ExecutionContext) {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'seed', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 2 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'events',
    messages: [
      ...Array.from({ length: 10 }, (_, i) => ({ partition: 0, key: `k${i}`, value: `e${i}`, timestamp: String(BASE_TIME + i * 1000), headers: { n: String(i) } })),
      ...Array.from({ length: 5 }, (_, i) => ({ partition: 1, key: null, value: `f${i}`, timestamp: String(BASE_TIME + i * 1000) })),
    ],
  });
  await producer.disconnect();
  return { broker, b: ['--bootstrap', broker.bootstrap] };
}

const values = (stdout: string): string[] => stdout.split('\n').filter(Boolean);

test('--offset beginning, end, N, -N and @timestamp on chosen partitions; -e exits at the end', async (t) => {
  const { b } = await seeded(t);
  const cases: Array<[string[], string[]]> = [
    [['-o', 'beginning', '-p', '0'], ['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9']],
    [['-o', '7', '-p', '0'], ['e7', 'e8', 'e9']],
    [['-o', '-2', '-p', '0', '-p', '1'], ['e8', 'e9', 'f3', 'f4']],
    [['-o', '-50', '-p', '1'], ['f0', 'f1', 'f2', 'f3', 'f4']],
    [['-o', `@${BASE_TIME + 3500}`, '-p', '0'], ['e4', 'e5', 'e6', 'e7', 'e8', 'e9']],
    [['-o', `s@${BASE_TIME + 3000}`, '-p', '1'], ['f3', 'f4']],
    [['--timestamp', String(BASE_TIME + 8000)], ['e8', 'e9']],
    [['-o', 'end'], []],
  ];
  for (const [args, expected] of cases) {
    const result = await runCli(['consume', 'events', '-e', ...args, ...b]);
    t.is(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    t.deepEqual(values(result.stdout).sort(), expected, args.join(' '));
    t.regex(result.stderr, new RegExp(`Processed a total of ${expected.length} message`), args.join(' '));
  }
  const both = await runCli(['consume', 'events', '-e', '-o', 'beginning', ...b]);
  t.deepEqual(values(both.stdout).sort(), ['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'f0', 'f1', 'f2', 'f3', 'f4']);
  // --max-messages stops first.
  t.deepEqual(values((await runCli(['consume', 'events', '-o', 'beginning', '-p', '0', '-c', '3', ...b])).stdout), ['e0', 'e1', 'e2']);
  // Bad positions are usage errors.
  for (const args of [['-o', 'soon'], ['-o', 'stored'], ['-p', '2'], ['-o', '1', '--from-beginning']]) {
    const result = await runCli(['consume', 'events', '-e', ...args, ...b]);
    t.is(result.code, 2, args.join(' '));
  }
});

test('a group consumer with -e reads to the end and commits, --offset stored resumes from the commit', async (t) => {
  const { b } = await seeded(t);
  const first = await runCli(['consume', 'events', '-g', 'readers', '-o', 'beginning', '-e', ...b]);
  t.is(first.code, 0, first.stderr);
  t.is(values(first.stdout).length, 15);
  const lag = JSON.parse((await runCli(['groups', 'describe', 'readers', '--output', 'json', ...b])).stdout) as Array<{ offsets: Array<{ partition: number; lag: number }> }>;
  t.deepEqual(lag[0]!.offsets.map((o) => [o.partition, o.lag]), [[0, 0], [1, 0]]);
  const again = await runCli(['consume', 'events', '-g', 'readers', '-o', 'stored', '-e', ...b]);
  t.like(again, { code: 0, stdout: '' });
});

test('format strings print what kcat -f prints for the same messages', async (t) => {
  const { broker, b } = await seeded(t);
  const kcat = requireKcat();
  for (const format of ['%t|%p|%o|%T|%k|%s|%h\\n', 'key=%k (%K bytes) value=%s (%S bytes)\\t%%\\n', '%s\\n']) {
    for (const nulls of [[], ['-Z']]) {
      const ours = await runCli(['consume', 'events', '-o', 'beginning', '-e', '-p', '0', '-p', '1', '-f', format, ...nulls, ...b]);
      t.is(ours.code, 0, ours.stderr);
      const theirs = await runOk(kcat, ['-b', broker.bootstrap, '-C', '-t', 'events', '-o', 'beginning', '-e', '-q', '-f', format, ...nulls], { timeoutMs: 30_000 });
      // Partitions interleave differently between clients: compare each partition's lines in order.
      const byPartition = (text: string) => text.split('\n').filter(Boolean).sort();
      t.deepEqual(byPartition(ours.stdout), byPartition(theirs.stdout.toString('utf8')), `${format} ${nulls.join(' ')}`);
    }
  }
  const bad = await runCli(['consume', 'events', '-f', '%q', ...b]);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /unknown field %q/);
});

test('--output json prints one JSON object per message', async (t) => {
  const { b } = await seeded(t);
  const result = await runCli(['consume', 'events', '-o', '8', '-p', '0', '-e', '--output', 'json', ...b]);
  t.is(result.code, 0);
  t.deepEqual(
    values(result.stdout).map((l) => JSON.parse(l) as unknown),
    [8, 9].map((i) => ({ topic: 'events', partition: 0, offset: i, timestamp: BASE_TIME + i * 1000, key: `k${i}`, value: `e${i}`, headers: { n: String(i) } })),
  );
});
