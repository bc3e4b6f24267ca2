// Consumer side of perf/ring-bench.ts: drains one carrier until a zero-length frame, copying every payload
// out (so both carriers do one copy in and one copy out) and checking the sequence number in its first bytes.
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { RingReader, type RingMemory } from '../src/threads/ring.js';
import { DOORBELL, type BenchJob, type BenchResult } from './ring-bench.js';

const job = workerData as BenchJob;
const scratch = new Uint8Array(new ArrayBuffer(job.frameBytes));
const scratchView = new DataView(scratch.buffer);
const WAIT_MS = 10_000;

function runOurs(memory: RingMemory): BenchResult {
  const reader = new RingReader(memory);
  const src = Buffer.from(memory.data);
  let frames = 0;
  let bytes = 0;
  let ok = true;
  for (;;) {
    const off = reader.next();
    if (off < 0) {
      reader.release();
      if (!reader.wait(WAIT_MS)) return { frames, bytes, ok: false };
      continue;
    }
    const len = reader.frameLength;
    if (len === 0) break;
    src.copy(scratch, 0, off, off + len);
    if (scratchView.getUint32(0, true) !== frames) ok = false;
    frames++;
    bytes += len;
    // Release in batches, as a partition worker would after one disk write.
    if ((frames & 63) === 0) reader.release();
  }
  reader.release();
  return { frames, bytes, ok };
}

function runRingbuf(sab: SharedArrayBuffer, doorbell: SharedArrayBuffer): BenchResult {
  const rb = new RingBuffer(sab, Uint8Array);
  const bell = new Int32Array(doorbell);
  const header = new Uint8Array(8);
  const headerView = new DataView(header.buffer);
  let frames = 0;
  let bytes = 0;
  let ok = true;
  let freedSinceNotify = 0;
  const notifyProducer = (): void => {
    freedSinceNotify = 0;
    if (Atomics.load(bell, DOORBELL.producerWaiting) !== 0 && Atomics.exchange(bell, DOORBELL.producerWaiting, 0) !== 0) {
      Atomics.add(bell, DOORBELL.producerSignal, 1);
      Atomics.notify(bell, DOORBELL.producerSignal, 1);
    }
  };
  // Same protocol as RingReader.wait: flag, re-check, sleep on a signal word.
  const sleepUntil = (available: number): boolean => {
    notifyProducer();
    const signal = Atomics.load(bell, DOORBELL.consumerSignal);
    Atomics.store(bell, DOORBELL.consumerSleeping, 1);
    if (rb.availableRead() >= available) {
      Atomics.store(bell, DOORBELL.consumerSleeping, 0);
      return true;
    }
    const r = Atomics.wait(bell, DOORBELL.consumerSignal, signal, WAIT_MS);
    Atomics.store(bell, DOORBELL.consumerSleeping, 0);
    return r !== 'timed-out';
  };
  for (;;) {
    while (rb.availableRead() < 8) if (!sleepUntil(8)) return { frames, bytes, ok: false };
    rb.pop(header, 8);
    const len = headerView.getUint32(0, true);
    if (len === 0) break;
    // The producer pushes header and payload back to back, but the reader may see only the header.
    while (rb.availableRead() < len) if (!sleepUntil(len)) return { frames, bytes, ok: false };
    rb.pop(scratch, len);
    if (scratchView.getUint32(0, true) !== frames) ok = false;
    frames++;
    bytes += len;
    freedSinceNotify += len + 8;
    if (freedSinceNotify >= 64 * 1024) notifyProducer();
  }
  notifyProducer();
  return { frames, bytes, ok };
}

const result = job.kind === 'ours' ? runOurs(job.memory) : runRingbuf(job.ringbuf, job.doorbell);
parentPort!.postMessage(result);
