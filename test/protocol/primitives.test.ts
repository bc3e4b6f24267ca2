import test, { type ExecutionContext } from 'ava';
import { ProtocolDecodeError, Reader, ZERO_UUID } from '../../src/protocol/reader.js';
import { ProtocolEncodeError, Writer } from '../../src/protocol/writer.js';
import { decodeMetadataRequest, decodeProduceRequest, encodeMetadataRequest } from '../../src/protocol/generated/index.js';

const bytes = (...b: number[]): Buffer => Buffer.from(b);

function decodeError(t: ExecutionContext, fn: () => unknown, pattern: RegExp): void {
  const err = t.throws(fn);
  t.true(err instanceof ProtocolDecodeError, String(err));
  t.regex(err?.message ?? '', pattern);
}

test('fixed-width integers round-trip at their limits', (t) => {
  const w = new Writer(8); // tiny scratch forces chunk growth
  w.writeInt8(-128);
  w.writeInt16(-32768);
  w.writeUInt16(65535);
  w.writeInt32(-2147483648);
  w.writeUInt32(4294967295);
  w.writeBool(true);
  w.writeFloat64(-1.5);
  const values = [0, -1, 1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53) + 1, -2147483649];
  for (const v of values) w.writeInt64(v);
  const r = new Reader(w.toBuffer());
  t.is(r.readInt8(), -128);
  t.is(r.readInt16(), -32768);
  t.is(r.readUInt16(), 65535);
  t.is(r.readInt32(), -2147483648);
  t.is(r.readUInt32(), 4294967295);
  t.true(r.readBool());
  t.is(r.readFloat64(), -1.5);
  for (const v of values) t.is(r.readInt64(), v);
  t.is(r.remaining(), 0);
});

test('int64 wire layout is big-endian two\'s complement', (t) => {
  const w = new Writer();
  w.writeInt64(-1);
  w.writeInt64(0x123456789a);
  t.deepEqual([...w.toBuffer()], [255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a]);
});

