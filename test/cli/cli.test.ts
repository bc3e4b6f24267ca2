// The `spate` command line: `spate start` (directly and through `npm start`), --config files with Kafka
// property names, unknown keys refused by name, and --help.
import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { ApiKey, type DescribeConfigsResponse } from '../../src/protocol/generated/index.js';
import { CLI, REPO_ROOT, startBrokerProcess, temporaryDir } from '../helpers/broker.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { RawClient, assertRoundTrip, waitForLogLine } from '../helpers/raw-client.js';
import { spawnCollecting } from '../helpers/spawn.js';
import { runCli } from './run-cli.js';

/** A port that was free a moment ago (the broker is told to use it explicitly). */
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

function refusesConnections(port: number): Promise<boolean> {
  return RawClient.connect(port).then(
    async (client) => {
      await client.close();
      return false;
    },
    () => true,
  );
}

test('`node dist/src/cli/main.js start --port P --data-dir D` starts and serves', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const port = await freePort();
  const broker = spawnCollecting(process.execPath, [CLI, 'start', '--port', String(port), '--data-dir', dir.path]);
  t.teardown(() => void broker.child.kill('SIGKILL'));
  const started = await waitForLogLine(broker.stdout, (l) => l.msg === 'broker started', 15_000);
  t.is(started.port, port);
  t.is(started.dataDir, dir.path);
  t.is(started.host, '127.0.0.1');

  const client = await RawClient.connect(port);
  t.is((await client.createTopic('cli', 1)).topics[0]!.errorCode, 0);
  await assertRoundTrip(client, 'cli');
  const metadata = await client.metadata(['cli']);
  t.deepEqual(metadata.brokers.map((b) => [b.host, b.port]), [['127.0.0.1', port]]);
  await client.close();
  t.true(existsSync(join(dir.path, 'cli-0')));

  broker.child.kill('SIGTERM');
  t.is(await broker.exited, 0);
  await waitForLogLine(broker.stdout, (l) => l.msg === 'broker stopped', 1000);
  t.true(await refusesConnections(port));
});

test('`npm start -- --port P --data-dir D` starts a broker; SIGTERM to the process group stops it', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const port = await freePort();
  // npm and the node it runs are this Node (the pinned one), whatever else is on PATH.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`, npm_config_update_notifier: 'false' };
  const npm = spawnCollecting('npm', ['start', '--', '--port', String(port), '--data-dir', dir.path], { cwd: REPO_ROOT, detached: true, env });
  const pid = npm.child.pid!;
  let stopped = false;
  t.teardown(() => {
    if (!stopped) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  const started = await waitForLogLine(npm.stdout, (l) => l.msg === 'broker started', 20_000).catch((error: Error) => {
    throw new Error(`${error.message}\nstderr:\n${npm.stderr.join('')}`);
  });
  // The arguments after `--` override the script's own --port 9092 --data-dir ./data.
  t.is(started.port, port);
  t.is(started.dataDir, dir.path);

  const client = await RawClient.connect(port);
  t.is((await client.apiVersions()).errorCode, 0);
  t.is((await client.createTopic('npm', 1)).topics[0]!.errorCode, 0);
  await assertRoundTrip(client, 'npm');
  await client.close();

  process.kill(-pid, 'SIGTERM');
  await npm.exited;
  stopped = true;
  await waitForLogLine(npm.stdout, (l) => l.msg === 'broker stopped', 5000);
  t.true(await refusesConnections(port), 'the broker still listens after SIGTERM to the group');
  t.false(existsSync(join(REPO_ROOT, 'data', 'npm-0')), 'the script default ./data was used instead of --data-dir');
});

test('--config FILE with Kafka property names takes effect', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const file = join(dir.path, 'server.properties');
  writeFileSync(
    file,
    [
      '# Spate broker settings, Kafka names',
      'num.partitions=3',
      'auto.create.topics.enable = false',
      '! another comment style',
      'message.max.bytes: 2048',
      '',
    ].join('\n'),
  );
  const broker = await startBrokerProcess(join(dir.path, 'data'), ['--config', file]);
  t.teardown(() => broker.kill());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());

  // auto.create.topics.enable=false: even a client that allows auto-creation gets UNKNOWN_TOPIC_OR_PARTITION.
  const missing = await client.metadata(['not-created'], true);
  t.is(missing.topics[0]!.errorCode, 3);
  t.false((await client.metadata(null)).topics.some((x) => x.name === 'not-created'));

  // num.partitions=3 is the default partition count of a created topic.
  const created = (await client.createTopic('defaulted', -1)).topics[0]!;
  t.is(created.errorCode, 0);
  t.is(created.numPartitions, 3);
  t.is((await client.metadata(['defaulted'])).topics[0]!.partitions.length, 3);

  // message.max.bytes=2048 (colon syntax) limits batches.
  const big = (await client.produce('defaulted', { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(4096) }]) })).responses[0]!.partitionResponses[0]!;
  t.is(big.errorCode, 10);
  await assertRoundTrip(client, 'defaulted', 2);

  // The broker reports the values it runs with.
  const described = await client.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['num.partitions', 'auto.create.topics.enable', 'message.max.bytes'] }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const values = Object.fromEntries(described.results[0]!.configs.map((c) => [c.name, c.value]));
  t.deepEqual(values, { 'num.partitions': '3', 'auto.create.topics.enable': 'false', 'message.max.bytes': '2048' });
});

test('an unknown config key makes `spate start` exit non-zero, naming the key', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const file = join(dir.path, 'bad.properties');
  writeFileSync(file, 'num.partitions=2\nlog.retention.hourz=12\n');
  const fromFile = await runCli(['start', '--port', '0', '--data-dir', join(dir.path, 'a'), '--config', file]);
  t.not(fromFile.code, 0);
  t.regex(fromFile.stderr, /log\.retention\.hourz/);
  t.false(fromFile.stdout.includes('broker started'));

  const fromFlag = await runCli(['start', '--port', '0', '--data-dir', join(dir.path, 'b'), '--override', 'no.such.property=1']);
  t.not(fromFlag.code, 0);
  t.regex(fromFlag.stderr, /no\.such\.property/);
  t.false(fromFlag.stdout.includes('broker started'));
});

test('`spate --help` and `spate start --help` print usage', async (t) => {
  const [top, start] = await Promise.all([runCli(['--help']), runCli(['start', '--help'])]);
  t.is(top.code, 0);
  t.regex(top.stdout, /Usage: spate/);
  t.regex(top.stdout, /\bstart\b/);
  t.is(start.code, 0);
  t.regex(start.stdout, /Usage: spate start/);
  for (const option of ['--port', '--host', '--data-dir', '--config', '--override', '--workers', '--log-level']) {
    t.true(start.stdout.includes(option), `start --help does not mention ${option}`);
  }
});
