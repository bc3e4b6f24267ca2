// Memory attacks against a broker child process, with its RSS read from /proc before, during and after each
// attack and a well-behaved producer's latency measured while it runs. Longer than the regression tests in
// test/robustness/memory-bounds.test.ts; its figures go in the README's "Memory bounds" section.
//
//   npm run build && node dist/perf/memory-attacks.js [--attack pipelined-fetch] [--override key=value ...]
//
// Attacks (default: all): none (the probe's baseline), pipelined-fetch, huge-frames, huge-frames-filled, slowloris, idle, log-flood.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
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
  type LatencySummary,
} from '../test/helpers/attacks.js';
import { buildRecordBatch } from '../test/helpers/batch-builder.js';
import { startBrokerProcess, type BrokerProcess } from '../test/helpers/broker.js';
import { mib, readProcessMemory, RssSampler } from '../test/helpers/process-memory.js';
import { RawClient, assertRoundTrip } from '../test/helpers/raw-client.js';

const { values } = parseArgs({
  options: {
    attack: { type: 'string', multiple: true },
    override: { type: 'string', multiple: true, default: [] },
    'hold-seconds': { type: 'string', default: '15' },
  },
});
const HOLD_MS = Number(values['hold-seconds']) * 1000;
const ATTACKS: Record<string, (broker: BrokerProcess) => Promise<string>> = {
  none: async () => {
    await sleep(HOLD_MS);
    return 'no attack: the baseline for the probe';
  },
  'pipelined-fetch': pipelinedFetch,
  'huge-frames': hugeFrames,
  'huge-frames-filled': hugeFramesFilled,
  slowloris,
  idle,
  'log-flood': logFlood,
};

interface Report {
  attack: string;
  rssBefore: number;
  peakRss: number;
  peakVmSize: number;
  rssAfter: number;
  probe: LatencySummary;
  note: string;
  servingAfter: boolean;
}

