import test from 'ava';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import * as snappy from 'snappy';
import { compressRecords, decompressRecords, type DecompressionError, type Compression } from '../../src/records/compression.js';

const text = Buffer.from('spate '.repeat(10_000));

test('every codec round-trips, also from a view over a SharedArrayBuffer', (t) => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as Compression[]) {
    const compressed = compressRecords(codec, text);
    const shared = new Uint8Array(new SharedArrayBuffer(compressed.length + 3), 3, compressed.length);
    shared.set(compressed);
    const id = ['none', 'gzip', 'snappy', 'lz4', 'zstd'].indexOf(codec);
    t.true(Buffer.from(decompressRecords(id, shared)).equals(text), codec);
  }
});

test('xerial-framed snappy (the Java client) is read as well as raw blocks', (t) => {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const parts = [text.subarray(0, 20_000), text.subarray(20_000)].map((p) => snappy.compressSync(p));
  const framed = Buffer.concat([header, ...parts.flatMap((p) => [lengthPrefix(p), p])]);
  t.true(Buffer.from(decompressRecords(2, framed)).equals(text));
});

function lengthPrefix(block: Buffer): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(block.length);
  return b;
}

test('decompression is bounded: a small bomb is refused before it is inflated', (t) => {
  const zeros = Buffer.alloc(64 * 1024 * 1024);
  const bombs: Array<[number, Buffer]> = [
    [1, gzipSync(zeros)],
    [2, snappy.compressSync(zeros)],
    [3, compressRecords('lz4', zeros)],
    [4, zstdCompressSync(zeros)],
  ];
  for (const [id, bomb] of bombs) {
    t.true(bomb.length < 4 * 1024 * 1024, `codec ${id} bomb is ${bomb.length} bytes`);
    const error = t.throws<DecompressionError>(() => decompressRecords(id, bomb, 1024 * 1024));
    t.is(error?.failure, 'too-large', `codec ${id}`);
  }
});

test('damaged data and unknown codecs fail with their own kind', (t) => {
  const damaged = compressRecords('lz4', text);
  for (const at of [damaged.length - 10, 8]) damaged.writeUInt8(damaged.readUInt8(at) ^ 0xff, at);
  for (const [id, data] of [[1, Buffer.from('not gzip')], [2, Buffer.from([0x05, 0xff, 0xff])], [3, damaged], [4, Buffer.from('nope')]] as const) {
    t.is(t.throws<DecompressionError>(() => decompressRecords(id, data))?.failure, 'corrupt', `codec ${id}`);
  }
  t.is(t.throws<DecompressionError>(() => decompressRecords(6, text))?.failure, 'unsupported');
});
