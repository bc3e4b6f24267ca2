// What every client command shares: where --bootstrap comes from (flag > SPATE_BOOTSTRAP > profile > default),
// --output json on every command, and exit statuses a script can trust (0 ok, 1 failure, 2 usage).
import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, startTestBroker, temporaryDir } from '../helpers/broker.js';
import { runCli } from './run-cli.js';

const DEAD = '127.0.0.1:1';

test('bootstrap: the flag wins over SPATE_BOOTSTRAP, which wins over the profile file', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const profiles = join(dir.path, 'cli.yaml');
  writeFileSync(profiles, `current: good\nprofiles:\n  good:\n    bootstrap: ${broker.bootstrap}\n  dead:\n    bootstrap: ${DEAD}\n    request-timeout-ms: 2000\n`);
  const list = (env: Record<string, string>, args: string[] = []) => runCli(['topics', 'list', ...args], '', { env });

  t.like(await list({ SPATE_BOOTSTRAP: broker.bootstrap }), { code: 0 });
  t.like(await list({ SPATE_BOOTSTRAP: DEAD }, ['--bootstrap', broker.bootstrap]), { code: 0 });
  const envWins = await list({ SPATE_BOOTSTRAP: DEAD }, []);
  t.is(envWins.code, 1);
  t.regex(envWins.stderr, /cannot reach any bootstrap broker: cannot connect to 127\.0\.0\.1:1/);

  t.like(await list({ SPATE_CLI_CONFIG: profiles }), { code: 0 }, 'the current profile');
  t.is((await list({ SPATE_CLI_CONFIG: profiles }, ['--profile', 'dead'])).code, 1);
  t.is((await list({ SPATE_CLI_CONFIG: profiles, SPATE_PROFILE: 'dead' })).code, 1);
  t.like(await list({ SPATE_CLI_CONFIG: profiles, SPATE_PROFILE: 'dead' }, ['--profile', 'good']), { code: 0 });
  t.like(await list({ SPATE_CLI_CONFIG: profiles, SPATE_BOOTSTRAP: broker.bootstrap }, ['--profile', 'dead']), { code: 0 }, 'SPATE_BOOTSTRAP over the profile');
  // The XDG location is found without SPATE_CLI_CONFIG.
  const xdg = join(dir.path, 'xdg');
  writeFileSync(profiles, `current: good\nprofiles:\n  good: { bootstrap: "${broker.bootstrap}" }\n`);
  mkdirSync(join(xdg, 'spate'), { recursive: true });
  writeFileSync(join(xdg, 'spate', 'cli.yaml'), readFileSync(profiles));
  t.like(await list({ XDG_CONFIG_HOME: xdg }), { code: 0 });

  const missing = await list({ SPATE_CLI_CONFIG: profiles }, ['--profile', 'nope']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /profile "nope" is not in .*cli\.yaml \(it has good\)/);
  writeFileSync(profiles, 'profiles: [oops');
  t.is((await list({ SPATE_CLI_CONFIG: profiles })).code, 2);
  t.is((await list({ SPATE_BOOTSTRAP: 'no-port' })).code, 2);
});

test('SPATE_BOOTSTRAP and the profile variables do not trouble `spate start`', async (t) => {
  const result = await runCli(['start', '--print-config'], '', { env: { SPATE_BOOTSTRAP: DEAD, SPATE_PROFILE: 'x', SPATE_CLI_CONFIG: '/nowhere' } });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /num\.partitions/);
  const json = await runCli(['start', '--print-config', '--output', 'json', '--port', '9999'], '', { env: { SPATE_BOOTSTRAP: DEAD, SPATE_NUM_PARTITIONS: '4' } });
  const entries = JSON.parse(json.stdout) as Array<{ name: string; value: string; source: string }>;
  t.deepEqual(entries.find((e) => e.name === 'port'), { name: 'port', value: '9999', source: 'flag --port' });
  t.deepEqual(entries.find((e) => e.name === 'num.partitions'), { name: 'num.partitions', value: '4', source: 'env SPATE_NUM_PARTITIONS' });
});

test('--output json on every client command prints one JSON document', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const b = ['--bootstrap', broker.bootstrap, '--output', 'json'];
  const json = async (args: string[], input?: string): Promise<unknown> => {
    const result = await runCli([...args, ...b], input);
    t.is(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout) as unknown;
  };
  t.deepEqual(await json(['topics', 'create', 'j', '-p', '2']), { topic: 'j', created: true });
  t.deepEqual(await json(['topics', 'create', 'j', '--if-not-exists']), { topic: 'j', created: false });
  t.deepEqual(await json(['topics', 'list']), [{ name: 'j', partitions: 2, internal: false }]);
  t.deepEqual(await json(['produce', 'j', '-p', '0'], 'a\nb\n'), { topic: 'j', produced: 2 });
  t.like(((await json(['topics', 'describe'])) as unknown[])[0], { name: 'j', partitionCount: 2 });
  t.deepEqual(await json(['topics', 'describe-config', 'j']), []);
  t.deepEqual(await json(['topics', 'alter-config', 'j', '--set', 'retention.ms=100000']), { topic: 'j', set: { 'retention.ms': '100000' }, deleted: [] });
  t.deepEqual(await json(['topics', 'add-partitions', 'j', '--num', '1']), { topic: 'j', previousPartitions: 2, partitions: 3 });
  t.deepEqual(await json(['topics', 'delete-records', 'j', '--before', '1', '-p', '0']), { topic: 'j', partitions: [{ partition: 0, startOffset: 1 }] });
  t.is((await runCli(['consume', 'j', '-g', 'cg', '-o', 'beginning', '-e', ...b])).code, 0);
  t.deepEqual(await json(['groups', 'list']), [{ group: 'cg', state: 'Empty', protocolType: 'consumer' }]);
  t.like(((await json(['groups', 'describe', 'cg'])) as unknown[])[0], { groupId: 'cg', state: 'Empty', members: [] });
  t.like(((await json(['groups', 'describe', '--all-groups'])) as unknown[])[0], { groupId: 'cg', offsets: [{ topic: 'j', partition: 0 }, { topic: 'j', partition: 1 }, { topic: 'j', partition: 2 }] });
  t.like(await json(['groups', 'reset-offsets', 'cg', '--all-topics', '--to-earliest']), { executed: false });
  t.like(await json(['cluster', 'describe']), { controllerId: 1, brokers: [{ nodeId: 1, port: broker.port }] });
  t.deepEqual(await json(['groups', 'delete', 'cg']), { deleted: ['cg'] });
  t.deepEqual(await json(['topics', 'delete', 'j']), { deleted: ['j'] });
  t.is((await runCli(['topics', 'list', '--output', 'yaml', '--bootstrap', broker.bootstrap])).code, 2);
});

test('exit statuses: 0 for help and version, 2 for a wrong command line', async (t) => {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  t.like(await runCli(['--version']), { code: 0, stdout: `${version}\n` });
  t.like(await runCli(['topics', '--help']), { code: 0 });
  for (const args of [[], ['frobnicate'], ['topics'], ['topics', 'list', '--bogus'], ['topics', 'create'], ['consume', 't', '--max-messages', 'many'], ['produce', 't', '-z', 'brotli']]) {
    const result = await runCli(args);
    t.is(result.code, 2, args.join(' ') || '(no arguments)');
  }
});
