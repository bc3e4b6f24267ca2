import test from 'ava';
import { crc32c, crc32cSoftware } from '../../src/records/crc32c.js';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH_HEADER_BYTES, LOG_OVERHEAD, MAX_TIMESTAMP, RECORDS, batchLastOffset, batchTotalSize, computeBatchCrc, patchBaseOffset, patchLeaderEpoch, readBatchHeader, readUint32, updateBatchCrc, writeInt64 } from '../../src/records/batch.js';
import { CORRUPT_MESSAGE, INVALID_RECORD, UNSUPPORTED_FOR_MESSAGE_FORMAT, validateIncomingBatch } from '../../src/records/validation.js';
import { buildRecordBatch, simpleBatch } from '../helpers/batch-builder.js';

function inSab(bytes: Uint8Array, at: number, extra = 0): Uint8Array {
  const view = new Uint8Array(new SharedArrayBuffer(at + bytes.length + extra));
  view.set(bytes, at);
  return view;
}

test('crc32c matches the CRC-32C check value', (t) => {
  const check = Buffer.from('123456789');
  t.is(crc32c(check, 0, check.length), 0xe3069283);
  t.is(crc32cSoftware(check, 0, check.length), 0xe3069283);
  t.is(crc32c(check, 0, 0), 0);
});

test('crc32c: native and table paths agree at every size and alignment, including SharedArrayBuffer views', (t) => {
  const data = Buffer.alloc(5000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 17) & 0xff;
  const sab = inSab(data, 3);
  for (const len of [0, 1, 7, 8, 9, 63, 191, 192, 193, 255, 1024, 4093, 4999]) {
    for (const start of [0, 1, 5]) {
      const end = Math.min(start + len, data.length);
      const expected = crc32cSoftware(data, start, end);
      t.is(crc32c(data, start, end), expected, `buffer len ${len} start ${start}`);
      t.is(crc32c(sab, start + 3, end + 3), expected, `sab len ${len} start ${start}`);
      t.true(expected >= 0);
    }
  }
});

test('a built batch validates, also from an unaligned SharedArrayBuffer view', (t) => {
  const batch = buildRecordBatch([
    { key: Buffer.from('k1'), value: Buffer.from('hello'), headers: [['h', Buffer.from('x')]], timestamp: 1_700_000_000_000 },
    { key: null, value: null, timestamp: 1_700_000_000_005 },
    { value: Buffer.alloc(300, 7), timestamp: 1_699_999_999_999 },
  ]);
  t.is(validateIncomingBatch(batch, 0, batch.length), 0);
  const view = inSab(batch, 13, 5);
  t.is(validateIncomingBatch(view, 13, batch.length), 0);
});

test('readBatchHeader decodes every field', (t) => {
  const batch = buildRecordBatch(
    [
      { value: Buffer.from('a'), timestamp: 5000 },
      { value: Buffer.from('b'), timestamp: 9000 },
    ],
    { producerId: 1234567890123, producerEpoch: 3, baseSequence: 42, partitionLeaderEpoch: 7, attributes: ATTR_TRANSACTIONAL },
  );
  const h = readBatchHeader(batch, 0);
  t.deepEqual(h, {
    baseOffset: 0,
    batchLength: batch.length - LOG_OVERHEAD,
    partitionLeaderEpoch: 7,
    magic: 2,
    crc: batch.readUInt32BE(17),
    attributes: ATTR_TRANSACTIONAL,
    lastOffsetDelta: 1,
    baseTimestamp: 5000,
    maxTimestamp: 9000,
    producerId: 1234567890123,
    producerEpoch: 3,
    baseSequence: 42,
    recordCount: 2,
  });
  t.is(batchTotalSize(batch, 0), batch.length);
  const plain = simpleBatch(1);
  const ph = readBatchHeader(plain, 0);
  t.is(ph.producerId, -1);
  t.is(ph.producerEpoch, -1);
  t.is(ph.baseSequence, -1);
  t.is(RECORDS, BATCH_HEADER_BYTES);
});

test('patchBaseOffset and patchLeaderEpoch change fields outside the CRC only', (t) => {
  const batch = simpleBatch(4);
  const view = inSab(batch, 8);
  const crcBefore = readUint32(view, 8 + 17);
  const big = 2 ** 40 + 5;
  patchBaseOffset(view, 8, big);
  patchLeaderEpoch(view, 8, 99);
  const h = readBatchHeader(view, 8);
  t.is(h.baseOffset, big);
  t.is(h.partitionLeaderEpoch, 99);
  t.is(batchLastOffset(view, 8), big + 3);
  t.is(h.crc, crcBefore);
  t.is(computeBatchCrc(view, 8), crcBefore);
  t.is(Buffer.from(view.buffer, 8, 8).readBigInt64BE(0), BigInt(big));
  patchBaseOffset(view, 8, Number.MAX_SAFE_INTEGER);
  t.is(readBatchHeader(view, 8).baseOffset, Number.MAX_SAFE_INTEGER);
  t.throws(() => patchBaseOffset(view, 8, -1), { instanceOf: RangeError });
});

