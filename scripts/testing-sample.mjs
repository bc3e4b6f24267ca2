#!/usr/bin/env node
// Builds a sample project outside the repository that depends on Spate through a file: dependency (the tarball
// `npm pack` makes, as a registry install would get it), with a node:test suite and a Vitest suite that test
// a small application against `spate/testing` with two clients (KafkaJS and @platformatic/kafka), and a Jest
// suite (ESM mode), then runs them and prints the broker's start, per-test reset and close times they measured.
//
//   npm run sample:testing                    (builds first; the sample goes to $TMPDIR/spate-testing-sample)
//   node scripts/testing-sample.mjs [dir]     (dist must be built)
//
// The sample's own npm install fetches Vitest and the clients from the registry; nothing is added to Spate's
// package.json. It exits non-zero if any suite fails.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = resolve(process.argv[2] ?? join(tmpdir(), 'spate-testing-sample'));
const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
const versionOf = (name) => lock.packages[`node_modules/${name}`].version;
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
const sh = (command, args, cwd = dir, extra = {}) => execFileSync(command, args, { cwd, env: { ...env, ...extra }, stdio: 'inherit' });

rmSync(dir, { recursive: true, force: true });
mkdirSync(join(dir, 'test'), { recursive: true });
execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: repo, env, stdio: ['ignore', 'ignore', 'inherit'] });
const tarball = readdirSync(dir).find((f) => f.startsWith('spate-') && f.endsWith('.tgz'));

