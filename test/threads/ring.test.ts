import test from 'ava';
import fc from 'fast-check';
import { createRingMemory, RingReader, RingWriter, type RingMemory } from '../../src/threads/ring.js';

const CAP = 64 * 1024;

function pair(memory: RingMemory = createRingMemory(CAP)): { memory: RingMemory; w: RingWriter; r: RingReader } {
  return { memory, w: new RingWriter(memory), r: new RingReader(memory) };
}

function fill(len: number, seed: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = seed | 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function write(w: RingWriter, payload: Uint8Array, align = 0): number {
  const off = w.reserve(payload.length, align);
  if (off >= 0) w.bytes.set(payload, off);
  return off;
}

function read(r: RingReader): Uint8Array | null {
  const off = r.next();
  if (off < 0) return null;
  return r.bytes.slice(off, off + r.frameLength);
}

test('createRingMemory validates capacity', (t) => {
  t.throws(() => createRingMemory(32 * 1024), { instanceOf: RangeError });
  t.throws(() => createRingMemory(96 * 1024), { instanceOf: RangeError });
  t.throws(() => createRingMemory(CAP, { initialIndex: 3 }), { instanceOf: RangeError });
  const m = createRingMemory(CAP);
  t.is(m.data.byteLength, CAP);
  t.true(m.control.byteLength >= 256);
  const w = new RingWriter(m);
  t.is(w.capacity, CAP);
  t.is(w.maxFrameBytes, CAP / 2 - 16);
});

test('frames come out in order with their contents; nothing is visible before publish', (t) => {
  const { w, r } = pair();
  const payloads = [0, 1, 7, 8, 9, 100, 4096].map((n, i) => fill(n, i + 1));
  for (const p of payloads) t.true(write(w, p) >= 0);
  t.is(r.next(), -1, 'unpublished frames are invisible');
  t.is(r.frameLength, 0);
  w.publish();
  for (const p of payloads) t.deepEqual(read(r), p);
  t.is(r.next(), -1);
});

test('release frees only what next() returned', (t) => {
  const { w, r } = pair();
  const frame = w.maxFrameBytes;
  t.true(write(w, fill(frame, 1)) >= 0);
  t.true(write(w, fill(frame, 2)) >= 0);
  t.is(w.reserve(16), -1, 'ring is full');
  w.publish();
  t.truthy(read(r));
  t.is(w.reserve(frame), -1, 'not released yet');
  r.release();
  t.true(w.reserve(frame) >= 0, 'one frame freed');
  t.is(w.reserve(16), -1);
});

test('full ring returns -1 and recovers after release', (t) => {
  const { w, r } = pair();
  let count = 0;
  while (write(w, fill(1000, count + 1)) >= 0) count++;
  t.true(count > 50 && count <= CAP / 1008);
  t.is(w.reserve(1000), -1);
  w.publish();
  for (let i = 0; i < count; i++) t.deepEqual(read(r), fill(1000, i + 1));
  t.is(r.next(), -1);
  t.is(w.reserve(1000), -1, 'reader has not released');
  r.release();
  t.true(w.reserve(1000) >= 0);
});

function advance(w: RingWriter, r: RingReader, payloads: number[]): void {
  for (const len of payloads) {
    write(w, fill(len, len));
    w.publish();
    r.next();
    r.release();
  }
}

test('wrap-around: frames never split, payload contiguous, contents intact', (t) => {
  const { w, r } = pair();
  // Frame totals 32008 + 32528 leave the writer 1000 bytes short of the end, so a 4000-byte frame must wrap.
  advance(w, r, [32000, 32520]);
  const off = write(w, fill(4000, 10));
  t.is(off, 8, 'wrapped to the start of the buffer');
  const tail = write(w, fill(24, 11));
  t.is(tail, 8 + 4000 + 8);
  w.publish();
  t.deepEqual(read(r), fill(4000, 10));
  t.deepEqual(read(r), fill(24, 11));
  t.is(r.next(), -1);
});

test('a frame that ends exactly at the buffer end does not wrap', (t) => {
  const { w, r } = pair();
  advance(w, r, [32752, 16000]); // totals 32760 + 16008 = 48768
  const off = write(w, fill(16760, 2)); // total 16768: ends exactly at 65536
  t.is(off, 48768 + 8);
  t.is(write(w, fill(8, 3)), 8);
  w.publish();
  t.deepEqual(read(r), fill(16760, 2));
  t.deepEqual(read(r), fill(8, 3));
});

test('maxFrameBytes fits in an empty ring at every position; one more byte throws', (t) => {
  const { w, r } = pair();
  t.throws(() => w.reserve(w.maxFrameBytes + 1), { instanceOf: RangeError });
  t.throws(() => w.reserve(-1), { instanceOf: RangeError });
  t.throws(() => w.reserve(1.5), { instanceOf: RangeError });
  for (let step = 0; step < 200; step++) {
    // Move the ring position by a varying amount, then drain so the ring is empty.
    t.true(write(w, fill((step * 977) % 5000, step)) >= 0);
    w.publish();
    t.truthy(read(r));
    r.release();
    for (const align of [0, 7]) {
      const off = w.reserve(w.maxFrameBytes, align);
      t.true(off >= 0, `max frame fits at step ${step} align ${align}`);
      t.true(off + w.maxFrameBytes <= CAP);
      t.is(off % 8, align);
      w.publish();
      t.is(r.next(), off);
      t.is(r.frameLength, w.maxFrameBytes);
      r.release();
    }
  }
});

test('alignMod8 uses only the low three bits', (t) => {
  const { w } = pair();
  t.is(w.reserve(10, 13) % 8, 5);
  t.is(w.reserve(10, 8) % 8, 0);
});

test('property: model queue, alignment, wrap and index wrap-around', (t) => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('write' as const), len: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 20000 })), align: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('publish' as const) }),
    fc.record({ kind: fc.constant('read' as const), n: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('release' as const) }),
  );
  const starts = [0, 2 ** 31 - 4096, 2 ** 32 - 4096, -(2 ** 31), 2 ** 31 - 8];
  fc.assert(
    fc.property(fc.constantFrom(...starts), fc.array(op, { minLength: 1, maxLength: 300 }), (start, ops) => {
      const memory = createRingMemory(CAP, { initialIndex: start });
      const w = new RingWriter(memory);
      const r = new RingReader(memory);
      const reserved: { seed: number; len: number; align: number }[] = [];
      const published: { seed: number; len: number; align: number }[] = [];
      let inFlightBytes = 0; // upper bound on occupied bytes, for the "-1 only when really full" check
      let seed = 1;
      for (const o of ops) {
        if (o.kind === 'write') {
          const off = w.reserve(o.len, o.align);
          if (off < 0) {
            // Only legal if the ring really lacks room: a frame needs at most len+15 bytes plus a wrap skip.
            if (inFlightBytes + o.len + 16 <= CAP / 2) return false;
            continue;
          }
          if (off % 8 !== o.align || off + o.len > CAP) return false;
          w.bytes.set(fill(o.len, seed), off);
          reserved.push({ seed, len: o.len, align: o.align });
          inFlightBytes += o.len + 16 + CAP / 2; // pessimistic: a wrap can waste up to a frame's size
          seed++;
        } else if (o.kind === 'publish') {
          w.publish();
          published.push(...reserved.splice(0));
        } else if (o.kind === 'read') {
          for (let i = 0; i < o.n; i++) {
            const off = r.next();
            const expected = published.shift();
            if (expected === undefined) {
              if (off !== -1) return false;
              break;
            }
            if (off < 0 || off % 8 !== expected.align || r.frameLength !== expected.len) return false;
            const got = r.bytes.subarray(off, off + expected.len);
            const want = fill(expected.len, expected.seed);
            for (let k = 0; k < want.length; k++) if (got[k] !== want[k]) return false;
          }
        } else {
          r.release();
          // After a release only unread published + reserved frames occupy space.
          inFlightBytes = [...published, ...reserved].reduce((s, f) => s + f.len + 16 + CAP / 2, 0);
        }
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('index wrap-around over long runs near 2^31 and 2^32', (t) => {
  for (const start of [2 ** 31 - 64 * 1024, 2 ** 32 - 64 * 1024]) {
    const { w, r } = pair(createRingMemory(CAP, { initialIndex: start }));
    let written = 0;
    let readCount = 0;
    // ~4 MiB of traffic: crosses the 32-bit boundary and wraps the 64 KiB buffer many times.
    while (written < 2000) {
      let n = 0;
      while (n < 7 && write(w, fill(100 + ((written * 37) % 3000), written + 1), written & 7) >= 0) {
        written++;
        n++;
      }
      w.publish();
      for (;;) {
        const off = r.next();
        if (off < 0) break;
        const len = 100 + ((readCount * 37) % 3000);
        if (r.frameLength !== len || off % 8 !== (readCount & 7)) {
          t.fail(`frame ${readCount} wrong length/alignment`);
          return;
        }
        t.deepEqual(r.bytes.slice(off, off + len), fill(len, readCount + 1));
        readCount++;
      }
      r.release();
    }
    t.is(readCount, written);
    // A full ring is still detected correctly after the indexes wrapped.
    let n = 0;
    while (w.reserve(1000) >= 0) n++;
    t.true(n >= 60 && n <= 65);
  }
});

test('wait returns true at once when data is visible, false on timeout', (t) => {
  const { w, r } = pair();
  const t0 = performance.now();
  t.false(r.wait(20));
  t.true(performance.now() - t0 >= 15);
  write(w, fill(5, 1));
  w.publish();
  t.true(r.wait(1000));
  t.true(r.next() >= 0);
});

test('waitAsync resolves when the same thread publishes, and on timeout', async (t) => {
  const { w, r } = pair();
  const keepAlive = setTimeout(() => undefined, 5000);
  try {
    const t0 = performance.now();
    await r.waitAsync(20);
    t.true(performance.now() - t0 >= 15);
    setTimeout(() => {
      write(w, fill(5, 1));
      w.publish();
    }, 10);
    await r.waitAsync(4000);
    t.true(r.next() >= 0);
  } finally {
    clearTimeout(keepAlive);
  }
});

test('wake() interrupts a waitAsync with no data', async (t) => {
  const { r } = pair();
  const keepAlive = setTimeout(() => undefined, 5000);
  try {
    setTimeout(() => r.wake(), 10);
    const t0 = performance.now();
    await r.waitAsync(4000);
    t.true(performance.now() - t0 < 3000);
    t.is(r.next(), -1);
  } finally {
    clearTimeout(keepAlive);
  }
});

test('waitForSpace resolves at once when nothing is outstanding, publishes pending frames', async (t) => {
  const { w, r } = pair();
  await w.waitForSpaceAsync(1);
  t.true(w.waitForSpace(1));
  write(w, fill(10, 1));
  t.false(w.waitForSpace(10), 'times out while the reader holds the frame');
  t.true(r.next() >= 0, 'waitForSpace published the pending frame');
  r.release();
  t.true(w.waitForSpace(10));
});
