// Cross-thread tests for src/threads/ring.ts. This compiled file is also the worker script: in a worker
// thread it runs the job in workerData instead of registering tests (ava is only imported on the main thread).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createRingMemory, RingReader, RingWriter, type RingMemory } from '../../src/threads/ring.js';

type Job =
  | { mode: 'consume'; memory: RingMemory; seed: number; frames: number }
  | { mode: 'produce'; memory: RingMemory; seed: number; frames: number }
  | { mode: 'sleep-read'; memory: RingMemory }
  | { mode: 'delayed-drain'; memory: RingMemory; delayMs: number }
  | { mode: 'fill-then-wait'; memory: RingMemory };

interface Report {
  frames?: number;
  checksum?: number;
  woke?: boolean;
  waitedMs?: number;
  sawFrame?: boolean;
  error?: string;
}

const STALL_MS = 5000;

function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** Frame shapes shared by both sides: mostly small, 1% large, any alignment. */
function shapes(seed: number, maxFrameBytes: number): () => { len: number; align: number } {
  const rnd = xorshift(seed);
  return () => {
    const r = rnd();
    const len = r % 100 === 0 ? rnd() % (maxFrameBytes + 1) : rnd() % 1025;
    return { len, align: rnd() & 7 };
  };
}

function checksum(sum: number, bytes: Uint8Array, start: number, end: number): number {
  let h = sum;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 16777619);
  return h;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// ---- worker side ----

function consumeInWorker(job: Extract<Job, { mode: 'consume' }>): Report {
  const r = new RingReader(job.memory);
  const next = shapes(job.seed, job.memory.data.byteLength / 2 - 16);
  let sum = 0x811c9dc5;
  for (let n = 0; n < job.frames; ) {
    const off = r.next();
    if (off < 0) {
      r.release();
      if (!r.wait(STALL_MS)) return { frames: n, error: `reader stalled after ${n} frames` };
      continue;
    }
    const { len, align } = next();
    if (r.frameLength !== len || off % 8 !== align) return { frames: n, error: `frame ${n}: got ${r.frameLength}@${off}, want ${len} align ${align}` };
    sum = checksum(sum, r.bytes, off, off + len);
    if ((++n & 31) === 0) r.release();
  }
  r.release();
  return { frames: job.frames, checksum: sum };
}

function produceInWorker(job: Extract<Job, { mode: 'produce' }>): Report {
  const w = new RingWriter(job.memory);
  const next = shapes(job.seed, w.maxFrameBytes);
  const content = xorshift(job.seed ^ 0x5bd1e995);
  let sum = 0x811c9dc5;
  for (let n = 0; n < job.frames; n++) {
    const { len, align } = next();
    let off: number;
    while ((off = w.reserve(len, align)) < 0) {
      if (!w.waitForSpace(STALL_MS)) return { frames: n, error: `writer stalled after ${n} frames` };
    }
    for (let i = 0; i < len; i++) w.bytes[off + i] = content() & 0xff;
    sum = checksum(sum, w.bytes, off, off + len);
    if ((n & 15) === 15) w.publish();
  }
  w.publish();
  return { frames: job.frames, checksum: sum };
}

function runJob(job: Job): Report {
  switch (job.mode) {
    case 'consume':
      return consumeInWorker(job);
    case 'produce':
      return produceInWorker(job);
    case 'sleep-read': {
      const r = new RingReader(job.memory);
      parentPort!.postMessage('sleeping');
      const t0 = performance.now();
      const woke = r.wait(10_000);
      const waitedMs = performance.now() - t0;
      return { woke, waitedMs, sawFrame: r.next() >= 0 };
    }
    case 'delayed-drain': {
      const r = new RingReader(job.memory);
      sleep(job.delayMs);
      let frames = 0;
      while (r.next() >= 0) frames++;
      r.release();
      return { frames };
    }
    case 'fill-then-wait': {
      const w = new RingWriter(job.memory);
      let frames = 0;
      while (w.reserve(1000) >= 0) frames++;
      w.publish();
      parentPort!.postMessage('blocked');
      const t0 = performance.now();
      const woke = w.waitForSpace(10_000);
      const waitedMs = performance.now() - t0;
      return { frames, woke, waitedMs, sawFrame: w.reserve(1000) >= 0 };
    }
  }
}

// ---- main side ----

interface Running {
  worker: Worker;
  /** Messages posted before the final report (e.g. 'sleeping'). */
  signal: Promise<string>;
  report: Promise<Report>;
}

