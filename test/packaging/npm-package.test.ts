// The package as npm publishes it: `npm pack`, then installed from the tarball into a fresh project outside the
// repository. The install runs no build and prints no warning; the published files hold what the CLI and
// `spate/testing` need at run time (snappy and lz4 included); `npx spate` works there, and the machine's old
// Node.js gets the one-line version message.
import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MINIMUM_NODE_VERSION } from '../../src/node-version.js';
import { REPO_ROOT, temporaryDir } from '../helpers/broker.js';
import { run } from '../interop/drivers.js';

const NODE_DIR = dirname(process.execPath);
const OLD_NODE_DIR = '/usr/bin';

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

test('npm pack, then npm install of the tarball: no build, no warning, a working CLI and spate/testing', async (t) => {
  const dir = temporaryDir('spate-pack-');
  t.teardown(() => dir.remove());
  const env = { PATH: `${NODE_DIR}:${process.env['PATH'] ?? ''}` };
  // dist is already built (npm test builds first); --ignore-scripts keeps prepack from rebuilding it under other tests.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir.path], { cwd: REPO_ROOT, env, timeoutMs: 60_000 });
  t.is(pack.code, 0, pack.stderr);
  const [packed] = JSON.parse(pack.stdout.toString('utf8')) as PackResult[];
  const files = new Set(packed!.files.map((f) => f.path));
  for (const needed of ['package.json', 'dist/src/cli/main.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/testing/index.js', 'dist/src/testing/index.d.ts', 'dist/src/records/compression.js', 'docs/testing.md']) {
    t.true(files.has(needed), needed);
  }
  t.true([...files].some((f) => f.startsWith('dist/workers/')), 'the worker entry points');
  t.false([...files].some((f) => f.startsWith('dist/test/') || f.startsWith('dist/perf/') || f.endsWith('.ts') && !f.endsWith('.d.ts') || f.endsWith('.map')), 'no tests, benchmarks, sources or maps');

  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string>; dependencies: Record<string, string> };
  for (const hook of ['prepare', 'preinstall', 'install', 'postinstall']) t.false(hook in manifest.scripts, `no ${hook} script`);
  t.truthy(manifest.dependencies['snappy']);
  t.truthy(manifest.dependencies['lz4-napi']);

  const app = join(dir.path, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'uses-spate', version: '1.0.0', private: true, type: 'module', dependencies: { spate: `file:../${packed!.filename}` } }));
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts'], { cwd: app, env, timeoutMs: 150_000 });
  const installOutput = `${install.stdout.toString('utf8')}${install.stderr}`;
  t.is(install.code, 0, installOutput);
  t.notRegex(installOutput, /npm warn|npm WARN|deprecated/i, 'npm printed a warning');
  t.notRegex(installOutput, /tsc|> spate@|prepare|prepack/, 'a build ran');

  const version = await run('npx', ['spate', '--version'], { cwd: app, env, timeoutMs: 60_000 });
  t.is(version.code, 0, version.stderr);
  t.is(version.stdout.toString('utf8'), `${manifest.version}\n`);

  // The installed CLI against a broker from the installed spate/testing, with both native codecs.
  writeFileSync(
    join(app, 'codecs.mjs'),
    `import { execFile } from 'node:child_process';
import { startBroker } from 'spate/testing';
await using broker = await startBroker({ topics: [{ name: 'codecs', partitions: 1 }] });
// Asynchronous: the broker runs in this process and must keep answering while the CLI talks to it.
const spate = (args, input) =>
  new Promise((resolve, reject) => {
    const child = execFile('npx', ['spate', ...args, '--bootstrap', broker.bootstrap], { encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    child.stdin.end(input ?? '');
  });
await spate(['produce', 'codecs', '-z', 'snappy'], 'snappy 1\\nsnappy 2\\n');
await spate(['produce', 'codecs', '-z', 'lz4'], 'lz4 1\\n');
process.stdout.write(await spate(['consume', 'codecs', '-o', 'beginning', '-e']));
`,
  );
  const codecs = await run(process.execPath, ['codecs.mjs'], { cwd: app, env, timeoutMs: 60_000 });
  t.is(codecs.code, 0, codecs.stderr);
  t.is(codecs.stdout.toString('utf8'), 'snappy 1\nsnappy 2\nlz4 1\n');

  // The machine's own Node.js (20) first on PATH: one line saying what is needed, exit 1.
  const old = await run('npx', ['spate', '--version'], { cwd: app, env: { PATH: `${OLD_NODE_DIR}:${process.env['PATH'] ?? ''}` }, timeoutMs: 60_000 });
  t.is(old.code, 1);
  t.regex(old.stderr, new RegExp(`^spate: Spate needs Node\\.js ${MINIMUM_NODE_VERSION.replaceAll('.', '\\.')} or later; this is Node\\.js 20\\.`));
});