const files = {
  'package.json': JSON.stringify(
    {
      name: 'spate-testing-sample',
      private: true,
      type: 'module',
      scripts: {
        'test:node': 'node --test test/*.node.test.mjs',
        'test:vitest': 'vitest run',
        // Spate is an ES module with top-level await: Jest runs it in its ESM mode.
        'test:jest': "node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js --testMatch '**/*.jest.test.mjs'",
      },
      dependencies: { kafkajs: versionOf('kafkajs'), '@platformatic/kafka': versionOf('@platformatic/kafka') },
      devDependencies: { spate: `file:./${tarball}`, vitest: '4.1.12', jest: '30.5.2' },
    },
    null,
    2,
  ),
  'vitest.config.mjs': `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { include: ['test/**/*.vitest.test.mjs'], testTimeout: 30_000, hookTimeout: 30_000 } });
`,
  // The application under test: it reads orders and writes one invoice per order.
  'src/invoicer.mjs': `// Reads orders (key: customer, value: amount) and writes an invoice for each, keyed the same.
export function invoiceFor(order) {
  return { key: order.key, value: JSON.stringify({ customer: order.key, amount: Number(order.value), vat: Math.round(Number(order.value) * 0.2) }) };
}
`,
  'test/timings.mjs': `// Collects the broker's start, reset and close times of a suite into timings-<suite>.json.
import { writeFileSync } from 'node:fs';
export function timings(suite) {
  const t = { suite, startMs: 0, resetMs: [], closeMs: 0 };
  return {
    async time(field, fn) {
      const started = performance.now();
      const result = await fn();
      const ms = performance.now() - started;
      if (Array.isArray(t[field])) t[field].push(ms); else t[field] = ms;
      return result;
    },
    save: () => writeFileSync(\`timings-\${suite}.json\`, JSON.stringify(t)),
  };
}
`,
  'test/invoicer.node.test.mjs': `// node:test: the invoicer against spate/testing, with KafkaJS and with @platformatic/kafka.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { startBroker } from 'spate/testing';
import { invoiceFor } from '../src/invoicer.mjs';
import { timings } from './timings.mjs';

const clock = timings('node-test');
let broker;
before(async () => {
  broker = await clock.time('startMs', () => startBroker({ topics: [{ name: 'orders', partitions: 3 }, { name: 'invoices', partitions: 3 }] }));
});
beforeEach(() => clock.time('resetMs', () => broker.reset()));
after(async () => {
  await clock.time('closeMs', () => broker.close());
  clock.save();
});

test('KafkaJS: every order gets an invoice', async () => {
  const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrap], clientId: 'invoicer', logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'orders', messages: [{ key: 'ann', value: '100' }, { key: 'bob', value: '250' }] });
  const consumer = kafka.consumer({ groupId: 'invoicer', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  let handled = 0;
  await consumer.run({
    eachMessage: async ({ message }) => {
      await producer.send({ topic: 'invoices', messages: [invoiceFor({ key: message.key.toString(), value: message.value.toString() })] });
      handled++;
    },
  });
  await broker.waitForGroupStable('invoicer', { members: 1 });
  while (handled < 2) await new Promise((r) => setTimeout(r, 20));
  await consumer.disconnect();
  await producer.disconnect();
  const invoices = await broker.readToEnd('invoices');
  assert.deepEqual(invoices.map((m) => JSON.parse(m.value)).sort((a, b) => a.amount - b.amount), [
    { customer: 'ann', amount: 100, vat: 20 },
    { customer: 'bob', amount: 250, vat: 50 },
  ]);
});

test('@platformatic/kafka: an invoice keeps its order key; each test starts empty', async () => {
  assert.deepEqual(await broker.readToEnd('invoices'), [], 'reset emptied the topic');
  const producer = new Producer({ clientId: 'invoicer', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
  await producer.send({ messages: [{ topic: 'orders', key: 'cy', value: '10' }] });
  const consumer = new Consumer({ groupId: 'invoicer-pk', clientId: 'invoicer', bootstrapBrokers: [broker.bootstrap], deserializers: stringDeserializers, maxWaitTime: 100 });
  const stream = await consumer.consume({ topics: ['orders'], mode: 'earliest' });
  for await (const message of stream) {
    await producer.send({ messages: [{ topic: 'invoices', ...invoiceFor({ key: message.key, value: message.value }) }] });
    await message.commit();
    break;
  }
  await stream.close();
  await consumer.close();
  await producer.close();
  const [invoice] = await broker.readToEnd('invoices');
  assert.equal(invoice.key, 'cy');
  assert.deepEqual(await broker.committedOffsets('invoicer-pk'), [{ topic: 'orders', partition: (await broker.readToEnd('orders'))[0].partition, offset: 1 }]);
});
`,
  'test/invoicer.vitest.test.mjs': `// Vitest: the same application against spate/testing, with @platformatic/kafka and with KafkaJS.
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import kafkajs from 'kafkajs';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { startBroker } from 'spate/testing';
import { invoiceFor } from '../src/invoicer.mjs';
import { timings } from './timings.mjs';

const clock = timings('vitest');
let broker;
beforeAll(async () => {
  broker = await clock.time('startMs', () => startBroker({ topics: [{ name: 'orders', partitions: 2 }] }));
});
beforeEach(() => clock.time('resetMs', () => broker.reset()));
afterAll(async () => {
  await clock.time('closeMs', () => broker.close());
  clock.save();
});

test('@platformatic/kafka writes, readToEnd sees keys and headers', async () => {
  const producer = new Producer({ clientId: 'vitest', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
  await producer.send({ messages: [{ topic: 'orders', key: 'ann', value: '5', partition: 1, headers: new Map([['source', 'web']]) }] });
  await producer.close();
  const [m] = await broker.readToEnd('orders');
  expect([m.partition, m.key, m.value, m.headers]).toEqual([1, 'ann', '5', { source: 'web' }]);
  expect(invoiceFor(m).value).toBe('{"customer":"ann","amount":5,"vat":1}');
});

test('KafkaJS: a topic a test creates is gone after the reset', async () => {
  await broker.createTopic({ name: 'scratch', partitions: 1 });
  const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrap], clientId: 'vitest', logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  expect((await admin.listTopics()).sort()).toEqual(['orders', 'scratch']);
  await admin.disconnect();
  expect(await broker.readToEnd('orders')).toEqual([]);
});

test('after the reset only the declared topics are there', async () => {
  expect(await broker.topics()).toEqual(['orders']);
});
`,
  'test/invoicer.jest.test.mjs': `// Jest (ESM mode): the invoicer's output read back with spate/testing's own helpers.
import { startBroker } from 'spate/testing';
import { invoiceFor } from '../src/invoicer.mjs';
import { timings } from './timings.mjs';

const clock = timings('jest');
let broker;
beforeAll(async () => {
  broker = await clock.time('startMs', () => startBroker({ topics: [{ name: 'invoices', partitions: 1 }] }));
});
beforeEach(() => clock.time('resetMs', () => broker.reset()));
afterAll(async () => {
  await clock.time('closeMs', () => broker.close());
  clock.save();
});

test('an invoice written is read back', async () => {
  await broker.produce('invoices', [invoiceFor({ key: 'ann', value: '10' })]);
  expect((await broker.readToEnd('invoices')).map((m) => [m.key, JSON.parse(m.value).vat])).toEqual([['ann', 2]]);
});

test('the reset emptied the topic', async () => {
  expect(await broker.readToEnd('invoices')).toEqual([]);
});
`,
};
for (const [name, text] of Object.entries(files)) {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  writeFileSync(join(dir, name), text);
}

sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']);
let failed = false;
for (const script of ['test:node', 'test:vitest', 'test:jest']) {
  try {
    sh('npm', ['run', '--silent', script]);
  } catch {
    failed = true;
  }
}
const summary = [];
for (const suite of ['node-test', 'vitest', 'jest']) {
  try {
    const t = JSON.parse(readFileSync(join(dir, `timings-${suite}.json`), 'utf8'));
    const resets = [...t.resetMs].sort((a, b) => a - b);
    summary.push(`${suite}: start ${t.startMs.toFixed(0)} ms, reset median ${resets[Math.floor(resets.length / 2)].toFixed(1)} ms (max ${resets.at(-1).toFixed(1)} ms, ${resets.length} resets), close ${t.closeMs.toFixed(0)} ms`);
  } catch {
    summary.push(`${suite}: no timings (the suite did not finish)`);
  }
}
process.stdout.write(`\nspate/testing sample in ${dir}\n${summary.join('\n')}\n`);
process.exit(failed ? 1 : 0);
