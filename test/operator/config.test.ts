// `spate start` configuration: defaults < config file (properties or YAML) < SPATE_* environment < flags,
// `--print-config` with each value's source, errors that name the key and where it came from, and lazy
// loading of the broker code.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlConfig } from '../../src/config/config-file.js';
import { envVariableForProperty, propertyForEnvVariable, resolveStartConfig } from '../../src/config/start-config.js';
import { ApiKey, type DescribeConfigsResponse } from '../../src/protocol/generated/index.js';
import { temporaryDir } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { parsePrintedConfig, runSpate, startSpate } from './helpers.js';

async function describeBroker(port: number, keys: string[]): Promise<Record<string, string | null>> {
  const client = await RawClient.connect(port);
  try {
    const described = await client.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: 4, resourceName: '1', configurationKeys: keys }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    return Object.fromEntries(described.results[0]!.configs.map((c) => [c.name, c.value]));
  } finally {
    await client.close();
  }
}

test('precedence: default < file < SPATE_* environment < flags, shown by --print-config with sources', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const file = join(dir.path, 'server.properties');
  writeFileSync(file, ['num.partitions=2', 'message.max.bytes=5000', 'log.retention.ms=1000', 'offsets.retention.minutes=60', ''].join('\n'));
  const dataDir = join(dir.path, 'data');
  const env = {
    SPATE_NUM_PARTITIONS: '3', // over the file
    SPATE_MESSAGE_MAX_BYTES: '4000', // over the file, under the flag
    SPATE_PORT: '1', // under the flag
    SPATE_DATA_DIR: dataDir, // no flag
    SPATE_LOG_LEVEL: 'warn',
    SPATE_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
  };
  const flags = ['--config', file, '--override', 'message.max.bytes=3000', '--port', '0', '--workers', '1'];

  const printed = await runSpate(t, ['start', ...flags, '--print-config'], env);
  t.is(printed.code, 0, printed.stderr);
  t.is(printed.stderr, '');
  t.regex(printed.stdout, /default < config file .* < environment \(SPATE_\*\) < flags/);
  const config = parsePrintedConfig(printed.stdout);
  t.deepEqual(config.get('num.partitions'), { value: '3', source: 'env SPATE_NUM_PARTITIONS' });
  t.deepEqual(config.get('message.max.bytes'), { value: '3000', source: 'flag --override message.max.bytes' });
  t.deepEqual(config.get('log.retention.ms'), { value: '1000', source: `file ${file}` });
  t.deepEqual(config.get('offsets.retention.minutes'), { value: '60', source: `file ${file}` });
  t.deepEqual(config.get('log.segment.bytes'), { value: '1073741824', source: 'default' });
  t.deepEqual(config.get('port'), { value: '0', source: 'flag --port' });
  t.deepEqual(config.get('data-dir'), { value: dataDir, source: 'env SPATE_DATA_DIR' });
  t.deepEqual(config.get('workers'), { value: '1', source: 'flag --workers' });
  t.deepEqual(config.get('host'), { value: '127.0.0.1', source: 'default' });
  t.deepEqual(config.get('log-level'), { value: 'warn', source: 'env SPATE_LOG_LEVEL' });
  t.deepEqual(config.get('config'), { value: file, source: 'flag --config' });
  // --print-config starts nothing.
  t.false(printed.stdout.includes('broker started'));
  t.false(existsSync(dataDir));

  // The broker started with the same flags and environment runs with those values.
  const broker = await startSpate(t, ['--log-level', 'info', ...flags], env);
  t.is(broker.started.dataDir, dataDir);
  t.not(broker.port, 1);
  t.deepEqual(await describeBroker(broker.port, ['num.partitions', 'message.max.bytes', 'log.retention.ms']), {
    'num.partitions': '3',
    'message.max.bytes': '3000',
    'log.retention.ms': '1000',
  });
  broker.child.kill('SIGTERM');
  t.is(await broker.exited, 0);
});

