// A partition worker that dies: the broker notices, logs it, fails that worker's requests (including the ones
// in flight when it died) with an error instead of leaving them hanging, reports its partitions as leaderless,
// and keeps serving the partitions of the other workers.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Broker, resolveBrokerConfig } from '../../src/index.js';
import { ApiKey, type ProduceResponse } from '../../src/protocol/generated/index.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { RawClient, assertRoundTrip, waitForLogLine } from '../helpers/raw-client.js';

const KAFKA_STORAGE_ERROR = 56;
const LEADER_NOT_AVAILABLE = 5;

/** An in-process broker with two workers whose log lines are kept in memory. */
async function startBrokerWithLogs(): Promise<{ broker: Broker; logs: string[]; dataDir: string }> {
  const logs: string[] = [];
  const log = pino({ level: 'info', base: { service: 'spate' } }, { write: (line: string) => void logs.push(line.trimEnd()) });
  const dataDir = mkdtempSync(join(tmpdir(), 'spate-worker-death-'));
  const config = resolveBrokerConfig({ host: '127.0.0.1', port: 0, dataDir, workers: 2, properties: { 'group.initial.rebalance.delay.ms': 0 } });
  const broker = await Broker.start(config, log);
  return { broker, logs, dataDir };
}

/** Settles within `ms` or rejects: a request that hangs must fail the test, not time it out. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

test('a dead partition worker is detected and logged; its requests fail with an error instead of hanging', async (t) => {
  const { broker, logs, dataDir } = await startBrokerWithLogs();
  t.teardown(async () => {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const client = await RawClient.connect(broker.port);
  const observer = await RawClient.connect(broker.port);
  t.teardown(async () => {
    await client.close();
    await observer.close();
  });
  t.is((await client.createTopic('t', 4)).topics[0]!.errorCode, 0);
  const registry = broker.context.registry;
  const victim = registry.partition('t', 0)!.worker;
  const doomed = [0, 1, 2, 3].filter((i) => registry.partition('t', i)!.worker === victim);
  const survivors = [0, 1, 2, 3].filter((i) => registry.partition('t', i)!.worker !== victim);
  t.true(survivors.length > 0, 'the topic should span both workers');
  for (const p of [...doomed, ...survivors]) await assertRoundTrip(client, 't', p);

  // A burst of produces to the victim's partition, in flight while the worker is terminated.
  const burst = Array.from({ length: 100 }, (_, i) =>
    client.prepare<ProduceResponse>(ApiKey.Produce, 9, RawClient.produceBody('t', { partition: 0, records: buildRecordBatch([{ value: Buffer.from(`burst-${i}`) }]) })),
  );
  client.write(burst.map((b) => b.frame));
  await new Promise((resolve) => setImmediate(resolve));
  // And calls made straight on the pool in the same tick as the termination: certainly still pending then.
  const pool = broker.context.workers;
  const partitionId = registry.partition('t', 0)!.id;
  const direct = Array.from({ length: 50 }, (_, i) =>
    pool.produce(victim, partitionId, buildRecordBatch([{ value: Buffer.from(`direct-${i}`) }]), Date.now()).then(
      (reply) => String(reply.errorCode),
      (error: unknown) => (error as { code?: string }).code ?? String(error),
    ),
  );
  const terminated = pool.terminateWorkerForTesting(victim);
  const outcomes = await within(Promise.all(burst.map((b) => b.response)), 5000, 'produces sent just before the worker died');
  const directOutcomes = await within(Promise.all(direct), 5000, 'pool calls pending when the worker died');
  await terminated;
  const codes = outcomes.map((o) => o.responses[0]!.partitionResponses[0]!.errorCode);
  t.log(`produces on the wire: ${codes.filter((c) => c === 0).length} stored before the death, ${codes.filter((c) => c === KAFKA_STORAGE_ERROR).length} failed`);
  t.true(codes.every((c) => c === 0 || c === KAFKA_STORAGE_ERROR), `unexpected codes ${[...new Set(codes)].join(',')}`);
  t.log(`pending pool calls: ${JSON.stringify(Object.fromEntries([...new Set(directOutcomes)].map((o) => [o, directOutcomes.filter((x) => x === o).length])))}`);
  t.true(directOutcomes.every((o) => o === '0' || o === 'SPATE_WORKER_DIED'), `unexpected outcomes ${[...new Set(directOutcomes)].join(',')}`);

  // The death is logged once, at error level, naming the worker.
  const died = await waitForLogLine(logs, (l) => l.msg === 'partition worker died; its partitions are unavailable');
  t.is(died.level, 50);
  t.is(died.worker, victim);
  t.false(broker.context.workers.isAlive(victim));

  // Every data-plane request for the dead worker's partitions now fails fast with an error.
  for (const p of doomed) {
    const produced = (await within(client.produce('t', { partition: p, records: buildRecordBatch([{ value: Buffer.from('late') }]) }), 5000, 'produce')).responses[0]!.partitionResponses[0]!;
    t.is(produced.errorCode, KAFKA_STORAGE_ERROR);
    t.regex(produced.errorMessage ?? '', /worker .*died/);
    const listed = (await within(client.listOffsets('t', p, -2), 5000, 'list offsets')).topics[0]!.partitions[0]!;
    t.is(listed.errorCode, KAFKA_STORAGE_ERROR);
    const fetched = (await within(client.fetch('t', p, 0), 5000, 'fetch')).responses[0]!.partitions[0]!;
    t.is(fetched.errorCode, KAFKA_STORAGE_ERROR);
  }
  // Metadata tells clients those partitions have no leader; the others are fine.
  const metadata = await observer.metadata(['t']);
  for (const partition of metadata.topics[0]!.partitions) {
    t.is(partition.errorCode, doomed.includes(partition.partitionIndex) ? LEADER_NOT_AVAILABLE : 0, `partition ${partition.partitionIndex}`);
  }
  // The surviving worker's partitions, and both connections, carry on.
  for (const p of survivors) {
    await assertRoundTrip(client, 't', p);
    await assertRoundTrip(observer, 't', p);
  }
  t.is(logs.filter((l) => l.includes('partition worker died')).length, 1);
  // Shutting down with a dead worker neither hangs nor throws.
  await t.notThrowsAsync(within(broker.close(), 10_000, 'broker.close()'));
});

// Regression: a consumer that is caught up (fetch offset = high watermark) used to skip the worker and
// long-poll on the partition's append waiters, so on a dead worker's partition it got error NONE and no data
// after every max wait, forever, instead of an error that makes it refresh metadata.
test('a caught-up fetch of a dead worker\'s partition gets an error', async (t) => {
  const { broker, dataDir } = await startBrokerWithLogs();
  t.teardown(async () => {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is((await client.createTopic('caught-up', 1)).topics[0]!.errorCode, 0);
  await assertRoundTrip(client, 'caught-up');
  const end = await client.offset('caught-up', 0);
  const worker = broker.context.registry.partition('caught-up', 0)!.worker;
  await broker.context.workers.terminateWorkerForTesting(worker);
  await within(
    (async () => {
      while (broker.context.workers.isAlive(worker)) await new Promise((resolve) => setTimeout(resolve, 10));
    })(),
    5000,
    'death detection',
  );
  const fetched = (await client.fetch('caught-up', 0, end, { maxWaitMs: 300 })).responses[0]!.partitions[0]!;
  t.not(fetched.errorCode, 0, 'a caught-up consumer of a dead partition is told nothing is wrong');
});
