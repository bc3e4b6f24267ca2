// Client record batches: what buildRecordBatch makes is a valid v2 batch (the broker's own validator accepts it),
// and decodeRecordBatches reads back keys, values, headers and timestamps, compressed or not.
import test from 'ava';
import kafkajs from 'kafkajs';
import { buildRecordBatch, decodeRecordBatches, type ProducerRecord } from '../../src/client/records.js';
import { partitionForKey } from '../../src/client/producer.js';
import { ATTRIBUTES, updateBatchCrc } from '../../src/records/batch.js';
import { BATCH_OK, validateIncomingBatch } from '../../src/records/validation.js';
import type { SpateError } from '../../src/errors.js';
import { buildRecordBatch as buildTestBatch } from '../helpers/batch-builder.js';

const records: ProducerRecord[] = [
  { key: 'k1', value: 'hello', headers: [{ key: 'h', value: Buffer.from('1') }, { key: 'empty', value: null }], timestamp: 1_700_000_000_000 },
  { key: null, value: Buffer.from([0, 1, 2, 255]), timestamp: 1_700_000_000_500 },
  { key: Buffer.from('k3'), value: null, timestamp: 1_699_999_999_000 },
];

for (const compression of ['none', 'gzip', 'zstd'] as const) {
  test(`${compression}: built batch validates and decodes back`, (t) => {
    const batch = buildRecordBatch(records, { compression });
    t.is(validateIncomingBatch(batch, 0, batch.length), BATCH_OK);
    t.is(batch.readInt16BE(ATTRIBUTES) & 7, { none: 0, gzip: 1, zstd: 4 }[compression]);
    // As stored by a broker that assigned base offset 40.
    batch.writeBigInt64BE(40n, 0);
    const { records: out, nextOffset } = decodeRecordBatches(batch);
    t.is(nextOffset, 43);
    t.deepEqual(
      out.map((r) => ({ offset: r.offset, ts: r.timestamp, key: r.key?.toString('utf8') ?? null, value: r.value, headers: r.headers })),
      [
        { offset: 40, ts: 1_700_000_000_000, key: 'k1', value: Buffer.from('hello'), headers: [{ key: 'h', value: Buffer.from('1') }, { key: 'empty', value: null }] },
        { offset: 41, ts: 1_700_000_000_500, key: null, value: Buffer.from([0, 1, 2, 255]), headers: [] },
        { offset: 42, ts: 1_699_999_999_000, key: 'k3', value: null, headers: [] },
      ],
    );
    t.true(out.every((r) => r.timestampType === 'CreateTime'));
  });
}

test('decodes batches built by the test helper, skips records below fromOffset and ignores a partial tail', (t) => {
  const a = buildTestBatch([{ value: Buffer.from('a0') }, { value: Buffer.from('a1') }], { baseOffset: 0 });
  const b = buildTestBatch([{ value: Buffer.from('b2'), key: Buffer.from('k') }], { baseOffset: 2 });
  const data = Buffer.concat([a, b, b.subarray(0, 30)]);
  const { records: out, nextOffset } = decodeRecordBatches(data, 1);
  t.deepEqual(out.map((r) => [r.offset, r.value?.toString()]), [[1, 'a1'], [2, 'b2']]);
  t.is(nextOffset, 3);
  t.deepEqual(decodeRecordBatches(null), { records: [], nextOffset: -1 });
});

test('LogAppendTime batches report the batch max timestamp', (t) => {
  const batch = buildRecordBatch([{ value: 'x', timestamp: 5 }]);
  batch.writeInt16BE(0x08, ATTRIBUTES);
  batch.writeBigInt64BE(999n, 35);
  updateBatchCrc(batch, 0);
  const [r] = decodeRecordBatches(batch).records;
  t.is(r!.timestamp, 999);
  t.is(r!.timestampType, 'LogAppendTime');
});

test('a CRC mismatch is a protocol error; every codec round-trips; an unknown codec id is unsupported', (t) => {
  const batch = buildRecordBatch([{ value: 'x' }]);
  batch.writeUInt8(batch.readUInt8(batch.length - 1) ^ 0xff, batch.length - 1);
  t.is(t.throws<SpateError>(() => decodeRecordBatches(batch))?.code, 'SPATE_CLIENT_PROTOCOL');
  for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    const records = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `value ${i} `.repeat(20) }));
    const decoded = decodeRecordBatches(buildRecordBatch(records, { compression }));
    t.deepEqual(decoded.records.map((r) => r.value?.toString()), records.map((r) => r.value), compression);
  }
  const unknown = buildRecordBatch([{ value: 'x' }]);
  unknown.writeInt16BE(5, ATTRIBUTES);
  updateBatchCrc(unknown, 0);
  const error = t.throws<SpateError>(() => decodeRecordBatches(unknown));
  t.is(error?.code, 'SPATE_CLIENT_UNSUPPORTED');
  t.regex(error!.message, /compression codec #5 is not one Kafka defines/);
});

test('key partitioning matches the Java-compatible default partitioner of KafkaJS', (t) => {
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: 7 }, (_, i) => ({ partitionId: i, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
  for (const key of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'user-42', 'ключ', 'x'.repeat(1000)]) {
    const theirs = partitioner({ topic: 't', partitionMetadata, message: { key, value: 'v' } });
    t.is(partitionForKey(Buffer.from(key, 'utf8'), 7), theirs, `key ${JSON.stringify(key.slice(0, 10))}`);
  }
});
