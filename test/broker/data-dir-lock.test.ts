// One broker per data directory. A second `spate start` on a directory in use exits 1 with one line naming the
// first broker's pid, and the first keeps serving; a SIGKILLed broker's lock does not keep the next start out;
// of two brokers started at the same instant exactly one runs; startBroker() refuses the same way in-process.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { startBroker, SpateError } from '../../src/index.js';
import { CLI, startBrokerProcess, startTestBroker, temporaryDir } from '../helpers/broker.js';
import { exitWithin, spawnStart, stderrLines } from '../helpers/cli-start.js';

const { Kafka, logLevel } = kafkajs;

async function produceAndConsume(bootstrap: string, topic: string, values: string[]): Promise<string[]> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'lock-test', logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
  if (values.length > 0) {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
    await producer.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `lock-test-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  const admin = kafka.admin();
  await admin.connect();
  const end = Number((await admin.fetchTopicOffsets(topic))[0]!.high);
  await admin.disconnect();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${seen.length} of ${end} records`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length >= end) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

test('a second spate start on a data dir in use exits 1 with one line naming the first; after SIGKILL of the first a new broker starts', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const first = await startBrokerProcess(dir.path);
  t.teardown(() => first.kill());
  t.deepEqual(await produceAndConsume(first.bootstrap, 'locked', ['one', 'two']), ['one', 'two']);

  const second = spawnStart(dir.path);
  // Without a lock the second broker starts too and stays up; nothing below would mean anything then.
  if (!t.is(await exitWithin(second, 20_000), 1, 'the second broker did not exit 1')) return;
  const lines = stderrLines(second);
  t.is(lines.length, 1, lines.join('\n'));
  t.regex(lines[0]!, new RegExp(`^spate: data directory .* is in use by another Spate broker, pid ${first.child.pid} on `));
  t.false(second.stdout.some((line) => line.includes('broker started')));
  // The first broker never noticed: it still serves and still has its records.
  t.deepEqual(await produceAndConsume(first.bootstrap, 'locked', ['three']), ['one', 'two', 'three']);

  await first.kill();
  const third = await startBrokerProcess(dir.path);
  t.teardown(() => third.kill());
  t.deepEqual(await produceAndConsume(third.bootstrap, 'locked', []), ['one', 'two', 'three']);
  // The dead broker's lock file was dropped, only the new broker's is there.
  t.is(readdirSync(join(dir.path, '.lock')).length, 1);
});

test('of two brokers started at the same instant on one data dir exactly one runs', async (t) => {
  for (let round = 0; round < 4; round++) {
    const dir = temporaryDir();
    const racers = [spawnStart(dir.path), spawnStart(dir.path)];
    try {
      // Each racer either starts (and keeps running) or exits 1; wait until both have decided.
      const outcomes = await Promise.all(
        racers.map(
          (racer) =>
            new Promise<'started' | number | null>((resolve) => {
              const poll = setInterval(() => {
                if (racer.stdout.some((line) => line.includes('"broker started"'))) {
                  clearInterval(poll);
                  resolve('started');
                }
              }, 20);
              void racer.exited.then((code) => {
                clearInterval(poll);
                resolve(code);
              });
            }),
        ),
      );
      t.is(outcomes.filter((o) => o === 'started').length, 1, `round ${round}: ${JSON.stringify(outcomes)}`);
      t.is(outcomes.filter((o) => o === 1).length, 1, `round ${round}: ${JSON.stringify(outcomes)}`);
      const loser = racers[outcomes.indexOf(1)]!;
      const winner = racers[outcomes.indexOf('started')]!;
      t.regex(stderrLines(loser)[0] ?? '', new RegExp(`pid ${winner.child.pid} on `));
    } finally {
      for (const racer of racers) racer.child.kill('SIGKILL');
      await Promise.all(racers.map((racer) => racer.exited));
      dir.remove();
    }
  }
});

test('startBroker() on a data dir another broker in this process holds rejects with SPATE_DATA_DIR_LOCKED; once it closes the dir is free', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const first = await startTestBroker({ dataDir: dir.path });
  const error = await t.throwsAsync(startBroker({ dataDir: dir.path, logLevel: 'silent' }), { instanceOf: SpateError });
  t.is(error?.code, 'SPATE_DATA_DIR_LOCKED');
  t.regex(error?.message ?? '', new RegExp(`another broker in this process \\(pid ${process.pid}\\)`));
  await first.close();
  const again = await startTestBroker({ dataDir: dir.path });
  await again.close();
  t.deepEqual(readdirSync(join(dir.path, '.lock')), []);
});

test('a lock file left by a process whose pid now belongs to another process (other start time) does not keep a broker out', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  mkdirSync(join(dir.path, '.lock'));
  // The pid is alive (it is this test's), but it started at another time than the recorded one: a reused pid.
  const stale = { pid: process.pid, host: hostname(), bootId: null, startTicks: '1', since: '2020-01-01T00:00:00.000Z' };
  writeFileSync(join(dir.path, '.lock', `${process.pid}-reused`), JSON.stringify(stale));
  const broker = await startBrokerProcess(dir.path);
  t.teardown(() => broker.kill());
  t.false(readdirSync(join(dir.path, '.lock')).includes(`${process.pid}-reused`));
});

test('a SIGKILLed broker whose parent has not reaped it yet (a zombie) does not keep the next broker out', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  // `exec sleep` replaces the shell, so the broker's parent is a process that never waits for it.
  const shell = spawn('sh', ['-c', `"${process.execPath}" "${CLI}" start --port 0 --data-dir "${dir.path}" --workers 1 --metrics-port -1 >/dev/null 2>&1 & exec sleep 120`], { stdio: 'ignore' });
  t.teardown(() => shell.kill('SIGKILL'));
  let holder: { pid: number } | undefined;
  for (let i = 0; i < 750 && holder === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const files = existsSync(join(dir.path, '.lock')) ? readdirSync(join(dir.path, '.lock')).filter((f) => !f.startsWith('.')) : [];
    if (files.length > 0) holder = JSON.parse(readFileSync(join(dir.path, '.lock', files[0]!), 'utf8')) as { pid: number };
  }
  if (holder === undefined) return t.fail('the first broker never took the lock');
  process.kill(holder.pid, 'SIGKILL');
  for (let i = 0; i < 250 && !readFileSync(`/proc/${holder.pid}/stat`, 'utf8').includes(') Z '); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.regex(readFileSync(`/proc/${holder.pid}/stat`, 'utf8'), /\) Z /, 'the killed broker is a zombie');
  const next = await startBrokerProcess(dir.path);
  t.teardown(() => next.kill());
  t.false(readdirSync(join(dir.path, '.lock')).some((f) => f.startsWith(`${holder.pid}-`)), 'the zombie\'s lock file was dropped');
});
