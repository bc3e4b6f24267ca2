// Embedding: `import { startBroker } from 'spate'` (the package entry, dist/src/index.js) with no options
// gives a working broker on a free port in a temporary data directory that close() removes again.
import test from 'ava';
import type * as EntryModule from '../../src/index.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';

type Entry = typeof EntryModule;

/** The package entry, resolved by name exactly as an application would (package.json "exports"). */
async function packageEntry(): Promise<Entry> {
  const specifier = 'spate'; // a variable: resolved by Node at run time, not by the compiler
  return (await import(specifier)) as Entry;
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

test('startBroker() from the package entry starts fast with defaults, serves, and close() removes its temp dir', async (t) => {
  const entry = await packageEntry();
  t.is(entry.startBroker, (await import('../../src/index.js')).startBroker, "'spate' should resolve to dist/src/index.js");

  const started = performance.now();
  const broker = await entry.startBroker();
  const startupMs = performance.now() - started;
  t.log(`startBroker() resolved after ${startupMs.toFixed(1)} ms`);
  t.true(startupMs < 5000, `startup took ${startupMs} ms`);
  let closed = false;
  t.teardown(async () => {
    if (!closed) await broker.close();
  });

  t.is(typeof broker.close, 'function');
  t.true(Number.isInteger(broker.port) && broker.port > 0);
  t.is(broker.bootstrap, `127.0.0.1:${broker.port}`);
  t.true(existsSync(broker.dataDir), 'the temporary data dir should exist while the broker runs');

  const client = await RawClient.connect(broker.port);
  t.is((await client.createTopic('embedded', 2)).topics[0]!.errorCode, 0);
  await assertRoundTrip(client, 'embedded', 1);
  const metadata = await client.metadata(['embedded']);
  t.deepEqual(metadata.brokers.map((b) => `${b.host}:${b.port}`), [broker.bootstrap]);
  await client.close();

  await broker.close();
  closed = true;
  t.false(existsSync(broker.dataDir), 'close() should remove the temporary data dir');
  t.true(await refusesConnections(broker.port), 'the port still accepts connections after close()');
  await t.notThrowsAsync(broker.close(), 'a second close() should be harmless');
});

test('close() keeps a data dir the caller chose', async (t) => {
  const { startBroker } = await packageEntry();
  const dataDir = mkdtempSync(join(tmpdir(), 'spate-embed-own-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const broker = await startBroker({ dataDir, logLevel: 'silent' });
  t.is(broker.dataDir, dataDir);
  const client = await RawClient.connect(broker.port);
  t.is((await client.createTopic('kept', 1)).topics[0]!.errorCode, 0);
  await assertRoundTrip(client, 'kept');
  await client.close();
  await broker.close();
  t.true(existsSync(join(dataDir, 'kept-0')), 'the caller-owned data dir was removed');
});
