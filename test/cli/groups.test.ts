// `spate groups` against a live broker, checked with KafkaJS's admin client: list with states, describe with
// members and lag, delete, and reset-offsets with every mode of kafka-consumer-groups.sh: the plan is shown and
// nothing changes without --execute; an active group is refused; every plan is made before anything is committed.
import test, { type ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import { startTestBroker } from '../helpers/broker.js';
import { runCli } from './run-cli.js';

const { Kafka, logLevel } = kafkajs;
const OLD = Date.UTC(2024, 0, 1);

interface Plan {
  executed: boolean;
  offsets: Array<{ group: string; topic: string; partition: number; previousOffset: number; newOffset: number }>;
}

/** Topic `work` (2 partitions, 10 messages each: the first 5 at OLD + i s, the last 5 now) and `side` (1 partition, 4). */
async function setup(t: ExecutionContext) {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'groups-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'work', numPartitions: 2 }, { topic: 'side', numPartitions: 1 }] });
  const producer = kafka.producer();
  await producer.connect();
  const now = Date.now();
  for (const partition of [0, 1]) {
    await producer.send({ topic: 'work', messages: Array.from({ length: 10 }, (_, i) => ({ partition, value: `w${i}`, timestamp: String(i < 5 ? OLD + i * 1000 : now) })) });
  }
  await producer.send({ topic: 'side', messages: Array.from({ length: 4 }, (_, i) => ({ value: `s${i}` })) });
  await producer.disconnect();
  const committed = async (groupId: string, topic: string): Promise<number[]> =>
    (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  const b = ['--bootstrap', broker.bootstrap];
  const reset = async (args: string[]): Promise<Plan> => {
    const result = await runCli(['groups', 'reset-offsets', ...args, '--output', 'json', ...b]);
    t.is(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout) as Plan;
  };
  return { broker, kafka, admin, b, committed, reset };
}

const newOffsets = (plan: Plan): number[] => plan.offsets.map((o) => o.newOffset);

test('every reset mode: the plan by default, committed only with --execute', async (t) => {
  const { admin, committed, reset } = await setup(t);
  await admin.setOffsets({ groupId: 'g', topic: 'work', partitions: [{ partition: 0, offset: '6' }, { partition: 1, offset: '3' }] });

  const modes: Array<[string[], number[]]> = [
    [['--to-earliest'], [0, 0]],
    [['--to-latest'], [10, 10]],
    [['--to-current'], [6, 3]],
    [['--to-offset', '4'], [4, 4]],
    [['--to-offset', '999'], [10, 10]],
    [['--shift-by', '-2'], [4, 1]],
    [['--shift-by', '-100'], [0, 0]],
    [['--shift-by', '3'], [9, 6]],
    [['--to-datetime', new Date(OLD + 2500).toISOString().replace('Z', '+00:00')], [3, 3]],
    [['--to-datetime', '2999-01-01T00:00:00.000Z'], [10, 10]],
    [['--by-duration', 'PT1H'], [5, 5]],
    [['--by-duration', 'P36500D'], [0, 0]],
    [['--to-timestamp', String(OLD + 1000)], [1, 1]],
  ];
  for (const [mode, expected] of modes) {
    for (const run of [[], ['--dry-run']]) {
      const plan = await reset(['g', '--topic', 'work', ...mode, ...run]);
      t.deepEqual(newOffsets(plan), expected, mode.join(' '));
      t.false(plan.executed);
      t.deepEqual(plan.offsets.map((o) => o.previousOffset), [6, 3]);
      t.deepEqual(await committed('g', 'work'), [6, 3], `${mode.join(' ')} ${run.join(' ')} changed nothing`);
    }
  }
  const executed = await reset(['--group', 'g', '--topic', 'work:1', '--shift-by', '-1', '--execute']);
  t.true(executed.executed);
  t.deepEqual(executed.offsets.map((o) => [o.partition, o.newOffset]), [[1, 2]]);
  t.deepEqual(await committed('g', 'work'), [6, 2]);
  await reset(['g', '--topic', 'work', '--to-earliest', '--execute']);
  t.deepEqual(await committed('g', 'work'), [0, 0]);
});

test('table output says it is a plan; --execute with --dry-run, no mode, no scope are usage errors', async (t) => {
  const { admin, b } = await setup(t);
  await admin.setOffsets({ groupId: 'g', topic: 'work', partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '1' }] });
  const plan = await runCli(['groups', 'reset-offsets', 'g', '--topic', 'work', '--to-latest', ...b]);
  t.is(plan.code, 0);
  t.is(plan.stdout, 'GROUP  TOPIC  PARTITION  PREVIOUS-OFFSET  NEW-OFFSET\ng      work   0          1                10\ng      work   1          1                10\n');
  t.is(plan.stderr, 'No offsets were changed: this is the plan. Add --execute to commit it.\n');
  for (const args of [
    ['g', '--topic', 'work', '--to-latest', '--execute', '--dry-run'],
    ['g', '--topic', 'work'],
    ['g', '--topic', 'work', '--to-latest', '--to-earliest'],
    ['g', '--to-latest'],
    ['g', '--topic', 'work', '--all-topics', '--to-latest'],
    ['--topic', 'work', '--to-latest'],
    ['g', '--all-groups', '--topic', 'work', '--to-latest'],
    ['g', '--topic', 'work', '--to-datetime', 'yesterday'],
    ['g', '--topic', 'work', '--by-duration', '1h'],
    ['g', '--topic', 'work:x', '--to-latest'],
  ]) {
    const result = await runCli(['groups', 'reset-offsets', ...args, ...b]);
    t.is(result.code, 2, args.join(' '));
  }
  const noCommit = await runCli(['groups', 'reset-offsets', 'fresh', '--topic', 'work', '--shift-by', '1', ...b]);
  t.is(noCommit.code, 1);
  t.regex(noCommit.stderr, /cannot shift the offset of work-0: group fresh has no committed offset there/);
});

