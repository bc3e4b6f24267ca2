// Throughput of src/threads/ring.ts against ringbuf.js 0.4, main thread producer -> one worker consumer,
// in the same process run. Usage: node dist/perf/ring-bench.js [runMs]
//
// Both carriers: the producer copies each frame from an 8-byte aligned source into the ring and notifies
// once per 64 KiB; the consumer copies each payload out and checks a sequence number; neither side
// busy-polls. ringbuf.js has no wake-up of its own, so it gets the same flag/re-check/sleep doorbell as our
// ring (a side SharedArrayBuffer), and an 8-byte length prefix so its write offsets stay 8-aligned.
import { pathToFileURL } from 'node:url';
import { isMainThread, Worker } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { createRingMemory, RingWriter, type RingMemory } from '../src/threads/ring.js';

export type BenchJob =
  | { kind: 'ours'; frameBytes: number; memory: RingMemory }
  | { kind: 'ringbuf'; frameBytes: number; ringbuf: SharedArrayBuffer; doorbell: SharedArrayBuffer };

export interface BenchResult {
  frames: number;
  bytes: number;
  ok: boolean;
}

/** Int32 slots of the ringbuf.js doorbell, each pair on its own cache line. */
export const DOORBELL = { consumerSleeping: 0, consumerSignal: 1, producerWaiting: 16, producerSignal: 17 } as const;

const RING_BYTES = 4 * 1024 * 1024;
const NOTIFY_EVERY = 64 * 1024;
const FRAME_SIZES = [64, 1024, 16 * 1024, 256 * 1024];
const RUNS = 3;

interface Measured {
  bytesPerSec: number;
  framesPerSec: number;
}