test('a YAML config file: flat Kafka names and nested maps joined with dots', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const file = join(dir.path, 'spate.yaml');
  writeFileSync(
    file,
    [
      '# Spate broker settings',
      'num.partitions: 4',
      'auto.create.topics.enable: false',
      'log:',
      '  retention:',
      '    ms: 3600000',
      '    bytes: 1073741824',
      '  segment.bytes: 1048576',
      'group.initial.rebalance.delay.ms: 0',
      '',
    ].join('\n'),
  );
  const printed = await runSpate(t, ['start', '--config', file, '--print-config']);
  t.is(printed.code, 0, printed.stderr);
  const config = parsePrintedConfig(printed.stdout);
  for (const [key, value] of [
    ['num.partitions', '4'],
    ['auto.create.topics.enable', 'false'],
    ['log.retention.ms', '3600000'],
    ['log.retention.bytes', '1073741824'],
    ['log.segment.bytes', '1048576'],
  ] as const) {
    t.deepEqual(config.get(key), { value, source: `file ${file}` }, key);
  }

  // SPATE_CONFIG names the file when --config is absent.
  const viaEnv = parsePrintedConfig((await runSpate(t, ['start', '--print-config'], { SPATE_CONFIG: file })).stdout);
  t.deepEqual(viaEnv.get('config'), { value: file, source: 'env SPATE_CONFIG' });
  t.deepEqual(viaEnv.get('num.partitions'), { value: '4', source: `file ${file}` });

  const broker = await startSpate(t, ['--port', '0', '--data-dir', join(dir.path, 'data'), '--workers', '1', '--config', file]);
  const client = await RawClient.connect(broker.port);
  const created = (await client.createTopic('from-yaml', -1)).topics[0]!;
  t.is(created.errorCode, 0);
  t.is(created.numPartitions, 4);
  t.is((await client.metadata(['not-created'], true)).topics[0]!.errorCode, 3);
  await client.close();
  t.deepEqual(await describeBroker(broker.port, ['log.retention.ms', 'log.segment.bytes']), { 'log.retention.ms': '3600000', 'log.segment.bytes': '1048576' });
  broker.child.kill('SIGTERM');
  t.is(await broker.exited, 0);
});

test('a bad SPATE_* value, an unknown SPATE_* key or a bad YAML value stops `spate start`, naming key and source', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const args = ['start', '--port', '0', '--data-dir', join(dir.path, 'data'), '--workers', '1'];
  const cases: Array<{ env?: Record<string, string>; extra?: string[]; expect: RegExp[] }> = [
    { env: { SPATE_NUM_PARTITIONS: 'many' }, expect: [/"num\.partitions"/, /integer/, /environment variable SPATE_NUM_PARTITIONS/] },
    { env: { SPATE_AUTO_CREATE_TOPICS_ENABLE: 'yes' }, expect: [/auto\.create\.topics\.enable/, /true or false/, /SPATE_AUTO_CREATE_TOPICS_ENABLE/] },
    { env: { SPATE_LOG_RETENTION_HOURZ: '12' }, expect: [/unknown config key "log\.retention\.hourz"/, /SPATE_LOG_RETENTION_HOURZ/] },
    { env: { SPATE_PORT: 'http' }, expect: [/port must be an integer/, /environment variable SPATE_PORT/] },
    { env: { SPATE_LOG_LEVEL: 'loud' }, expect: [/log-level must be one of/, /SPATE_LOG_LEVEL/] },
    // A flag wins, but a bad variable is still reported.
    { env: { SPATE_NUM_PARTITIONS: '0' }, extra: ['--override', 'num.partitions=2'], expect: [/num\.partitions.*at least 1/, /SPATE_NUM_PARTITIONS/] },
  ];
  const yaml = join(dir.path, 'bad.yml');
  writeFileSync(yaml, 'log:\n  segment:\n    bytes: lots\n');
  cases.push({ extra: ['--config', yaml], expect: [/"log\.segment\.bytes"/, /integer/, new RegExp(`config file ${yaml.replaceAll('.', '\\.')}`)] });
  const unknownInYaml = join(dir.path, 'unknown.yaml');
  writeFileSync(unknownInYaml, 'num:\n  partitionz: 3\n');
  cases.push({ extra: ['--config', unknownInYaml], expect: [/unknown config key "num\.partitionz"/, /unknown\.yaml/] });
  const broken = join(dir.path, 'broken.yaml');
  writeFileSync(broken, 'num.partitions: [1\n');
  cases.push({ extra: ['--config', broken], expect: [/broken\.yaml/, /invalid YAML/] });

  for (const c of cases) {
    for (const printConfig of [false, true]) {
      const run = await runSpate(t, [...args, ...(c.extra ?? []), ...(printConfig ? ['--print-config'] : [])], c.env ?? {});
      const label = `${JSON.stringify(c.env ?? {})} ${(c.extra ?? []).join(' ')}${printConfig ? ' --print-config' : ''}`;
      t.is(run.code, 1, label);
      for (const pattern of c.expect) t.regex(run.stderr, pattern, label);
      t.false(run.stdout.includes('broker started'), label);
      t.false(run.stderr.includes('    at '), `${label}: a stack trace instead of a message`);
    }
  }
});

