import test from 'ava';
import { FrameSplitter, describeFrameError } from '../../src/network/frame-splitter.js';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

test('frames inside one chunk come out as zero-copy views of that chunk', (t) => {
  const a = Buffer.alloc(12, 1);
  const b = Buffer.alloc(20, 2);
  const chunk = Buffer.concat([frame(a), frame(b)]);
  const out: Buffer[] = [];
  t.is(new FrameSplitter(1024).push(chunk, (f) => out.push(f)), null);
  t.deepEqual(out, [a, b]);
  t.is(out[0]!.buffer, chunk.buffer, 'no copy for a frame that lies in one chunk');
});

test('a frame split at every possible byte boundary is reassembled exactly', (t) => {
  const body = Buffer.from(Array.from({ length: 37 }, (_, i) => i));
  const bytes = Buffer.concat([frame(body), frame(body)]);
  for (let cut = 1; cut < bytes.length; cut++) {
    const splitter = new FrameSplitter(1024);
    const out: Buffer[] = [];
    splitter.push(bytes.subarray(0, cut), (f) => out.push(Buffer.from(f)));
    t.is(splitter.midFrame, cut !== 41, `mid-frame state after ${cut} bytes`);
    splitter.push(bytes.subarray(cut), (f) => out.push(Buffer.from(f)));
    t.deepEqual(out, [body, body], `cut at ${cut}`);
  }
});

test('size prefixes that are negative, too large or too small are reported, not allocated', (t) => {
  const splitter = new FrameSplitter(1000);
  const huge = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
  const error = splitter.push(huge, () => t.fail('no frame expected'));
  t.deepEqual(error, { kind: 'too-large', size: 0x7fffffff, limit: 1000 });
  t.regex(describeFrameError(error!), /exceeds socket.request.max.bytes/);
  t.deepEqual(new FrameSplitter(1000).push(Buffer.from([0xff, 0xff, 0xff, 0xfe]), () => undefined), { kind: 'negative-size', size: -2 });
  t.deepEqual(new FrameSplitter(1000).push(frame(Buffer.alloc(3)), () => undefined), { kind: 'too-small', size: 3 });
});
