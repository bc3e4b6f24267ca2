// Produce requests whose record batches are bad: failed CRC, truncated, legacy magic, above max.message.bytes.
// The bad partition gets its error code and stores nothing; good batches in the same request are stored; the
// connection and the broker carry on.
import test, { type ExecutionContext } from 'ava';
import { ApiKey, type ProduceResponse } from '../../src/protocol/generated/index.js';
import { buildRecordBatch, simpleBatch } from '../helpers/batch-builder.js';
import { startTestBroker } from '../helpers/broker.js';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';

const CORRUPT_MESSAGE = 2;
const MESSAGE_TOO_LARGE = 10;
const UNSUPPORTED_FOR_MESSAGE_FORMAT = 43;
const INVALID_RECORD = 87;

async function setup(t: ExecutionContext, config: Record<string, number> = {}): Promise<{ port: number; client: RawClient; observer: RawClient }> {
  const broker = await startTestBroker({ config });
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  const observer = await RawClient.connect(broker.port);
  t.teardown(async () => {
    await client.close();
    await observer.close();
  });
  t.is((await client.createTopic('healthy', 1)).topics[0]!.errorCode, 0);
  await assertRoundTrip(observer, 'healthy');
  return { port: broker.port, client, observer };
}

type Entry = { topic: string; partition: number; records: Buffer };

function produceMany(client: RawClient, entries: Entry[]): Promise<ProduceResponse> {
  const topics = [...new Set(entries.map((e) => e.topic))];
  return client.request<ProduceResponse>(ApiKey.Produce, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: topics.map((name) => ({
      name,
      partitionData: entries.filter((e) => e.topic === name).map((e) => ({ index: e.partition, records: e.records })),
    })),
  });
}

function resultOf(response: ProduceResponse, topic: string, partition: number) {
  const r = response.responses.find((x) => x.name === topic)?.partitionResponses.find((p) => p.index === partition);
  if (!r) throw new Error(`no produce result for ${topic}-${partition}`);
  return r;
}

/** Nothing is stored in topic-partition: latest offset 0 and a fetch from 0 returns no bytes. */
async function assertEmpty(t: ExecutionContext, client: RawClient, topic: string, partition: number): Promise<void> {
  t.is(await client.offset(topic, partition), 0, `${topic}-${partition} latest offset`);
  const fetched = (await client.fetch(topic, partition, 0)).responses[0]!.partitions[0]!;
  t.is(fetched.errorCode, 0);
  t.is(fetched.highWatermark, 0);
  t.is(fetched.records?.length ?? 0, 0, `${topic}-${partition} returned stored bytes`);
}

test('a batch with a bad CRC gets CORRUPT_MESSAGE and is not stored; good batches in the same request are', async (t) => {
  const { client, observer } = await setup(t);
  t.is((await client.createTopic('crc', 2)).topics[0]!.errorCode, 0);
  t.is((await client.createTopic('other', 1)).topics[0]!.errorCode, 0);

  const good = simpleBatch(3, { timestamp: 1_700_000_000_000 });
  const flippedRecord = Buffer.from(simpleBatch(3));
  flippedRecord[flippedRecord.length - 2]! ^= 0x01; // a bit in the last record's value
  const flippedCrc = Buffer.from(simpleBatch(3));
  flippedCrc[17]! ^= 0x80; // the CRC field itself
  const flippedAttributes = Buffer.from(simpleBatch(3));
  flippedAttributes[22]! ^= 0x08; // the timestamp-type attribute bit: inside the CRC's range
  const truncated = simpleBatch(3).subarray(0, 70); // the length field promises more than is there

  for (const [name, bad] of [
    ['flipped record byte', flippedRecord],
    ['flipped CRC', flippedCrc],
    ['flipped attributes', flippedAttributes],
    ['truncated batch', truncated],
  ] as const) {
    const response = await produceMany(client, [
      { topic: 'crc', partition: 0, records: bad },
      { topic: 'crc', partition: 1, records: good },
      { topic: 'other', partition: 0, records: good },
    ]);
    const badResult = resultOf(response, 'crc', 0);
    t.is(badResult.errorCode, CORRUPT_MESSAGE, name);
    t.is(badResult.baseOffset, -1, name);
    t.is(resultOf(response, 'crc', 1).errorCode, 0, name);
    t.is(resultOf(response, 'other', 0).errorCode, 0, name);
    await assertEmpty(t, observer, 'crc', 0);
  }
  // The good batch was stored four times in each of the other partitions, byte for byte.
  for (const [topic, partition] of [['crc', 1], ['other', 0]] as const) {
    t.is(await observer.offset(topic, partition), 12);
    const fetched = (await observer.fetch(topic, partition, 0)).responses[0]!.partitions[0]!;
    t.is(fetched.records!.length, 4 * good.length);
    // Bytes after the base offset (patched by the broker) are the producer's, CRC included.
    t.deepEqual(fetched.records!.subarray(12, good.length), good.subarray(12));
  }
  await assertRoundTrip(client, 'healthy');
  await assertRoundTrip(observer, 'healthy');
});