test('unsigned varints match the known encodings', (t) => {
  const cases: [number, number[]][] = [
    [0, [0]],
    [1, [1]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [16384, [0x80, 0x80, 0x01]],
    [4294967295, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ];
  for (const [v, enc] of cases) {
    const w = new Writer();
    w.writeUnsignedVarInt(v);
    t.deepEqual([...w.toBuffer()], enc, `encode ${v}`);
    t.is(new Reader(Buffer.from(enc)).readUnsignedVarInt(), v, `decode ${v}`);
  }
});

test('zigzag varint and varlong', (t) => {
  const cases: [number, number[]][] = [
    [0, [0]],
    [-1, [1]],
    [1, [2]],
    [-64, [0x7f]],
    [64, [0x80, 0x01]],
  ];
  for (const [v, enc] of cases) {
    const w = new Writer();
    w.writeVarInt(v);
    w.writeVarLong(v);
    t.deepEqual([...w.toBuffer()], [...enc, ...enc]);
    const r = new Reader(w.toBuffer());
    t.is(r.readVarInt(), v);
    t.is(r.readVarLong(), v);
  }
  const big = [2147483647, -2147483648, 2 ** 40 + 3, -(2 ** 45) - 7, 2 ** 53 - 1, -(2 ** 53) + 1];
  const w = new Writer();
  for (const v of big.slice(0, 2)) w.writeVarInt(v);
  for (const v of big) w.writeVarLong(v);
  const r = new Reader(w.toBuffer());
  for (const v of big.slice(0, 2)) t.is(r.readVarInt(), v);
  for (const v of big) t.is(r.readVarLong(), v);
  t.is(r.remaining(), 0);
});

test('strings: classic and compact, nullable, UTF-8 byte lengths', (t) => {
  const w = new Writer();
  w.writeString('héllo', false);
  w.writeString('héllo', true);
  w.writeNullableString(null, false);
  w.writeNullableString(null, true);
  w.writeString('', true);
  const out = w.toBuffer();
  t.deepEqual([...out.subarray(0, 8)], [0, 6, 0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]);
  t.is(out[8], 7);
  t.deepEqual([...out.subarray(15)], [0xff, 0xff, 0, 1]);
  const r = new Reader(out);
  t.is(r.readString(false), 'héllo');
  t.is(r.readString(true), 'héllo');
  t.is(r.readNullableString(false), null);
  t.is(r.readNullableString(true), null);
  t.is(r.readString(true), '');
  t.is(r.remaining(), 0);
});

test('a long string spills into a new chunk intact', (t) => {
  const s = 'x'.repeat(40000) + '✓';
  const w = new Writer(16);
  w.writeInt8(1);
  w.writeString(s, true);
  const r = new Reader(w.toBuffer());
  t.is(r.readInt8(), 1);
  t.is(r.readString(true), s);
});

test('strings longer than int16 are rejected in classic encoding', (t) => {
  const err = t.throws(() => new Writer().writeString('y'.repeat(40000), false));
  t.true(err instanceof ProtocolEncodeError);
});

test('bytes decode as zero-copy views', (t) => {
  const w = new Writer();
  w.writeBytes(bytes(1, 2, 3), false);
  w.writeNullableBytes(null, true);
  const buf = w.toBuffer();
  const r = new Reader(buf);
  const b = r.readBytes(false);
  t.deepEqual([...b], [1, 2, 3]);
  t.is(b.buffer, buf.buffer);
  t.is(b.byteOffset, buf.byteOffset + 4);
  t.is(r.readNullableBytes(true), null);
});

test('uuids are canonical lowercase and the zero uuid round-trips', (t) => {
  const id = '0123abcd-4567-89ef-fedc-ba9876543210';
  const w = new Writer();
  w.writeUuid(id);
  w.writeUuid(ZERO_UUID);
  w.writeUuid('0123ABCD-4567-89EF-FEDC-BA9876543210');
  const buf = w.toBuffer();
  t.deepEqual([...buf.subarray(0, 4)], [0x01, 0x23, 0xab, 0xcd]);
  const r = new Reader(buf);
  t.is(r.readUuid(), id);
  t.is(r.readUuid(), ZERO_UUID);
  t.is(r.readUuid(), id);
  t.throws(() => new Writer().writeUuid('not-a-uuid'), { instanceOf: ProtocolEncodeError });
});

test('large payloads and records are referenced, small ones copied', (t) => {
  const big = Buffer.alloc(4096, 7);
  const small = Buffer.alloc(10, 9);
  const w = new Writer();
  w.writeInt32(1);
  w.writeBytes(big, false);
  w.writeBytes(small, false);
  w.writeRecords(small, false);
  const chunks = w.toBuffers();
  t.true(chunks.includes(big), 'big bytes by reference');
  t.true(chunks.includes(small), 'records by reference even when small');
  t.is(chunks.filter((c) => c === small).length, 1, 'small bytes copied, not referenced');
  t.is(w.length, 4 + 4 + 4096 + 4 + 10 + 4 + 10);
  t.is(w.toBuffer().length, w.length);
});

test('records chunk lists share one length prefix', (t) => {
  const a = Buffer.from('abc');
  const b = new Uint8Array([1, 2]);
  const w = new Writer();
  w.writeRecords([a, b], true);
  w.writeRecords(null, false);
  w.writeRecords([], false);
  t.deepEqual([...w.toBuffer()], [6, 0x61, 0x62, 0x63, 1, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  t.true(w.toBuffers().includes(a));
});

test('reserveInt32 and fillInt32 write a frame size after the body', (t) => {
  const w = new Writer(8);
  const slot = w.reserveInt32();
  w.writeInt32(5);
  w.writeRaw(Buffer.alloc(2000, 1));
  w.writeInt16(3);
  w.fillInt32(slot, w.length - 4);
  const out = w.toBuffer();
  t.is(out.readInt32BE(0), 4 + 2000 + 2);
  t.is(out.length, 4 + 4 + 2000 + 2);
});

test('reset keeps earlier output intact while reusing scratch space', (t) => {
  const w = new Writer(1024);
  w.writeInt32(0x11111111);
  const first = w.toBuffer();
  w.reset();
  t.is(w.length, 0);
  w.writeInt32(0x22222222);
  const second = w.toBuffer();
  t.is(first.readUInt32BE(0), 0x11111111);
  t.is(second.readUInt32BE(0), 0x22222222);
  t.is(second.length, 4);
});

test('reader respects its end bound and reports truncation', (t) => {
  const buf = bytes(0, 0, 0, 1, 0, 0, 0, 2);
  const r = new Reader(buf, 0, 4);
  t.is(r.readInt32(), 1);
  decodeError(t, () => r.readInt32(), /truncated int32/);
  decodeError(t, () => new Reader(bytes(1, 2)).readInt64(), /truncated int64/);
  decodeError(t, () => new Reader(bytes(1, 2)).readUuid(), /truncated uuid/);
  decodeError(t, () => new Reader(bytes(0x80, 0x80)).readUnsignedVarInt(), /truncated unsigned varint/);
  decodeError(t, () => new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0x1f)).readUnsignedVarInt(), /too long/);
  decodeError(t, () => new Reader(Buffer.alloc(11, 0xff)).readVarLong(), /too long/);
  decodeError(t, () => new Reader(bytes(1)).skip(2), /truncated skip/);
  t.throws(() => new Reader(bytes(1), 0, 5), { instanceOf: ProtocolDecodeError });
});

test('hostile lengths are rejected before allocating', (t) => {
  decodeError(t, () => new Reader(bytes(0x7f, 0xff, 0xff, 0xff)).readArrayLength(false), /array length 2147483647 exceeds/);
  decodeError(t, () => new Reader(bytes(0xff, 0xff, 0xff, 0xfe)).readArrayLength(false), /negative array length -2/);
  decodeError(t, () => new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0x0f)).readArrayLength(true), /exceeds/);
  decodeError(t, () => new Reader(bytes(0xff, 0xfe)).readNullableString(false), /negative string length/);
  decodeError(t, () => new Reader(bytes(0, 5, 0x61)).readString(false), /string length 5 exceeds/);
  decodeError(t, () => new Reader(bytes(0x10, 0x61)).readString(true), /string length 15 exceeds/);
  decodeError(t, () => new Reader(bytes(0, 0, 0, 9, 1)).readBytes(false), /bytes length 9 exceeds/);
  decodeError(t, () => new Reader(bytes(0xff, 0xff)).readString(false), /null in non-nullable string/);
  decodeError(t, () => new Reader(bytes(0)).readBytes(true), /null in non-nullable bytes/);
  decodeError(t, () => new Reader(bytes(0xff, 0xff, 0xff, 0xff)).readArray(false, (r) => r.readInt8(), 0), /null in non-nullable array/);
  decodeError(t, () => new Reader(bytes(1, 0, 0x7f)).readTaggedFields(), /tagged field size 127 exceeds/);
});

test('a Produce request claiming a huge partition array fails fast', (t) => {
  const w = new Writer();
  w.writeNullableString(null, false);
  w.writeInt16(1);
  w.writeInt32(1000);
  w.writeInt32(1);
  w.writeString('t', false);
  w.writeInt32(0x7fffffff);
  decodeError(t, () => decodeProduceRequest(new Reader(w.toBuffer()), 3), /array length 2147483647/);
});

test('null where a version does not allow it is an encode error', (t) => {
  const err = t.throws(() => encodeMetadataRequest(new Writer(), 0, { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }));
  t.true(err instanceof ProtocolEncodeError);
  t.regex(err?.message ?? '', /MetadataRequest\.Topics may not be null in version 0/);
  // v1+ allows it.
  const w = new Writer();
  encodeMetadataRequest(w, 1, { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  t.deepEqual([...w.toBuffer()], [0xff, 0xff, 0xff, 0xff]);
  t.is(decodeMetadataRequest(new Reader(w.toBuffer()), 1).topics, null);
});