function startWorker(job: BenchJob): { worker: Worker; ready: Promise<void>; done: Promise<BenchResult> } {
  const worker = new Worker(new URL('./ring-bench-worker.js', import.meta.url), { workerData: job });
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  const done = new Promise<BenchResult>((resolve, reject) => {
    worker.once('message', (m: BenchResult) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
  });
  return { worker, ready, done };
}

async function finish(started: number, done: Promise<BenchResult>, worker: Worker): Promise<Measured> {
  const result = await done;
  const seconds = (performance.now() - started) / 1000;
  await worker.terminate();
  if (!result.ok) throw new Error('bench consumer saw a corrupted or timed-out stream');
  return { bytesPerSec: result.bytes / seconds, framesPerSec: result.frames / seconds };
}

async function runOurs(frameBytes: number, runMs: number): Promise<Measured> {
  const memory = createRingMemory(RING_BYTES);
  const writer = new RingWriter(memory);
  const source = new Uint8Array(new ArrayBuffer(frameBytes)).fill(0x5a);
  const sourceView = new DataView(source.buffer);
  const { worker, ready, done } = startWorker({ kind: 'ours', frameBytes, memory });
  await ready;
  const started = performance.now();
  let seq = 0;
  let sinceNotify = 0;
  for (;;) {
    const off = writer.reserve(frameBytes, 0);
    if (off < 0) {
      await writer.waitForSpaceAsync();
      continue;
    }
    sourceView.setUint32(0, seq++, true);
    writer.bytes.set(source, off);
    sinceNotify += frameBytes;
    if (sinceNotify >= NOTIFY_EVERY) {
      sinceNotify = 0;
      writer.publish();
      if (performance.now() - started >= runMs) break;
    }
  }
  while (writer.reserve(0) < 0) await writer.waitForSpaceAsync();
  writer.publish();
  return finish(started, done, worker);
}

async function runRingbuf(frameBytes: number, runMs: number): Promise<Measured> {
  const sab = RingBuffer.getStorageForCapacity(RING_BYTES, Uint8Array);
  const doorbell = new SharedArrayBuffer(128);
  const rb = new RingBuffer(sab, Uint8Array);
  const bell = new Int32Array(doorbell);
  const source = new Uint8Array(new ArrayBuffer(frameBytes)).fill(0x5a);
  const sourceView = new DataView(source.buffer);
  const header = new Uint8Array(8);
  const headerView = new DataView(header.buffer);
  const { worker, ready, done } = startWorker({ kind: 'ringbuf', frameBytes, ringbuf: sab, doorbell });
  await ready;

  const notifyConsumer = (): void => {
    if (Atomics.load(bell, DOORBELL.consumerSleeping) !== 0 && Atomics.exchange(bell, DOORBELL.consumerSleeping, 0) !== 0) {
      Atomics.add(bell, DOORBELL.consumerSignal, 1);
      Atomics.notify(bell, DOORBELL.consumerSignal, 1);
    }
  };
  const waitForSpace = async (needed: number): Promise<void> => {
    notifyConsumer();
    const signal = Atomics.load(bell, DOORBELL.producerSignal);
    Atomics.store(bell, DOORBELL.producerWaiting, 1);
    if (rb.availableWrite() < needed) {
      const r = Atomics.waitAsync(bell, DOORBELL.producerSignal, signal);
      if (r.async) await r.value;
    }
    Atomics.store(bell, DOORBELL.producerWaiting, 0);
  };
  const push = async (length: number): Promise<void> => {
    headerView.setUint32(0, length, true);
    while (rb.availableWrite() < 8 + length) await waitForSpace(8 + length);
    rb.push(header, 8);
    if (length > 0) rb.push(source, length);
  };

  const started = performance.now();
  let seq = 0;
  let sinceNotify = 0;
  for (;;) {
    sourceView.setUint32(0, seq++, true);
    if (rb.availableWrite() < 8 + frameBytes) await push(frameBytes);
    else {
      // Fast path without the async call, to be fair to ringbuf.js at 64 B.
      headerView.setUint32(0, frameBytes, true);
      rb.push(header, 8);
      rb.push(source, frameBytes);
    }
    sinceNotify += frameBytes;
    if (sinceNotify >= NOTIFY_EVERY) {
      sinceNotify = 0;
      notifyConsumer();
      if (performance.now() - started >= runMs) break;
    }
  }
  await push(0);
  notifyConsumer();
  return finish(started, done, worker);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function formatRate(bytesPerSec: number): string {
  return bytesPerSec >= 1e9 ? `${(bytesPerSec / 1e9).toFixed(2)} GB/s` : `${(bytesPerSec / 1e6).toFixed(0)} MB/s`;
}

function formatCount(perSec: number): string {
  return perSec >= 1e6 ? `${(perSec / 1e6).toFixed(2)} M` : `${(perSec / 1e3).toFixed(1)} k`;
}

function formatSize(bytes: number): string {
  return bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

async function main(): Promise<void> {
  const runMs = Number(process.argv[2] ?? 400);
  console.log(`ring bench: main thread -> 1 worker, ${RING_BYTES / 1048576} MiB rings, ${runMs} ms per run, median of ${RUNS}`);
  const rows: string[][] = [['frame', 'spate ring', 'frames/s', 'ringbuf.js', 'frames/s', 'ours/ringbuf.js']];
  for (const size of FRAME_SIZES) {
    const ours: Measured[] = [];
    const theirs: Measured[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternate so both carriers see the same background noise.
      ours.push(await runOurs(size, runMs));
      theirs.push(await runRingbuf(size, runMs));
    }
    const a = median(ours.map((m) => m.bytesPerSec));
    const b = median(theirs.map((m) => m.bytesPerSec));
    const af = median(ours.map((m) => m.framesPerSec));
    const bf = median(theirs.map((m) => m.framesPerSec));
    rows.push([formatSize(size), formatRate(a), formatCount(af), formatRate(b), formatCount(bf), `${(a / b).toFixed(1)}x`]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const [i, row] of rows.entries()) {
    console.log(`| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`);
    if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  }
}

// The worker imports this module for its types and DOORBELL; only run when executed directly.
if (isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
