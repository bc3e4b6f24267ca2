// Config values parsed and checked as Kafka's ConfigDef does, kept as exact strings.
import test from 'ava';
import { LONG_MAX, validateConfigValue } from '../../src/config/config-values.js';
import { validateTopicOverrides } from '../../src/config/topic-config.js';
import { resolveBrokerConfig } from '../../src/config/broker-config.js';

test('longs keep every digit up to Long.MAX_VALUE and refuse one past it', (t) => {
  t.is(validateConfigValue('flush.ms', ' 9223372036854775807 ', { kind: 'long', min: 0 }), LONG_MAX);
  t.is(validateConfigValue('retention.bytes', '-9223372036854775808', { kind: 'long' }), '-9223372036854775808');
  t.is(validateConfigValue('flush.ms', '+0007', { kind: 'long', min: 0 }), '7');
  t.throws(() => validateConfigValue('flush.ms', '9223372036854775808', { kind: 'long' }), { code: 'SPATE_CONFIG_INVALID', message: /out of range/ });
  t.throws(() => validateConfigValue('segment.bytes', '2147483648', { kind: 'int' }), { message: /out of range/ });
  t.throws(() => validateConfigValue('flush.ms', '1e3', { kind: 'long' }), { message: /integer/ });
  t.throws(() => validateConfigValue('flush.ms', '-1', { kind: 'long', min: 0 }), { message: /at least 0/ });
});

test('doubles, booleans, lists and strings are normalised as Kafka describes them', (t) => {
  const ratio = { kind: 'double', min: 0, max: 1 } as const;
  t.is(validateConfigValue('r', '1', ratio), '1.0');
  t.is(validateConfigValue('r', '.25', ratio), '0.25');
  t.is(validateConfigValue('r', '0.0001', ratio), '1.0E-4');
  t.throws(() => validateConfigValue('r', '1.01', ratio), { message: /at most 1/ });
  t.throws(() => validateConfigValue('r', 'half', ratio), { message: /number/ });
  t.is(validateConfigValue('b', ' TRUE ', { kind: 'bool' }), 'true');
  const policy = { kind: 'list', allowed: ['compact', 'delete'] } as const;
  t.is(validateConfigValue('p', ' compact , delete ', policy), 'compact,delete');
  t.is(validateConfigValue('p', '', policy), '');
  t.throws(() => validateConfigValue('p', 'compact,,delete', policy), { message: /may only list/ });
  const throttled = { kind: 'list', check: 'throttled-replicas' } as const;
  t.is(validateConfigValue('l', '0:1, 2:1', throttled), '0:1,2:1');
  t.is(validateConfigValue('l', '*', throttled), '*');
  t.throws(() => validateConfigValue('l', '*,0:1', throttled));
  t.throws(() => validateConfigValue('l', '0-1', throttled));
});

test('message format versions are the ones Kafka 3.7 knows', (t) => {
  const spec = { kind: 'string', check: 'message-format-version' } as const;
  for (const ok of ['3.0-IV1', '2.8', '0.10.2', '0.10.2-IV0', '0.8.0', '3.0.1', '3.7-IV4', '3.8-IV0']) t.is(validateConfigValue('v', ok, spec), ok);
  for (const bad of ['3.8', '9.9', '3.0-IV2', '0.10', 'latest', '']) t.throws(() => validateConfigValue('v', bad, spec), undefined, bad);
});

test('topic overrides are checked against each other with the broker values in effect', (t) => {
  const config = resolveBrokerConfig({ properties: { 'log.cleaner.max.compaction.lag.ms': 1000 } });
  t.throws(() => validateTopicOverrides({ 'min.compaction.lag.ms': '5000' }, config), { message: /min\.compaction\.lag\.ms/ });
  t.deepEqual(validateTopicOverrides({ 'min.compaction.lag.ms': '5000', 'max.compaction.lag.ms': '5000' }, config), { 'min.compaction.lag.ms': '5000', 'max.compaction.lag.ms': '5000' });
  t.throws(() => validateTopicOverrides({ 'remote.storage.enable': 'true' }, config), { message: /tiered storage/ });
});