test('updateBatchCrc restores validity after a CRC-covered change', (t) => {
  const batch = simpleBatch(2, { timestamp: 1000 });
  writeInt64(batch, MAX_TIMESTAMP, 2000);
  t.is(validateIncomingBatch(batch, 0, batch.length), CORRUPT_MESSAGE);
  updateBatchCrc(batch, 0);
  t.is(validateIncomingBatch(batch, 0, batch.length), 0);
  t.is(readBatchHeader(batch, 0).maxTimestamp, 2000);
});

test('CORRUPT_MESSAGE: bad CRC in records, in the header, or in the stored checksum', (t) => {
  const batch = simpleBatch(3);
  const records = Buffer.from(batch);
  records[records.length - 1]! ^= 0x01;
  t.is(validateIncomingBatch(records, 0, records.length), CORRUPT_MESSAGE);
  const header = Buffer.from(batch);
  header[30]! ^= 0x10; // baseTimestamp
  t.is(validateIncomingBatch(header, 0, header.length), CORRUPT_MESSAGE);
  const stored = Buffer.from(batch);
  stored[17]! ^= 0xff;
  t.is(validateIncomingBatch(stored, 0, stored.length), CORRUPT_MESSAGE);
});

test('CORRUPT_MESSAGE: truncated, length mismatch, ragged tail, tiny blobs', (t) => {
  const batch = simpleBatch(3);
  t.is(validateIncomingBatch(batch, 0, batch.length - 1), CORRUPT_MESSAGE);
  t.is(validateIncomingBatch(batch, 0, 40), CORRUPT_MESSAGE);
  t.is(validateIncomingBatch(batch, 0, 10), CORRUPT_MESSAGE);
  t.is(validateIncomingBatch(batch, 0, 0), CORRUPT_MESSAGE);
  const tail = Buffer.concat([batch, Buffer.alloc(5)]);
  t.is(validateIncomingBatch(tail, 0, tail.length), CORRUPT_MESSAGE);
  const badLength = Buffer.from(batch);
  badLength.writeInt32BE(20, 8);
  t.is(validateIncomingBatch(badLength, 0, badLength.length), CORRUPT_MESSAGE);
  const negLength = Buffer.from(batch);
  negLength.writeInt32BE(-1, 8);
  t.is(validateIncomingBatch(negLength, 0, negLength.length), CORRUPT_MESSAGE);
  t.is(validateIncomingBatch(batch, 10, batch.length), CORRUPT_MESSAGE, 'range past the end of the array');
});

test('INVALID_RECORD: two batches in one blob', (t) => {
  const two = Buffer.concat([simpleBatch(1), simpleBatch(2)]);
  t.is(validateIncomingBatch(two, 0, two.length), INVALID_RECORD);
});

test('INVALID_RECORD: magic other than 0, 1, 2', (t) => {
  const batch = simpleBatch(1, { magic: 3 });
  t.is(validateIncomingBatch(batch, 0, batch.length), INVALID_RECORD);
});

test('UNSUPPORTED_FOR_MESSAGE_FORMAT: magic 0 and 1', (t) => {
  for (const magic of [0, 1]) {
    const batch = simpleBatch(1, { magic });
    t.is(validateIncomingBatch(batch, 0, batch.length), UNSUPPORTED_FOR_MESSAGE_FORMAT);
  }
});

test('INVALID_RECORD: recordCount <= 0 and lastOffsetDelta mismatch', (t) => {
  const empty = buildRecordBatch([], { lastOffsetDelta: -1 });
  t.is(validateIncomingBatch(empty, 0, empty.length), INVALID_RECORD);
  const negative = simpleBatch(1, { recordCount: -1, lastOffsetDelta: -2 });
  t.is(validateIncomingBatch(negative, 0, negative.length), INVALID_RECORD);
  const mismatch = simpleBatch(3, { lastOffsetDelta: 5 });
  t.is(validateIncomingBatch(mismatch, 0, mismatch.length), INVALID_RECORD);
  const short = simpleBatch(3, { lastOffsetDelta: 1 });
  t.is(validateIncomingBatch(short, 0, short.length), INVALID_RECORD);
});

test('INVALID_RECORD: control batches, non-zero baseOffset, idempotent batch without sequence', (t) => {
  const control = simpleBatch(1, { attributes: ATTR_CONTROL | ATTR_TRANSACTIONAL, producerId: 5, producerEpoch: 0, baseSequence: 0 });
  t.is(validateIncomingBatch(control, 0, control.length), INVALID_RECORD);
  const based = simpleBatch(1, { baseOffset: 17 });
  t.is(validateIncomingBatch(based, 0, based.length), INVALID_RECORD);
  const noSeq = simpleBatch(1, { producerId: 5, producerEpoch: 0, baseSequence: -1 });
  t.is(validateIncomingBatch(noSeq, 0, noSeq.length), INVALID_RECORD);
  const idempotent = simpleBatch(2, { producerId: 5, producerEpoch: 0, baseSequence: 0 });
  t.is(validateIncomingBatch(idempotent, 0, idempotent.length), 0);
});
