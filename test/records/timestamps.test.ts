import test from 'ava';
import { gzipSync } from 'node:zlib';
import { BATCH_HEADER_BYTES, LOG_OVERHEAD, updateBatchCrc, writeInt32 } from '../../src/records/batch.js';
import { encodeRecordBatch } from '../../src/records/codec.js';
import { findRecordInBatch } from '../../src/records/timestamps.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';

const base = 1_700_000_000_000;
const records = [30, 10, 20, 40].map((delta, i) => ({ value: Buffer.from(`v${i}`), timestamp: base + delta }));

test('finds the first record at or after a timestamp, not the batch start', (t) => {
  const batch = buildRecordBatch(records, { baseOffset: 100 });
  t.deepEqual(findRecordInBatch(batch, 0, (ts) => ts >= base + 15), { offset: 100, timestamp: base + 30 });
  t.deepEqual(findRecordInBatch(batch, 0, (ts) => ts >= base + 35), { offset: 103, timestamp: base + 40 });
  t.deepEqual(findRecordInBatch(batch, 0, (ts) => ts === base + 20), { offset: 102, timestamp: base + 20 });
  t.is(findRecordInBatch(batch, 0, (ts) => ts > base + 40), null);
});

test('reads gzip-compressed records too', (t) => {
  const plain = buildRecordBatch(records, { baseOffset: 7 });
  const compressedRecords = gzipSync(plain.subarray(BATCH_HEADER_BYTES));
  const batch = Buffer.concat([plain.subarray(0, BATCH_HEADER_BYTES), compressedRecords]);
  writeInt32(batch, 8, batch.length - LOG_OVERHEAD);
  batch[22] = batch[22]! | 1; // gzip
  updateBatchCrc(batch, 0);
  t.deepEqual(findRecordInBatch(batch, 0, (ts) => ts >= base + 35), { offset: 10, timestamp: base + 40 });
});

test('under LogAppendTime every record has the batch max timestamp, so the batch start answers', (t) => {
  const batch = buildRecordBatch(records, { baseOffset: 50, maxTimestamp: base + 99, attributes: 0x08 });
  t.deepEqual(findRecordInBatch(batch, 0, (ts) => ts >= base + 50), { offset: 50, timestamp: base + 99 });
  t.is(findRecordInBatch(batch, 0, (ts) => ts > base + 99), null);
});

test('a batch with an unknown codec id is left to batch granularity (undefined)', (t) => {
  const batch = buildRecordBatch(records, { attributes: 6 });
  t.is(findRecordInBatch(batch, 0, () => true), undefined);
});

test('snappy and lz4 batches are searched record by record', (t) => {
  for (const compression of ['snappy', 'lz4'] as const) {
    const batch = encodeRecordBatch(
      records.map((r) => ({ value: r.value, timestamp: r.timestamp })),
      { compression },
    );
    t.deepEqual(findRecordInBatch(batch, 0, (ts) => ts >= base + 35), { offset: 3, timestamp: base + 40 }, compression);
  }
});