test('--all-topics and --all-groups; an active group stops the whole run before anything is committed', async (t) => {
  const { kafka, admin, committed, reset, b } = await setup(t);
  await admin.setOffsets({ groupId: 'a', topic: 'work', partitions: [{ partition: 0, offset: '2' }, { partition: 1, offset: '2' }] });
  await admin.setOffsets({ groupId: 'a', topic: 'side', partitions: [{ partition: 0, offset: '1' }] });
  await admin.setOffsets({ groupId: 'b', topic: 'side', partitions: [{ partition: 0, offset: '3' }] });

  const all = await reset(['--all-groups', '--all-topics', '--to-latest', '--execute']);
  t.deepEqual(all.offsets.map((o) => [o.group, o.topic, o.partition, o.newOffset]), [['a', 'side', 0, 4], ['a', 'work', 0, 10], ['a', 'work', 1, 10], ['b', 'side', 0, 4]]);
  t.deepEqual(await committed('a', 'work'), [10, 10]);
  t.deepEqual(await committed('b', 'side'), [4]);

  // A live KafkaJS member makes group "live" active.
  const consumer = kafka.consumer({ groupId: 'live', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'side', fromBeginning: true });
  let seen = 0;
  await consumer.run({ eachMessage: async () => void seen++ });
  while (seen < 4) await new Promise((r) => setTimeout(r, 50));

  const listed = JSON.parse((await runCli(['groups', 'list', '--output', 'json', ...b])).stdout) as Array<{ group: string; state: string }>;
  t.deepEqual(listed.map((g) => [g.group, g.state]), [['a', 'Empty'], ['b', 'Empty'], ['live', 'Stable']]);
  const described = await runCli(['groups', 'describe', 'live', ...b]);
  t.regex(described.stdout, /^Group: live  State: Stable  Protocol: consumer\/\S+  Members: 1\n/);
  t.regex(described.stdout, /\nMEMBER-ID +CLIENT-ID +HOST +ASSIGNMENT\n\S+ +groups-test +\S+ +side:0\n/);

  const refused = await runCli(['groups', 'reset-offsets', '--all-groups', '--all-topics', '--to-earliest', '--execute', ...b]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /^spate: assignments can only be reset if the group 'live' is inactive, but the current state is Stable \(1 active member\)\n$/);
  t.deepEqual(await committed('a', 'work'), [10, 10], 'groups planned before the active one were not changed either');
  t.deepEqual(await committed('b', 'side'), [4]);

  const busyDelete = await runCli(['groups', 'delete', 'live', ...b]);
  t.is(busyDelete.code, 1);
  t.regex(busyDelete.stderr, /NON_EMPTY_GROUP/);
  t.like(await runCli(['groups', 'delete', 'a', 'b', ...b]), { code: 0, stdout: 'Deleted group a.\nDeleted group b.\n' });
  t.deepEqual((await admin.listGroups()).groups.map((g) => g.groupId), ['live']);
});
