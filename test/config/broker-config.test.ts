import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProperties, resolveBrokerConfig } from '../../src/config/broker-config.js';
import { validateTopicProperty } from '../../src/config/topic-config.js';
import { describeTopicConfigs } from '../../src/config/config-description.js';
import { temporaryDir } from '../helpers/broker.js';

test('properties files: comments, both separators, continuation lines', (t) => {
  const parsed = parseProperties('# comment\n! also\nnum.partitions=3\nlog.segment.bytes : 1048576\nlong.key = a\\\n  b\n\n');
  t.deepEqual([...parsed], [
    ['num.partitions', '3'],
    ['log.segment.bytes', '1048576'],
    ['long.key', 'ab'],
  ]);
});

test('a config file and overrides apply in that order, under Kafka names', (t) => {
  const dir = temporaryDir();
  try {
    const file = join(dir.path, 'server.properties');
    writeFileSync(file, 'num.partitions=3\nauto.create.topics.enable=false\n');
    const config = resolveBrokerConfig({ configFile: file, properties: { 'num.partitions': 5 } });
    t.is(config.properties['num.partitions'], '5');
    t.is(config.properties['auto.create.topics.enable'], 'false');
    t.is(config.port, 9092);
    t.is(config.dataDir, './data');
  } finally {
    dir.remove();
  }
});

test('unknown keys and bad values are errors that name the key', (t) => {
  t.throws(() => resolveBrokerConfig({ properties: { 'no.such.key': 1 } }), { code: 'SPATE_CONFIG_INVALID', message: /no\.such\.key/ });
  t.throws(() => resolveBrokerConfig({ properties: { 'num.partitions': 'many' } }), { message: /num\.partitions.*integer/ });
  t.throws(() => resolveBrokerConfig({ properties: { 'num.partitions': 0 } }), { message: /num\.partitions.*at least 1/ });
  t.throws(() => resolveBrokerConfig({ properties: { 'auto.create.topics.enable': 'yes' } }), { message: /true or false/ });
  t.throws(() => resolveBrokerConfig({ workers: 0 }), { message: /workers/ });
});

test('topic configs fall back to broker defaults and say where each value came from', (t) => {
  const config = resolveBrokerConfig({ properties: { 'log.segment.bytes': 1048576 } });
  const described = describeTopicConfigs({ 'retention.ms': '1000' }, { perBroker: {}, clusterDefault: {}, config });
  const effective = new Map(described.map((c) => [c.name, c]));
  t.like(effective.get('retention.ms'), { name: 'retention.ms', value: '1000', source: 1 });
  t.like(effective.get('segment.bytes'), { name: 'segment.bytes', value: '1048576', source: 4 });
  t.is(effective.get('cleanup.policy')?.source, 5);
  t.throws(() => validateTopicProperty('cleanup.policy', 'sometimes'), { message: /cleanup\.policy/ });
  t.throws(() => validateTopicProperty('segment.bytes', '-5'), { message: /segment\.bytes/ });
});