async function run(name: string): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), 'spate-attack-'));
  const broker = await startBrokerProcess(dir, values.override.flatMap((o) => ['--override', o]));
  // Interrupted (Ctrl-C, timeout): the broker child must not outlive us.
  const killBroker = (): void => {
    broker.child.kill('SIGKILL');
    process.exit(130);
  };
  process.once('SIGINT', killBroker).once('SIGTERM', killBroker);
  try {
    const pid = broker.child.pid!;
    const admin = await RawClient.connect(broker.port);
    await admin.createTopic('probe', 1);
    await admin.createTopic('fat', 1);
    // 4 MiB of data for the fetch attacks: every fetch of offset 0 has 1 MiB to return.
    for (let i = 0; i < 4; i++) await admin.produce('fat', { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(900 * 1024, i) }]) });
    await admin.close();
    await sleep(1000);
    const rssBefore = readProcessMemory(pid).rssBytes;
    const probe = await ProduceProbe.start(broker.port, 'probe');
    const sampler = new RssSampler(pid);
    const note = await ATTACKS[name]!(broker);
    const probeSummary = await probe.stop();
    // The peak covers the attackers' going too: what they leave behind is freed (or not) after they close.
    await sleep(5000);
    const peaks = sampler.stop();
    const rssAfter = readProcessMemory(pid).rssBytes;
    let servingAfter = true;
    try {
      const check = await RawClient.connect(broker.port);
      await assertRoundTrip(check, 'probe');
      await check.close();
    } catch {
      servingAfter = false;
    }
    return { attack: name, rssBefore, peakRss: peaks.peakRssBytes, peakVmSize: peaks.peakVmSizeBytes, rssAfter, probe: probeSummary, note, servingAfter };
  } finally {
    process.off('SIGINT', killBroker).off('SIGTERM', killBroker);
    await broker.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Three connections each pipeline 3,000 fetches allowed 1 MiB of response, and never read. */
async function pipelinedFetch(broker: BrokerProcess): Promise<string> {
  const encoder = await RawClient.connect(broker.port);
  const sockets = [];
  for (let i = 0; i < 3; i++) {
    const socket = await openSilentSocket(broker.port);
    socket.write(fetchFrames(encoder, 'fat', 3000, 1024 * 1024));
    sockets.push(socket);
  }
  await encoder.close();
  await sleep(HOLD_MS);
  const closed = countClosed(sockets);
  destroyAll(sockets);
  return `3 connections x 3,000 fetches of 1 MiB, never read; ${closed} closed by the broker during the hold`;
}

/** Thirty connections declare 100 MiB frames and send 64 KiB of each. */
async function hugeFrames(broker: BrokerProcess): Promise<string> {
  const sockets = [];
  for (let i = 0; i < 30; i++) {
    const socket = await openSilentSocket(broker.port);
    socket.write(declaredFrame(100 * 1024 * 1024, 64 * 1024));
    sockets.push(socket);
  }
  await sleep(HOLD_MS);
  const closed = countClosed(sockets);
  destroyAll(sockets);
  return `30 connections declaring 100 MiB frames, 64 KiB sent; ${closed} closed by the broker during the hold`;
}

/** Thirty connections send 100 MiB frames but for their last byte, as fast as the broker reads them. */
async function hugeFramesFilled(broker: BrokerProcess): Promise<string> {
  const size = 100 * 1024 * 1024;
  const body = declaredFrame(size, size - 1);
  const sockets = await Promise.all(Array.from({ length: 30 }, async () => (await openSilentSocket(broker.port)).resume()));
  const writes = sockets.map((socket) => writeAll(socket, body));
  await Promise.race([Promise.all(writes), sleep(Math.max(HOLD_MS, 30_000))]);
  const closed = countClosed(sockets);
  destroyAll(sockets);
  return `30 connections sending 100 MiB frames minus their last byte; ${closed} closed by the broker`;
}

/** A hundred connections drip a 64-byte frame one byte per second. */
async function slowloris(broker: BrokerProcess): Promise<string> {
  const sockets = await Promise.all(Array.from({ length: 100 }, async () => (await openSilentSocket(broker.port)).resume()));
  const frame = declaredFrame(60, 60);
  const drips = sockets.map((socket) => drip(socket, frame, 1000));
  const watchMs = Math.max(HOLD_MS, 45_000);
  await Promise.race([Promise.all(drips), sleep(watchMs)]);
  const closed = countClosed(sockets);
  destroyAll(sockets);
  return `100 connections dripping 1 byte/s; ${closed} closed by the broker within ${watchMs / 1000} s`;
}

/** Six thousand connections that connect and say nothing. */
async function idle(broker: BrokerProcess): Promise<string> {
  const { sockets, refused } = await openSockets(broker.port, 6000, 100);
  await sleep(HOLD_MS);
  const closed = countClosed(sockets);
  destroyAll(sockets);
  return `6,000 idle connections: ${refused} refused at connect, ${closed} closed by the broker during the hold`;
}

/** Seventeen thousand connections each send a negative size prefix. */
async function logFlood(broker: BrokerProcess): Promise<string> {
  const bytesBefore = broker.logs.reduce((sum, line) => sum + line.length + 1, 0);
  const linesBefore = broker.logs.length;
  const prefix = declaredFrame(-1, 0);
  const started = performance.now();
  let next = 0;
  let closedByBroker = 0;
  const worker = async (): Promise<void> => {
    while (next < 17_000) {
      next++;
      try {
        const socket = await openSilentSocket(broker.port);
        socket.resume();
        socket.write(prefix);
        const closed = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 5000);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (closed) closedByBroker++;
        socket.destroy();
      } catch {
        // refused: counted as not closed by the broker's frame check
      }
    }
  };
  await Promise.all(Array.from({ length: 100 }, worker));
  await sleep(1000);
  const bytes = broker.logs.reduce((sum, line) => sum + line.length + 1, 0) - bytesBefore;
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  return `17,000 connections with a negative size prefix in ${seconds} s (${closedByBroker} closed by the broker): it logged ${broker.logs.length - linesBefore} lines, ${bytes} bytes`;
}

const chosen = values.attack ?? Object.keys(ATTACKS);
for (const name of chosen) {
  if (!ATTACKS[name]) throw new Error(`unknown attack ${name}; one of ${Object.keys(ATTACKS).join(', ')}`);
}
for (const name of chosen) {
  const r = await run(name);
  const p = r.probe;
  console.log(
    `${r.attack}: RSS before ${mib(r.rssBefore)}, peak ${mib(r.peakRss)} (VmSize peak ${mib(r.peakVmSize)}), after ${mib(r.rssAfter)}; ` +
      `probe produce p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms, max ${p.maxMs.toFixed(1)} ms, ${p.requests} ok, ${p.errors} errors; ` +
      `serving after: ${r.servingAfter}\n  ${r.note}`,
  );
}
