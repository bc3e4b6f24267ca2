import test from 'ava';
import { FrameSplitter, describeFrameError, type FrameError } from '../../src/network/frame-splitter.js';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Every complete frame buffered now (copied, so later pushes cannot change them). */
function takeAll(splitter: FrameSplitter): Buffer[] {
  const out: Buffer[] = [];
  for (let taken = splitter.take(); taken !== null; taken = splitter.take()) {
    if ('error' in taken) throw new Error(describeFrameError(taken.error));
    out.push(taken.frame);
  }
  return out;
}

function errorOf(splitter: FrameSplitter, bytes: Buffer): FrameError | null {
  splitter.push(bytes);
  const taken = splitter.take();
  return taken !== null && 'error' in taken ? taken.error : null;
}

test('frames inside one chunk come out as zero-copy views of that chunk, one take() at a time', (t) => {
  const a = Buffer.alloc(12, 1);
  const b = Buffer.alloc(20, 2);
  const chunk = Buffer.concat([frame(a), frame(b)]);
  const splitter = new FrameSplitter(1024);
  splitter.push(chunk);
  t.is(splitter.bufferedBytes, chunk.length);
  const first = splitter.take();
  t.deepEqual(first, { frame: a });
  t.is(splitter.bufferedBytes, 4 + b.length, 'the second frame stays buffered until taken');
  const second = splitter.take();
  t.deepEqual(second, { frame: b });
  t.is(splitter.take(), null);
  t.is(splitter.bufferedBytes, 0);
  t.is(splitter.framesTaken, 2);
  t.is((first as { frame: Buffer }).frame.buffer, chunk.buffer, 'no copy for a frame that lies in one chunk');
});

test('a frame split at every possible byte boundary is reassembled exactly', (t) => {
  const body = Buffer.from(Array.from({ length: 37 }, (_, i) => i));
  const bytes = Buffer.concat([frame(body), frame(body)]);
  for (let cut = 1; cut < bytes.length; cut++) {
    const splitter = new FrameSplitter(1024);
    const out: Buffer[] = [];
    splitter.push(bytes.subarray(0, cut));
    out.push(...takeAll(splitter).map((f) => Buffer.from(f)));
    t.is(splitter.midFrame, cut !== 41, `mid-frame state after ${cut} bytes`);
    splitter.push(bytes.subarray(cut));
    out.push(...takeAll(splitter).map((f) => Buffer.from(f)));
    t.deepEqual(out, [body, body], `cut at ${cut}`);
    t.false(splitter.midFrame);
  }
});

test('a frame sent one byte per chunk is reassembled', (t) => {
  const body = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
  const bytes = frame(body);
  const splitter = new FrameSplitter(1024);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) {
    splitter.push(bytes.subarray(i, i + 1));
    out.push(...takeAll(splitter));
  }
  t.deepEqual(out, [body]);
});

test('memory follows the bytes received, not the size a prefix declares', (t) => {
  const splitter = new FrameSplitter(200 * 1024 * 1024);
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(100 * 1024 * 1024);
  splitter.push(Buffer.concat([prefix, Buffer.alloc(10, 7)]));
  t.is(splitter.take(), null);
  t.is(splitter.bufferedBytes, 14, 'a 100 MiB declaration with 10 bytes behind it holds 14 bytes');
  t.true(splitter.midFrame);
});

test('size prefixes that are negative, too large or too small are reported, not allocated', (t) => {
  const huge = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
  const splitter = new FrameSplitter(1000);
  const error = errorOf(splitter, huge);
  t.deepEqual(error, { kind: 'too-large', size: 0x7fffffff, limit: 1000 });
  t.regex(describeFrameError(error!), /exceeds socket.request.max.bytes/);
  t.deepEqual(splitter.take(), { error }, 'the error sticks');
  t.is(splitter.bufferedBytes, 0);
  t.deepEqual(errorOf(new FrameSplitter(1000), Buffer.from([0xff, 0xff, 0xff, 0xfe])), { kind: 'negative-size', size: -2 });
  t.deepEqual(errorOf(new FrameSplitter(1000), frame(Buffer.alloc(3))), { kind: 'too-small', size: 3 });
});

test('clear() forgets buffered bytes', (t) => {
  const splitter = new FrameSplitter(1024);
  splitter.push(frame(Buffer.alloc(40)).subarray(0, 20));
  t.true(splitter.midFrame);
  splitter.clear();
  t.is(splitter.bufferedBytes, 0);
  t.false(splitter.midFrame);
  splitter.push(frame(Buffer.alloc(12, 3)));
  t.deepEqual(takeAll(splitter), [Buffer.alloc(12, 3)]);
});
