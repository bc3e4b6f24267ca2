// A topic whose cleanup.policy contains compact refuses records without a key, as Kafka's LogValidator does:
// INVALID_RECORD (87) with one record error per keyless record, and nothing of that batch is stored.
// Real producers (KafkaJS, plain and gzip; confluent-kafka) and hand-made batches (mixed keyed and keyless
// records, uncompressed and zstd) through the raw client, which shows the record_errors of the response.
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { encodeRecordBatch } from '../../src/records/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { REPO_ROOT, startTestBroker } from '../helpers/broker.js';
import { requirePythonModule } from '../helpers/clients.js';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';
import { runOk } from '../interop/drivers.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

async function setup(t: ExecutionContext, config: Record<string, string | number> = {}) {
  const broker = await startTestBroker({ config });
  t.teardown(() => broker.close());
  const kafka = new Kafka({ clientId: 'compacted-keys-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const raw = await RawClient.connect(broker.port, broker.host);
  t.teardown(() => raw.close());
  return { broker, admin, producer, raw };
}

const errorType = (promise: Promise<unknown>): Promise<string | null> =>
  promise.then(
    () => null,
    (error: unknown) => (error as { type?: string }).type ?? String(error),
  );

test('KafkaJS: a keyless record to a compacted topic is INVALID_RECORD, keyed records and non-compacted topics are fine', async (t) => {
  const { admin, producer, raw } = await setup(t);
  t.true(
    await admin.createTopics({
      topics: [
        { topic: 'compacted', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        { topic: 'both', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact,delete' }] },
        { topic: 'plain', numPartitions: 1 },
      ],
    }),
  );
  for (const topic of ['compacted', 'both']) {
    t.is(await errorType(producer.send({ topic, acks: -1, messages: [{ value: 'no key' }] })), 'INVALID_RECORD', `${topic}: keyless`);
    t.is(
      await errorType(producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: [{ key: 'k', value: 'a' }, { value: 'no key' }] })),
      'INVALID_RECORD',
      `${topic}: a gzip batch with one keyless record`,
    );
    t.is(await errorType(producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'keyed' }, { key: 'k', value: null }] })), null, `${topic}: keyed records and a tombstone`);
    t.is(await raw.offset(topic, 0), 2, `${topic}: only the keyed batch was stored`);
  }
  t.is(await errorType(producer.send({ topic: 'plain', acks: -1, messages: [{ value: 'no key' }] })), null, 'a delete topic takes keyless records');
  await assertRoundTrip(raw, 'compacted');
});

// Regression: Spate stored keyless records in compacted topics.
test('a batch of keyed and keyless records lists the keyless ones in record_errors and stores nothing (uncompressed and zstd)', async (t) => {
  const { admin, raw } = await setup(t);
  t.true(await admin.createTopics({ topics: [{ topic: 'mixed', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] }));
  const records = [
    { key: Buffer.from('a'), value: Buffer.from('1') },
    { key: null, value: Buffer.from('2') },
    { key: Buffer.from('c'), value: Buffer.from('3') },
    { key: null, value: Buffer.from('4') },
  ];
  const batches = {
    uncompressed: buildRecordBatch(records),
    zstd: encodeRecordBatch(records, { compression: 'zstd' }),
  };
  for (const [codec, batch] of Object.entries(batches)) {
    const response = await raw.produce('mixed', { partition: 0, records: batch });
    const result = response.responses[0]!.partitionResponses[0]!;
    t.is(result.errorCode, ErrorCode.INVALID_RECORD, codec);
    t.deepEqual(result.recordErrors.map((e) => e.batchIndex), [1, 3], `${codec}: the keyless records are listed by index`);
    t.true(result.recordErrors.every((e) => typeof e.batchIndexErrorMessage === 'string' && e.batchIndexErrorMessage.includes('key')));
    t.regex(result.errorMessage ?? '', /2 records/);
    t.is(result.baseOffset, -1);
  }
  t.is(await raw.offset('mixed', 0), 0, 'nothing of either batch was stored');
  const fetched = await raw.fetch('mixed', 0, 0);
  t.is(fetched.responses[0]!.partitions[0]!.highWatermark, 0);
  // Its checks come first, as in Kafka: a damaged batch is still CORRUPT_MESSAGE, not a key error.
  const damaged = Buffer.from(batches.uncompressed);
  damaged.writeUInt8(damaged.readUInt8(damaged.length - 1) ^ 0xff, damaged.length - 1);
  t.is((await raw.produce('mixed', { partition: 0, records: damaged })).responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.CORRUPT_MESSAGE);
  const keyed = buildRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v') }]);
  t.is((await raw.produce('mixed', { partition: 0, records: keyed })).responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
});

test('confluent-kafka: a keyless record to a compacted topic fails delivery with INVALID_RECORD', async (t) => {
  const { broker, admin, raw } = await setup(t);
  t.true(await admin.createTopics({ topics: [{ topic: 'librdkafka-compacted', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] }));
  const python = requirePythonModule('confluent_kafka');
  const result = await runOk(python, [join(REPO_ROOT, 'test/admin/clients/confluent_admin.py'), 'produce-keyless', '--bootstrap', broker.bootstrap, '--topic', 'librdkafka-compacted'], {
    timeoutMs: 60_000,
    env: { PYTHONDONTWRITEBYTECODE: '1' },
  });
  const report = JSON.parse(result.stdout.toString('utf8').trim().split('\n').pop()!) as { error: number | null; name: string | null };
  t.is(report.error, ErrorCode.INVALID_RECORD, `delivery report: ${report.name}`);
  t.is(await raw.offset('librdkafka-compacted', 0), 0);
});

test('a dynamic broker-wide log.cleanup.policy=compact makes topics without their own policy refuse keyless records', async (t) => {
  const { admin, producer } = await setup(t);
  t.true(await admin.createTopics({ topics: [{ topic: 'inherits', numPartitions: 1 }] }));
  t.is(await errorType(producer.send({ topic: 'inherits', acks: -1, messages: [{ value: 'no key' }] })), null);
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: 4, name: '1', configEntries: [{ name: 'log.cleanup.policy', value: 'compact' }] }] });
  t.is(await errorType(producer.send({ topic: 'inherits', acks: -1, messages: [{ value: 'no key' }] })), 'INVALID_RECORD');
});