function spawn(job: Job, timeoutMs = 20_000): Running {
  const worker = new Worker(new URL(import.meta.url), { workerData: job });
  let onSignal: (s: string) => void = () => undefined;
  const signal = new Promise<string>((resolve) => (onSignal = resolve));
  const report = new Promise<Report>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`worker '${job.mode}' timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    worker.on('message', (m: string | Report) => {
      if (typeof m === 'string') onSignal(m);
      else {
        clearTimeout(timer);
        resolve(m);
      }
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker '${job.mode}' exited with ${code} before reporting`));
    });
  });
  return { worker, signal, report };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function defineTests(): Promise<void> {
  const { default: test } = await import('ava');

  test('200k random frames main -> worker, checksum matches', async (t) => {
    t.timeout(60_000);
    const frames = 200_000;
    const seed = 0x1234567;
    // Small ring and indexes just below 2^32 so the run wraps the buffer and the counters many times.
    const memory = createRingMemory(64 * 1024, { initialIndex: 2 ** 32 - 4096 });
    const w = new RingWriter(memory);
    const { report, worker } = spawn({ mode: 'consume', memory, seed, frames }, 50_000);
    const next = shapes(seed, w.maxFrameBytes);
    const content = xorshift(seed ^ 0x5bd1e995);
    let sum = 0x811c9dc5;
    let fulls = 0;
    try {
      for (let n = 0; n < frames; n++) {
        const { len, align } = next();
        let off: number;
        let stalledSince = performance.now();
        while ((off = w.reserve(len, align)) < 0) {
          fulls++;
          await w.waitForSpaceAsync(1000);
          if (performance.now() - stalledSince > STALL_MS) throw new Error(`writer stalled at frame ${n}`);
        }
        stalledSince = performance.now();
        for (let i = 0; i < len; i++) w.bytes[off + i] = content() & 0xff;
        sum = checksum(sum, w.bytes, off, off + len);
        if ((n & 15) === 15) w.publish();
      }
      w.publish();
      const r = await report;
      t.is(r.error, undefined);
      t.is(r.frames, frames);
      t.is(r.checksum, sum);
      t.true(fulls > 0, 'the writer had to wait for space at least once');
    } finally {
      await worker.terminate();
    }
  });

  test('50k random frames worker -> main, main reader uses waitAsync', async (t) => {
    t.timeout(60_000);
    const frames = 50_000;
    const seed = 0x7654321;
    const memory = createRingMemory(64 * 1024, { initialIndex: 2 ** 31 - 4096 });
    const r = new RingReader(memory);
    const { report, worker } = spawn({ mode: 'produce', memory, seed, frames }, 50_000);
    const next = shapes(seed, memory.data.byteLength / 2 - 16);
    let sum = 0x811c9dc5;
    try {
      let lastProgress = performance.now();
      for (let n = 0; n < frames; ) {
        const off = r.next();
        if (off < 0) {
          r.release();
          await r.waitAsync(1000);
          if (performance.now() - lastProgress > STALL_MS) throw new Error(`reader stalled at frame ${n}`);
          continue;
        }
        lastProgress = performance.now();
        const { len, align } = next();
        if (r.frameLength !== len || off % 8 !== align) {
          t.fail(`frame ${n}: got ${r.frameLength}@${off}, want ${len} align ${align}`);
          return;
        }
        sum = checksum(sum, r.bytes, off, off + len);
        if ((++n & 31) === 0) r.release();
      }
      r.release();
      const rep = await report;
      t.is(rep.error, undefined);
      t.is(rep.checksum, sum);
      t.is(r.next(), -1);
    } finally {
      await worker.terminate();
    }
  });

  test('a sleeping worker reader is woken by publish', async (t) => {
    const memory = createRingMemory(64 * 1024);
    const w = new RingWriter(memory);
    const { signal, report, worker } = spawn({ mode: 'sleep-read', memory });
    try {
      await signal;
      await delay(100);
      w.bytes.set([1, 2, 3], w.reserve(3));
      w.publish();
      const r = await report;
      t.true(r.woke);
      t.true(r.sawFrame);
      t.true(r.waitedMs! >= 50, `actually slept (${r.waitedMs} ms)`);
      t.true(r.waitedMs! < 5000, `woken by publish, not the timeout (${r.waitedMs} ms)`);
    } finally {
      await worker.terminate();
    }
  });

  test('wake() interrupts a sleeping worker reader without data', async (t) => {
    const memory = createRingMemory(64 * 1024);
    const { signal, report, worker } = spawn({ mode: 'sleep-read', memory });
    try {
      await signal;
      await delay(100);
      new RingReader(memory).wake();
      const r = await report;
      t.true(r.woke);
      t.false(r.sawFrame);
      t.true(r.waitedMs! < 5000);
    } finally {
      await worker.terminate();
    }
  });

  test('main writer blocked on a full ring is woken by the worker release', async (t) => {
    const memory = createRingMemory(64 * 1024);
    const w = new RingWriter(memory);
    let frames = 0;
    while (w.reserve(1000) >= 0) frames++;
    w.publish();
    const { report, worker } = spawn({ mode: 'delayed-drain', memory, delayMs: 150 });
    try {
      const t0 = performance.now();
      const outcome = await Promise.race([w.waitForSpaceAsync().then(() => 'space'), delay(5000).then(() => 'timeout')]);
      const waited = performance.now() - t0;
      t.is(outcome, 'space');
      t.true(waited >= 50, `actually blocked (${waited} ms)`);
      t.true(w.reserve(1000) >= 0);
      t.is((await report).frames, frames);
    } finally {
      await worker.terminate();
    }
  });

  test('worker writer blocked in waitForSpace is woken by the main release', async (t) => {
    const memory = createRingMemory(64 * 1024);
    const r = new RingReader(memory);
    const { signal, report, worker } = spawn({ mode: 'fill-then-wait', memory });
    try {
      await signal;
      await delay(100);
      let frames = 0;
      while (r.next() >= 0) frames++;
      r.release();
      const rep = await report;
      t.is(rep.frames, frames);
      t.true(rep.woke);
      t.true(rep.sawFrame);
      t.true(rep.waitedMs! >= 50, `actually blocked (${rep.waitedMs} ms)`);
      t.true(rep.waitedMs! < 5000);
    } finally {
      await worker.terminate();
    }
  });
}

if (isMainThread) {
  await defineTests();
} else {
  parentPort!.postMessage(runJob(workerData as Job));
}
