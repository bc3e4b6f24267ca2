import test from 'ava';
import { readBatchHeader, updateBatchCrc, ATTRIBUTES } from '../../src/records/batch.js';
import { validateIncomingBatch, BATCH_OK } from '../../src/records/validation.js';
import {
  encodeRecordBatch,
  forEachRecord,
  type RecordCodecError,
  varintSize,
  VarintReader,
  writeVarint,
  type RecordInput,
} from '../../src/records/codec.js';
import { isSupportedCodec, type Compression } from '../../src/records/compression.js';

interface Decoded {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

function decode(batch: Uint8Array): Decoded[] {
  const out: Decoded[] = [];
  forEachRecord(batch, 0, readBatchHeader(batch, 0), (r) => {
    out.push({
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key?.toString() ?? null,
      value: r.value?.toString() ?? null,
      headers: r.headers.map((h) => [h.key, h.value?.toString() ?? null]),
    });
  });
  return out;
}

const base = 1_700_000_000_000;
const records: RecordInput[] = [
  { key: 'k0', value: 'v0', timestamp: base + 50, headers: [{ key: 'h', value: Buffer.from('x') }, { key: 'empty', value: null }] },
  { key: null, value: 'no key', timestamp: base },
  { key: Buffer.from('tomb'), value: null, timestamp: base - 1_000 },
  { value: Buffer.alloc(300, 7), timestamp: base + 100_000 },
];
const expected: Decoded[] = [
  { offset: 0, timestamp: base + 50, key: 'k0', value: 'v0', headers: [['h', 'x'], ['empty', null]] },
  { offset: 1, timestamp: base, key: null, value: 'no key', headers: [] },
  { offset: 2, timestamp: base - 1_000, key: 'tomb', value: null, headers: [] },
  { offset: 3, timestamp: base + 100_000, key: null, value: Buffer.alloc(300, 7).toString(), headers: [] },
];

test('zig-zag varints round-trip across sizes and signs, up to 2^52', (t) => {
  const buf = Buffer.alloc(10);
  for (const v of [0, 1, -1, 63, -64, 64, -65, 300, -300, 2 ** 31, -(2 ** 31), 2 ** 52 - 1, -(2 ** 52)]) {
    const end = writeVarint(buf, 0, v);
    t.is(end, varintSize(v), `size of ${v}`);
    const reader = new VarintReader(buf, 0, end);
    t.is(reader.varint(), v);
    t.is(reader.pos, end);
  }
  t.deepEqual([...buf.subarray(0, writeVarint(buf, 0, -1))], [1]);
  t.deepEqual([...buf.subarray(0, writeVarint(buf, 0, 150))], [0xac, 0x02]);
});

test('a truncated or over-long varint is corrupt', (t) => {
  t.is(t.throws<RecordCodecError>(() => new VarintReader(Buffer.from([0x80, 0x80]), 0, 2).varint())?.failure, 'corrupt');
  t.is(t.throws<RecordCodecError>(() => new VarintReader(Buffer.alloc(12, 0xff), 0, 12).varint())?.failure, 'corrupt');
});

for (const compression of ['none', 'gzip', 'zstd'] as const) {
  test(`round trip with headers, null key/value and negative timestamp deltas (${compression})`, (t) => {
    const batch = encodeRecordBatch(records, { compression });
    const header = readBatchHeader(batch, 0);
    t.is(header.attributes & 7, { none: 0, gzip: 1, zstd: 4 }[compression]);
    t.is(header.recordCount, 4);
    t.is(header.lastOffsetDelta, 3);
    t.is(header.baseTimestamp, base + 50);
    t.is(header.maxTimestamp, base + 100_000);
    t.is(header.producerId, -1);
    t.is(validateIncomingBatch(batch, 0, batch.length), BATCH_OK);
    t.deepEqual(decode(batch), expected);
  });
}

test('compression shrinks repetitive records and the batch stays valid', (t) => {
  const many: RecordInput[] = Array.from({ length: 200 }, (_, i) => ({ key: `key-${i % 3}`, value: 'the same value, again and again' }));
  const plain = encodeRecordBatch(many, { timestamp: base });
  for (const compression of ['gzip', 'zstd'] as const) {
    const batch = encodeRecordBatch(many, { timestamp: base, compression });
    t.true(batch.length < plain.length / 4, compression);
    t.is(validateIncomingBatch(batch, 0, batch.length), BATCH_OK);
    t.deepEqual(decode(batch), decode(plain));
  }
});

test('records without a timestamp take the batch timestamp; a batch owns its memory', (t) => {
  const batch = encodeRecordBatch([{ value: 'a' }, { value: 'b', timestamp: base + 5 }], { timestamp: base });
  t.deepEqual(decode(batch).map((r) => r.timestamp), [base, base + 5]);
  t.is(batch.byteOffset, 0);
  t.is(batch.buffer.byteLength, batch.length);
});

test('the iterator honours LogAppendTime, base offsets, early stop and views at an offset', (t) => {
  const batch = encodeRecordBatch(records, { timestamp: base });
  batch.writeInt16BE(0x08, ATTRIBUTES);
  batch.writeBigInt64BE(BigInt(base + 999), 35);
  batch.writeBigInt64BE(40n, 0);
  updateBatchCrc(batch, 0);
  const data = Buffer.concat([Buffer.alloc(5), batch]);
  const seen: Array<[number, number, boolean]> = [];
  const visited = forEachRecord(data, 5, readBatchHeader(data, 5), (r) => {
    seen.push([r.offset, r.timestamp, r.logAppendTime]);
    return r.offset === 41;
  });
  t.is(visited, 2);
  t.deepEqual(seen, [
    [40, base + 999, true],
    [41, base + 999, true],
  ]);
});

test('headers can be skipped; a short records section is corrupt unless strictCount is off', (t) => {
  const batch = encodeRecordBatch(records.slice(0, 2), { timestamp: base });
  const header = readBatchHeader(batch, 0);
  const noHeaders: number[] = [];
  forEachRecord(batch, 0, header, (r) => void noHeaders.push(r.headers.length), { headers: false });
  t.deepEqual(noHeaders, [0, 0]);

  const overCounted = { ...header, recordCount: 3 };
  t.is(t.throws<RecordCodecError>(() => forEachRecord(batch, 0, overCounted, () => {}))?.failure, 'corrupt');
  t.is(forEachRecord(batch, 0, overCounted, () => {}, { strictCount: false }), 2);
});

test('every Kafka codec is supported on both sides; an unknown codec id is unsupported and callers choose the error', (t) => {
  for (let id = 0; id <= 4; id++) t.true(isSupportedCodec(id));
  t.false(isSupportedCodec(5));
  for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as Compression[]) {
    const batch = encodeRecordBatch([{ value: 'x'.repeat(500) }, { key: 'k', value: null }], { compression });
    t.is(validateIncomingBatch(batch, 0, batch.length), BATCH_OK);
    const values: Array<string | null> = [];
    forEachRecord(batch, 0, readBatchHeader(batch, 0), (r) => void values.push(r.value?.toString() ?? null));
    t.deepEqual(values, ['x'.repeat(500), null], compression);
  }
  t.is(t.throws<RecordCodecError>(() => encodeRecordBatch([{ value: 'x' }], { compression: 'brotli' as Compression }))?.failure, 'unsupported');
  const batch = encodeRecordBatch([{ value: 'x' }]);
  batch.writeInt16BE(6, ATTRIBUTES);
  updateBatchCrc(batch, 0);
  const custom = t.throws(() =>
    forEachRecord(batch, 0, readBatchHeader(batch, 0), () => {}, { fail: (failure, message, codec) => new TypeError(`${failure}:${codec}:${message}`) }),
  );
  t.true(custom instanceof TypeError);
  t.regex(custom!.message, /^unsupported:#6:compression codec #6 is not supported/);
});

test('an empty batch is refused', (t) => {
  t.throws(() => encodeRecordBatch([]), { instanceOf: RangeError });
});