test('SPATE_* names follow Kafka\'s container convention; YAML parsing details', (t) => {
  t.is(propertyForEnvVariable('SPATE_NUM_PARTITIONS'), 'num.partitions');
  t.is(propertyForEnvVariable('SPATE_LOG_RETENTION_MS'), 'log.retention.ms');
  t.is(envVariableForProperty('group.initial.rebalance.delay.ms'), 'SPATE_GROUP_INITIAL_REBALANCE_DELAY_MS');

  const config = resolveStartConfig(
    { port: '0', override: { 'log.roll.ms': '5' } },
    { SPATE_LOG_ROLL_MS: '7', SPATE_NODE_ID: '4', SPATE_WORKERS: '2', SPATE_METRICS_PORT: '-1', PATH: '/bin', NOT_SPATE_X: '1' },
  );
  t.is(config.broker.properties['log.roll.ms'], '5');
  t.is(config.broker.properties['node.id'], '4');
  t.is(config.broker.workers, 2);
  t.is(config.broker.metricsPort, undefined);
  t.is(config.broker.port, 0);
  t.is(config.logFormat, 'auto');

  const parsed = parseYamlConfig('a.b: 1\na:\n  c: true\nlist: [x, y]\nbig: 9007199254740993\n');
  t.deepEqual(Object.fromEntries(parsed), { 'a.b': '1', 'a.c': 'true', list: 'x,y', big: '9007199254740993' });
  t.deepEqual([...parseYamlConfig('')], []);
  t.deepEqual([...parseYamlConfig('# only a comment\n')], []);
  t.throws(() => parseYamlConfig('a.b: 1\na:\n  b: 2\n'), { message: /"a\.b" is set twice/ });
  t.throws(() => parseYamlConfig('- 1\n- 2\n'), { message: /mapping/ });
  t.throws(() => parseYamlConfig('a:\n'), { message: /"a" has no value/ });
});

test('client commands do not load broker code; `start --print-config` loads config only', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  mkdirSync(join(dir.path, 'hook'));
  const record = join(dir.path, 'loaded.txt');
  // A module hook that records every file URL the process loads.
  const hook = join(dir.path, 'hook', 'record.mjs');
  writeFileSync(
    hook,
    [
      "import { registerHooks } from 'node:module';",
      "import { appendFileSync } from 'node:fs';",
      'registerHooks({',
      '  load(url, context, nextLoad) {',
      `    appendFileSync(${JSON.stringify(record)}, url + '\\n');`,
      '    return nextLoad(url, context);',
      '  },',
      '});',
      '',
    ].join('\n'),
  );
  const loaded = async (args: string[]): Promise<string[]> => {
    writeFileSync(record, '');
    await runSpate(t, args, {}, ['--import', hook]);
    return readFileSync(record, 'utf8').split('\n').filter((l) => l.includes('/dist/src/') || l.includes('/node_modules/'));
  };
  const broker = /\/dist\/src\/(broker|storage|partition|network|group|metrics)\//;
  for (const args of [['--help'], ['topics', 'list', '--bootstrap', '127.0.0.1:1', '--request-timeout-ms', '200'], ['consume', '--help']]) {
    const files = await loaded(args);
    t.true(files.some((f) => f.includes('/dist/src/cli/main.js')), `the hook saw nothing for ${args.join(' ')}`);
    t.deepEqual(files.filter((f) => broker.test(f) || f.includes('/node_modules/pino')), [], args.join(' '));
  }
  const printConfig = await loaded(['start', '--print-config']);
  t.true(printConfig.some((f) => f.includes('/dist/src/config/start-config.js')));
  t.deepEqual(printConfig.filter((f) => broker.test(f)), []);
});