test('a magic 0 or 1 batch is refused as UNSUPPORTED_FOR_MESSAGE_FORMAT or INVALID_RECORD and not stored', async (t) => {
  const { client, observer } = await setup(t);
  t.is((await client.createTopic('legacy', 2)).topics[0]!.errorCode, 0);
  for (const magic of [1, 0]) {
    const legacy = buildRecordBatch([{ value: Buffer.from('old') }], { magic });
    const response = await produceMany(client, [
      { topic: 'legacy', partition: 0, records: legacy },
      { topic: 'legacy', partition: 1, records: simpleBatch(1) },
    ]);
    const code = resultOf(response, 'legacy', 0).errorCode;
    t.true(code === UNSUPPORTED_FOR_MESSAGE_FORMAT || code === INVALID_RECORD, `magic ${magic}: error ${code}`);
    t.is(resultOf(response, 'legacy', 1).errorCode, 0);
    await assertEmpty(t, observer, 'legacy', 0);
  }
  // An unknown future magic is not a valid batch either.
  const future = (await client.produce('legacy', { partition: 0, records: buildRecordBatch([{ value: Buffer.from('new') }], { magic: 3 }) })).responses[0]!.partitionResponses[0]!;
  t.true(future.errorCode === INVALID_RECORD || future.errorCode === UNSUPPORTED_FOR_MESSAGE_FORMAT || future.errorCode === CORRUPT_MESSAGE, `magic 3: error ${future.errorCode}`);
  await assertEmpty(t, observer, 'legacy', 0);
  t.is(await observer.offset('legacy', 1), 2);
  await assertRoundTrip(client, 'healthy');
  await assertRoundTrip(observer, 'healthy');
});

test('a batch above max.message.bytes gets MESSAGE_TOO_LARGE and is not stored', async (t) => {
  // Broker-wide limit 4 KiB; one topic overrides it down to 1000 bytes.
  const { client, observer } = await setup(t, { 'message.max.bytes': 4096 });
  t.is((await client.createTopic('small', 1, { 'max.message.bytes': '1000' })).topics[0]!.errorCode, 0);
  t.is((await client.createTopic('default', 1)).topics[0]!.errorCode, 0);

  const tooBigForTopic = buildRecordBatch([{ value: Buffer.alloc(2000, 1) }]);
  const fitsTopic = buildRecordBatch([{ value: Buffer.alloc(500, 2) }]);
  const tooBigForBroker = buildRecordBatch([{ value: Buffer.alloc(8192, 3) }]);
  const fitsBroker = buildRecordBatch([{ value: Buffer.alloc(3000, 4) }]);

  const response = await produceMany(client, [
    { topic: 'small', partition: 0, records: tooBigForTopic },
    { topic: 'default', partition: 0, records: tooBigForBroker },
  ]);
  t.is(resultOf(response, 'small', 0).errorCode, MESSAGE_TOO_LARGE);
  t.is(resultOf(response, 'default', 0).errorCode, MESSAGE_TOO_LARGE);
  await assertEmpty(t, observer, 'small', 0);
  await assertEmpty(t, observer, 'default', 0);

  // The 2000-byte batch is fine where only the broker limit applies; the small one fits the topic limit.
  const ok = await produceMany(client, [
    { topic: 'small', partition: 0, records: fitsTopic },
    { topic: 'default', partition: 0, records: fitsBroker },
  ]);
  t.is(resultOf(ok, 'small', 0).errorCode, 0);
  t.is(resultOf(ok, 'default', 0).errorCode, 0);
  t.is(await observer.offset('small', 0), 1);
  t.is(await observer.offset('default', 0), 1);
  t.is((await client.produce('default', { partition: 0, records: tooBigForTopic })).responses[0]!.partitionResponses[0]!.errorCode, 0);
  await assertRoundTrip(client, 'healthy');
  await assertRoundTrip(observer, 'healthy');
});
