// The image's entrypoint without Docker: the Dockerfile's ENTRYPOINT + CMD run as a child process with the
// Dockerfile's ENV (the app directory mapped to this checkout, the data volume to a temporary dir, the ports to
// free ones), plus SPATE_* variables with Kafka property names. It must listen on every address, answer /ready
// (through the image's own HEALTHCHECK command), apply the variables, and stop cleanly on the STOPSIGNAL.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { REPO_ROOT, temporaryDir } from '../helpers/broker.js';
import { RawClient, waitForLogLine } from '../helpers/raw-client.js';
import { spawnCollecting } from '../helpers/spawn.js';
import { readImageSpec } from './dockerfile.js';

const { Kafka, logLevel } = kafkajs;
const APP_DIR = '/opt/spate';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

/** The image's paths under /opt/spate are this checkout's; `node` is the Node running the tests (24). */
function local(args: readonly string[]): string[] {
  return args.map((a) => (a === 'node' ? process.execPath : a.startsWith(`${APP_DIR}/`) ? join(REPO_ROOT, a.slice(APP_DIR.length + 1)) : a));
}

function runHealthcheck(command: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('the Dockerfile is what the entrypoint test assumes: non-root, a data volume, SIGTERM, a healthcheck', (t) => {
  const spec = readImageSpec(join(REPO_ROOT, 'Dockerfile'));
  t.not(spec.user, 'root');
  t.deepEqual(spec.volumes, [spec.env['SPATE_DATA_DIR']]);
  t.is(spec.env['SPATE_HOST'], '0.0.0.0');
  t.is(spec.stopSignal, 'SIGTERM');
  t.deepEqual([...spec.entrypoint, ...spec.cmd], ['node', `${APP_DIR}/dist/src/cli/main.js`, 'start']);
  t.deepEqual(spec.healthcheck, ['node', `${APP_DIR}/docker/healthcheck.mjs`]);
  for (const path of [...spec.entrypoint, ...spec.healthcheck].filter((a) => a.startsWith(APP_DIR))) t.true(existsSync(local([path])[0]!), path);
});

test("the image's command with its environment listens on all addresses, is ready, takes SPATE_* properties and stops on SIGTERM", async (t) => {
  const spec = readImageSpec(join(REPO_ROOT, 'Dockerfile'));
  const volume = temporaryDir();
  t.teardown(() => volume.remove());
  const [kafkaPort, metricsPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: volume.path,
    ...spec.env,
    // What `docker run -v … -p … -e …` would change:
    SPATE_DATA_DIR: volume.path,
    SPATE_PORT: String(kafkaPort),
    SPATE_METRICS_PORT: String(metricsPort),
    SPATE_WORKERS: '1',
    SPATE_NUM_PARTITIONS: '3',
    SPATE_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
  };
  const [command, ...args] = local([...spec.entrypoint, ...spec.cmd]);
  const broker = spawnCollecting(command!, args, { env, cwd: REPO_ROOT });
  t.teardown(() => void broker.child.kill('SIGKILL'));
  const started = await waitForLogLine(broker.stdout, (l) => l.msg === 'broker started', 20_000);
  t.is(started.host, '0.0.0.0');
  t.is(started.dataDir, volume.path);

  // Bound to every address: reachable on loopback addresses other than 127.0.0.1 too.
  for (const host of ['127.0.0.1', '127.0.0.2']) {
    const client = await RawClient.connect(kafkaPort, host);
    await client.close();
  }
  const health = await runHealthcheck(local(spec.healthcheck), env);
  t.is(health.code, 0, health.output);
  t.is(health.output, 'ready\n');

  // SPATE_NUM_PARTITIONS reached the broker as num.partitions: an auto-created topic gets 3 partitions.
  const kafka = new Kafka({ brokers: [`127.0.0.1:${kafkaPort}`], clientId: 'entrypoint', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  await producer.send({ topic: 'auto', messages: [{ value: 'kept' }] });
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  t.is((await admin.fetchTopicMetadata({ topics: ['auto'] })).topics[0]!.partitions.length, 3);
  await admin.disconnect();

  broker.child.kill(spec.stopSignal as NodeJS.Signals);
  t.is(await broker.exited, 0);
  t.true(broker.stdout.some((l) => l.includes('"shutdown complete"')));
  const after = await runHealthcheck(local(spec.healthcheck), env);
  t.is(after.code, 1);
  t.regex(after.output, /^unhealthy: \/ready on port \d+:/);

  // The volume keeps the data: the same command on the same volume serves the acknowledged message again.
  const again = spawnCollecting(command!, args, { env, cwd: REPO_ROOT });
  t.teardown(() => void again.child.kill('SIGKILL'));
  await waitForLogLine(again.stdout, (l) => l.msg === 'broker started', 20_000);
  const consumer = kafka.consumer({ groupId: 'reader', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'auto', fromBeginning: true });
  const value = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
  t.is(value, 'kept');
  await consumer.disconnect();
  again.child.kill('SIGTERM');
  t.is(await again.exited, 0);
});

test('with the metrics endpoint off, the healthcheck falls back to the Kafka port', async (t) => {
  const spec = readImageSpec(join(REPO_ROOT, 'Dockerfile'));
  const port = await freePort();
  const env = { PATH: process.env['PATH'], ...spec.env, SPATE_METRICS_PORT: '-1', SPATE_PORT: String(port) };
  const down = await runHealthcheck(local(spec.healthcheck), env);
  t.is(down.code, 1);
  t.regex(down.output, /^unhealthy: port \d+: connect ECONNREFUSED/);
  const server = createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const up = await runHealthcheck(local(spec.healthcheck), env);
  t.is(up.code, 0, up.output);
});
