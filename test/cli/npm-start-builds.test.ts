// `npm start` builds before it starts: in a copy of the sources with no dist/ at all (a fresh clone whose
// `npm install` build was skipped, or whose sources changed since), the broker still starts, from the new build.
import test from 'ava';
import { cpSync, existsSync, readdirSync, symlinkSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { REPO_ROOT, temporaryDir } from '../helpers/broker.js';
import { RawClient, waitForLogLine } from '../helpers/raw-client.js';
import { spawnCollecting } from '../helpers/spawn.js';

test('npm start in a checkout without dist/ builds first, then serves', async (t) => {
  const copy = temporaryDir('spate-npm-start-');
  t.teardown(() => copy.remove());
  // Everything a clone has, without what a build or a run makes.
  const skipped = new Set(['node_modules', 'dist', '.git', 'data']);
  for (const entry of readdirSync(REPO_ROOT)) {
    if (!skipped.has(entry)) cpSync(join(REPO_ROOT, entry), join(copy.path, entry), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy.path, 'node_modules'), 'dir');
  t.false(existsSync(join(copy.path, 'dist')));

  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`, npm_config_update_notifier: 'false' };
  const npm = spawnCollecting('npm', ['start', '--', '--port', '0', '--data-dir', join(copy.path, 'data'), '--metrics-port', '-1'], { cwd: copy.path, detached: true, env });
  const pid = npm.child.pid!;
  t.teardown(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  const started = await waitForLogLine(npm.stdout, (l) => l.msg === 'broker started', 120_000).catch((error: Error) => {
    throw new Error(`${error.message}\nstderr:\n${npm.stderr.join('')}`);
  });
  t.true(existsSync(join(copy.path, 'dist/src/cli/main.js')), 'npm start built dist/');
  const client = await RawClient.connect(started.port as number);
  t.is((await client.apiVersions()).errorCode, 0);
  await client.close();
  process.kill(-pid, 'SIGTERM');
  await npm.exited;
});
