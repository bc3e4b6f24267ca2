// Memory attacks on a live broker child process, its RSS read from /proc/<pid>/status before, during and after:
// connections that pipeline fetches and never read, size prefixes declaring 100 MiB, 100 MiB frames that never
// finish, bytes dripped one at a time, thousands of idle connections. Each must leave the broker's memory within a
// bound stated in bytes, the broker serving, and a well-behaved producer on another connection answered.
import test, { type ExecutionContext } from 'ava';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  countClosed,
  declaredFrame,
  destroyAll,
  drip,
  fetchFrames,
  openSilentSocket,
  openSockets,
  ProduceProbe,
  writeAll,
} from '../helpers/attacks.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { startBrokerProcess, temporaryDir, type BrokerProcess } from '../helpers/broker.js';
import { mib, readProcessMemory, RssSampler } from '../helpers/process-memory.js';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';

const MiB = 1024 * 1024;

interface Attacked {
  broker: BrokerProcess;
  pid: number;
  rssBefore: number;
  /** The broker's /metrics address. */
  metrics: string;
}

/** Bytes the broker holds against its request and response budgets, from its spate_network_queued_bytes gauge. */
async function queuedBytes(metrics: string): Promise<{ requests: number; responses: number }> {
  const text = await (await fetch(metrics)).text();
  const read = (budget: string): number => Number(new RegExp(`^spate_network_queued_bytes\\{budget="${budget}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { requests: read('requests'), responses: read('responses') };
}

/** Once every attacker is gone, every byte they held is back in the budgets (the accounting leaks nothing). */
async function assertBudgetsEmpty(t: ExecutionContext, metrics: string): Promise<void> {
  let queued = await queuedBytes(metrics);
  for (let i = 0; i < 100 && (queued.requests !== 0 || queued.responses !== 0); i++) {
    await sleep(100);
    queued = await queuedBytes(metrics);
  }
  t.deepEqual(queued, { requests: 0, responses: 0 });
}

/** A broker child process with a `probe` topic and a `fat` topic holding 4 MiB (every fetch of it has 1 MiB to return). */
async function attackedBroker(t: ExecutionContext, overrides: Record<string, string | number> = {}): Promise<Attacked> {
  const dir = temporaryDir();
  const broker = await startBrokerProcess(dir.path, ['--metrics-port', '0', ...Object.entries(overrides).flatMap(([k, v]) => ['--override', `${k}=${v}`])]);
  t.teardown(async () => {
    await broker.kill();
    dir.remove();
  });
  const admin = await RawClient.connect(broker.port);
  t.is((await admin.createTopic('probe', 1)).topics[0]!.errorCode, 0);
  t.is((await admin.createTopic('fat', 1)).topics[0]!.errorCode, 0);
  for (let i = 0; i < 4; i++) {
    const produced = await admin.produce('fat', { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(900 * 1024, i) }]) });
    t.is(produced.responses[0]!.partitionResponses[0]!.errorCode, 0);
  }
  await assertRoundTrip(admin, 'probe');
  await admin.close();
  await sleep(500);
  const pid = broker.child.pid!;
  const started = JSON.parse(broker.logs.find((l) => l.includes('"broker started"'))!) as { metrics: string };
  return { broker, pid, rssBefore: readProcessMemory(pid).rssBytes, metrics: started.metrics };
}

/** Still serving: a fresh connection does a full round trip. */
async function assertServing(port: number): Promise<void> {
  const client = await RawClient.connect(port);
  try {
    await assertRoundTrip(client, 'probe');
  } finally {
    await client.close();
  }
}

function closedWithin(sockets: readonly Socket[], ms: number): Promise<number> {
  return Promise.race([
    Promise.all(sockets.map((s) => (s.closed ? Promise.resolve() : new Promise<void>((resolve) => s.once('close', () => resolve()))))).then(() => sockets.length),
    sleep(ms).then(() => countClosed(sockets)),
  ]);
}

test.serial('three connections pipelining 3,000 fetches of 1 MiB each and never reading stay within their per-connection bound', async (t) => {
  const { broker, pid, rssBefore, metrics } = await attackedBroker(t);
  const probe = await ProduceProbe.start(broker.port, 'probe');
  const sampler = new RssSampler(pid);
  const encoder = await RawClient.connect(broker.port);
  const attackers: Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const socket = await openSilentSocket(broker.port);
    socket.write(fetchFrames(encoder, 'fat', 3000, MiB));
    attackers.push(socket);
  }
  await encoder.close();
  // Long enough for the unbounded broker to have started all 9,000 (it reached 1.7 GiB within seconds).
  await sleep(6000);
  // A consumer on another connection still gets its data while the attackers hold their bound.
  const consumer = await RawClient.connect(broker.port);
  const fetched = await consumer.fetch('fat', 0, 0, { maxBytes: MiB, partitionMaxBytes: MiB, timeoutMs: 30_000 });
  t.is(fetched.responses[0]!.partitions[0]!.errorCode, 0);
  t.true(fetched.responses[0]!.partitions[0]!.records!.length > 0);
  await consumer.close();
  const latency = await probe.stop();
  // While attacked, the budgets hold about what the attackers are allowed: 16 MiB of responses each.
  const held = await queuedBytes(metrics);
  t.true(held.responses <= 3 * 17 * MiB, `responses budget holds ${mib(held.responses)}`);
  destroyAll(attackers);
  await assertBudgetsEmpty(t, metrics);
  // The peak includes the attackers' going: fetches still running when they close finish (and are dropped).
  const { peakRssBytes } = sampler.stop();
  t.log(`RSS ${mib(rssBefore)} before, peak ${mib(peakRssBytes)}; probe produce p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms over ${latency.requests}`);
  // Each attacker holds at most max.queued.bytes.per.connection (16 MiB) of responses: 48 MiB, plus the replies
  // of its running fetches; the rest is room for bytes the GC has not yet returned. Unbounded: 3.5 GiB.
  t.true(peakRssBytes - rssBefore < 192 * MiB, `RSS grew by ${mib(peakRssBytes - rssBefore)}`);
  t.is(latency.errors, 0);
  t.true(latency.requests > 0);
  await assertServing(broker.port);
});

test.serial('thirty connections declaring 100 MiB frames cost the bytes they send, not the size they declare', async (t) => {
  const { broker, pid, rssBefore } = await attackedBroker(t);
  const vmBefore = readProcessMemory(pid).vmSizeBytes;
  const sampler = new RssSampler(pid);
  const attackers: Socket[] = [];
  for (let i = 0; i < 30; i++) {
    const socket = await openSilentSocket(broker.port);
    socket.write(declaredFrame(100 * MiB, 64 * 1024));
    attackers.push(socket);
  }
  await sleep(3000);
  const { peakRssBytes, peakVmSizeBytes } = sampler.stop();
  t.log(`RSS ${mib(rssBefore)} before, peak ${mib(peakRssBytes)}; VmSize ${mib(vmBefore)} before, peak ${mib(peakVmSizeBytes)}`);
  // 30 x 64 KiB were sent. Allocating from the prefix reserved 30 x 100 MiB = 3 GiB of address space.
  t.true(peakVmSizeBytes - vmBefore < 1024 * MiB, `VmSize grew by ${mib(peakVmSizeBytes - vmBefore)}`);
  t.true(peakRssBytes - rssBefore < 64 * MiB, `RSS grew by ${mib(peakRssBytes - rssBefore)}`);
  destroyAll(attackers);
  await assertServing(broker.port);
});

test.serial('thirty 100 MiB frames that never finish are held to queued.max.request.bytes and closed by partial.request.timeout.ms', async (t) => {
  const timeoutMs = 4000;
  const { broker, pid, rssBefore, metrics } = await attackedBroker(t, { 'partial.request.timeout.ms': timeoutMs });
  const probe = await ProduceProbe.start(broker.port, 'probe');
  const sampler = new RssSampler(pid);
  const frame = declaredFrame(100 * MiB, 100 * MiB - 1);
  // Reading (though nothing comes), so that the broker closing a socket that has written everything is seen.
  const attackers = await Promise.all(Array.from({ length: 30 }, async () => (await openSilentSocket(broker.port)).resume()));
  for (const socket of attackers) void writeAll(socket, frame);
  // Every attacker is closed once its frame has been incomplete for the timeout (the budget's waiters included).
  const closed = await closedWithin(attackers, 60_000);
  const { peakRssBytes } = sampler.stop();
  const latency = await probe.stop();
  destroyAll(attackers);
  t.log(`RSS ${mib(rssBefore)} before, peak ${mib(peakRssBytes)}; ${closed}/30 closed; probe produce p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms, ${latency.errors} errors`);
  t.is(closed, 30, 'every incomplete 100 MiB frame was closed by the partial-request timeout');
  // queued.max.request.bytes (128 MiB), plus the one frame its pass lets go on past it (100 MiB), plus a socket
  // read or two per connection: 232 MiB. The rest is room for bytes the GC has not yet returned (a closed pass
  // holder's 100 MiB while the next one reads). Unbounded: 3 GiB.
  t.true(peakRssBytes - rssBefore < 448 * MiB, `RSS grew by ${mib(peakRssBytes - rssBefore)}`);
  t.true(latency.requests > 0);
  const line = broker.logs.find((l) => l.includes('partial.request.timeout.ms'));
  t.truthy(line, 'the timeout is logged with its reason');
  await assertBudgetsEmpty(t, metrics);
  await assertServing(broker.port);
});

test.serial('a slowloris dripping one byte at a time is closed by partial.request.timeout.ms; a slow but whole request is served', async (t) => {
  const { broker } = await attackedBroker(t, { 'partial.request.timeout.ms': 2000 });
  const drippers = await Promise.all(Array.from({ length: 20 }, async () => (await openSilentSocket(broker.port)).resume()));
  const frame = declaredFrame(100, 100);
  for (const socket of drippers) void drip(socket, frame, 200); // would take 21 s to finish
  // A request that arrives in two halves 500 ms apart is within the timeout and answered.
  const client = await RawClient.connect(broker.port);
  const versions = client.prepare<{ errorCode: number }>(18, 3, { clientSoftwareName: 'slow', clientSoftwareVersion: '1' });
  client.write(versions.frame.subarray(0, 10));
  await sleep(500);
  client.write(versions.frame.subarray(10));
  t.is((await versions.response).errorCode, 0);
  t.is(await closedWithin(drippers, 15_000), 20, 'every dripping connection was closed');
  t.false(client.isClosed);
  await client.close();
  await assertServing(broker.port);
});

test.serial('idle connections are reaped after connections.max.idle.ms; an active one on the same broker is kept', async (t) => {
  const { broker } = await attackedBroker(t, { 'connections.max.idle.ms': 1500 });
  const { sockets: idle } = await openSockets(broker.port, 50, 10);
  const active = await RawClient.connect(broker.port);
  const keepActive = (async () => {
    for (let i = 0; i < 20; i++) {
      await active.apiVersions();
      await sleep(300);
    }
  })();
  t.is(await closedWithin(idle, 15_000), 50, 'every idle connection was closed');
  await keepActive;
  t.false(active.isClosed, 'the active connection was closed');
  await active.close();
});

test.serial('6,000 idle connections: max.connections (3,072 by default) refuses the rest and RSS stays bounded', async (t) => {
  const { broker, pid, rssBefore } = await attackedBroker(t);
  const sampler = new RssSampler(pid);
  const { sockets, refused } = await openSockets(broker.port, 6000, 100);
  await sleep(2000);
  const closedByBroker = countClosed(sockets);
  const { peakRssBytes } = sampler.stop();
  t.log(`RSS ${mib(rssBefore)} before, peak ${mib(peakRssBytes)}; ${refused} refused at connect, ${closedByBroker} closed right after`);
  // Four helper connections of attackedBroker are gone; all 6,000 came in while none of ours was open.
  t.is(refused + closedByBroker, 6000 - 3072);
  t.true(peakRssBytes - rssBefore < 128 * MiB, `RSS grew by ${mib(peakRssBytes - rssBefore)}`);
  const refusal = broker.logs.filter((l) => l.includes('"connection refused"'));
  t.true(refusal.length >= 1 && refusal.length <= 5, `${refusal.length} refusal lines for ${6000 - 3072} refusals`);
  destroyAll(sockets);
  await sleep(500);
  await assertServing(broker.port);
});
