// What a user sees when `spate start` (or `import 'spate'`) cannot run: an old Node.js, a port in use, a data
// dir that cannot be written, a metrics port in use. Each is one line on stderr and exit status 1, never a
// stack trace; nothing is left listening.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { MINIMUM_NODE_VERSION, nodeVersionProblem } from '../../src/node-version.js';
import { REPO_ROOT, temporaryDir } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { spawnCollecting } from '../helpers/spawn.js';
import { runCli } from './run-cli.js';

/** The machines Spate ships to have Node 20 as their system `node`; this is the one the check must stop. */
function oldNode(): string {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    try {
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
      if (nodeVersionProblem(version) !== null) return candidate;
    } catch {
      // not there
    }
  }
  throw new Error(`no Node.js older than ${MINIMUM_NODE_VERSION} on this machine to test the version check with`);
}

function listening(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve({ server, port: address.port });
    });
  });
}

function refuses(port: number): Promise<boolean> {
  return RawClient.connect(port).then(
    async (client) => {
      await client.close();
      return false;
    },
    () => true,
  );
}

test('the minimum Node.js version agrees with package.json engines', (t) => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  t.is(manifest.engines.node, `>=${MINIMUM_NODE_VERSION.replace(/\.0$/, '')}`);
  t.is(nodeVersionProblem('22.14.9') !== null, true);
  t.is(nodeVersionProblem('v22.15.0'), null);
  t.is(nodeVersionProblem('24.1.0'), null);
  t.is(nodeVersionProblem('23.0.0'), null);
});

test('on an old Node.js the CLI and the package entry say what is needed, in one line', async (t) => {
  const node = oldNode();
  for (const args of [['--version'], ['start', '--port', '0']]) {
    const result = await runCli(args, undefined, { node });
    t.is(result.code, 1, args.join(' '));
    t.regex(result.stderr, new RegExp(`^spate: Spate needs Node\\.js ${MINIMUM_NODE_VERSION.replaceAll('.', '\\.')} or later; this is Node\\.js 2\\d\\.\\d+\\.\\d+\\.[^\\n]*\\n$`));
  }
  const entry = join(REPO_ROOT, 'dist/src/index.js');
  const imported = spawnCollecting(node, ['--input-type=module', '-e', `import(${JSON.stringify(entry)}).then(() => console.log('loaded'), (e) => { console.log(e.message); process.exit(3); })`]);
  t.is(await imported.exited, 3);
  t.regex(imported.stdout.join('\n'), /^Spate needs Node\.js 22\.15\.0 or later/);
});

test('--version prints the package version', async (t) => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const result = await runCli(['--version']);
  t.is(result.code, 0);
  t.is(result.stdout.trim(), manifest.version);
});

test('a Kafka port in use: one line naming the address, exit 1', async (t) => {
  const { server, port } = await listening();
  t.teardown(() => server.close());
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const result = await runCli(['start', '--port', String(port), '--data-dir', dir.path, '--metrics-port', '-1']);
  t.is(result.code, 1);
  t.is(result.stderr, `spate: cannot start the Kafka listener on 127.0.0.1:${port}: the address is already in use (another broker or program listens there) (EADDRINUSE)\n`);
});

test('a data dir that cannot be created: one line naming it and the cause, exit 1', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const file = join(dir.path, 'a-file');
  writeFileSync(file, 'in the way');
  const result = await runCli(['start', '--port', '0', '--data-dir', join(file, 'data'), '--metrics-port', '-1']);
  t.is(result.code, 1);
  t.is(result.stderr, `spate: data dir ${join(file, 'data')} cannot be used: a path component is a file, not a directory (ENOTDIR)\n`);
});

test('a metrics port in use fails the start instead of running without /metrics and /ready', async (t) => {
  const { server, port } = await listening();
  t.teardown(() => server.close());
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const kafka = await listening();
  const kafkaPort = kafka.port;
  await new Promise<void>((resolve) => kafka.server.close(() => resolve()));
  const result = await runCli(['start', '--port', String(kafkaPort), '--data-dir', dir.path, '--metrics-port', String(port), '--log-level', 'error']);
  t.is(result.code, 1);
  t.true(
    result.stderr.endsWith(`spate: cannot start the metrics endpoint on 127.0.0.1:${port}: the address is already in use (another broker or program listens there) (EADDRINUSE)\n`),
    result.stderr,
  );
  t.is(result.stderr.split('\n').filter((l) => l.startsWith('spate:')).length, 1);
  t.true(await refuses(kafkaPort), 'the Kafka listener was left open after the failed start');
});
