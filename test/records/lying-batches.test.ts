// Batches whose header lies about what they hold, sent as raw Produce frames the way an attacker (or a broken
// client) would: a correct CRC-32C over a record count, offset deltas or a compressed size that do not match the
// records. Kafka's LogValidator iterates the records of every batch (decompressing compressed ones) and answers
// INVALID_RECORD; so must Spate, without moving the log end offset, and a decompression bomb must be refused
// without taking the broker down.
import test from 'ava';
import { renameSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Compression } from '../../src/records/compression.js';
import { crc32c } from '../../src/records/crc32c.js';
import { startTestBroker, temporaryDir } from '../helpers/broker.js';
import { buildCompressedBatch, buildRecordBatch, simpleBatch, type TestRecord } from '../helpers/batch-builder.js';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';

const INVALID_RECORD = 87;
const UNKNOWN_SERVER_ERROR = -1;
const CODECS: Array<Exclude<Compression, 'none'>> = ['gzip', 'snappy', 'lz4', 'zstd'];
const BILLION = 1_000_000_000;

function records(n: number): TestRecord[] {
  return Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`) }));
}

async function produceCode(client: RawClient, topic: string, batch: Buffer): Promise<number> {
  const response = await client.produce(topic, { partition: 0, records: batch });
  return response.responses[0]!.partitionResponses[0]!.errorCode;
}

/** The batch with record `index`'s one-byte offset delta replaced by `delta`, CRC recomputed. */
function withOffsetDelta(batch: Buffer, index: number, delta: number): Buffer {
  const out = Buffer.from(batch);
  let pos = 61;
  for (let i = 0; i < index; i++) pos += 1 + out[pos]! / 2; // one-byte length varints (small records)
  // length, attributes, one-byte timestamp delta, then the offset delta
  out[pos + 3] = delta * 2;
  out.writeUInt32BE(crc32c(out, 21, out.length), 17);
  return out;
}

test('an uncompressed batch whose record count or offset deltas lie gets INVALID_RECORD and the log end stays', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is((await client.createTopic('lies', 1)).topics[0]!.errorCode, 0);
  t.is((await client.createTopic('bystander', 1)).topics[0]!.errorCode, 0);
  t.is(await produceCode(client, 'lies', buildRecordBatch(records(1))), 0);
  t.is(await client.offset('lies', 0), 1);

  const lies: Array<[string, Buffer]> = [
    // The report: one real record, a header claiming a billion, the log end moved to 1,000,000,001.
    ['one record claiming a billion', buildRecordBatch(records(1), { recordCount: BILLION, lastOffsetDelta: BILLION - 1 })],
    ['three records claiming two', buildRecordBatch(records(3), { recordCount: 2, lastOffsetDelta: 1 })],
    ['two records claiming three', buildRecordBatch(records(2), { recordCount: 3, lastOffsetDelta: 2 })],
    ['offset deltas 0, 0', withOffsetDelta(buildRecordBatch(records(2)), 1, 0)],
    ['offset deltas 0, 2', withOffsetDelta(buildRecordBatch(records(2)), 1, 2)],
  ];
  for (const [name, batch] of lies) {
    t.is(await produceCode(client, 'lies', batch), INVALID_RECORD, name);
    t.is(await client.offset('lies', 0), 1, `${name}: the log end offset did not move`);
  }
  // What a client really sends is still taken, and the fetch shows only the real records.
  t.is(await produceCode(client, 'lies', buildRecordBatch(records(3))), 0);
  t.is(await client.offset('lies', 0), 4);
  await assertRoundTrip(client, 'bystander');
});

test('a compressed batch (gzip, snappy, lz4, zstd) whose record count lies gets INVALID_RECORD', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is((await client.createTopic('compressed-lies', 1)).topics[0]!.errorCode, 0);
  let end = 0;
  for (const codec of CODECS) {
    // An honest batch of each codec is accepted, so the refusals below are about the lie, not the codec.
    t.is(await produceCode(client, 'compressed-lies', buildCompressedBatch(records(2), codec)), 0, `${codec}: honest batch`);
    end += 2;
    const lies: Array<[string, Buffer]> = [
      ['one record claiming a billion', buildCompressedBatch(records(1), codec, { recordCount: BILLION, lastOffsetDelta: BILLION - 1 })],
      ['three records claiming two', buildCompressedBatch(records(3), codec, { recordCount: 2, lastOffsetDelta: 1 })],
      ['two records claiming three', buildCompressedBatch(records(2), codec, { recordCount: 3, lastOffsetDelta: 2 })],
    ];
    for (const [name, batch] of lies) {
      t.is(await produceCode(client, 'compressed-lies', batch), INVALID_RECORD, `${codec}: ${name}`);
      t.is(await client.offset('compressed-lies', 0), end, `${codec}: ${name}: the log end offset did not move`);
    }
  }
});

test('a decompression bomb is refused with INVALID_RECORD; the broker and its other partitions carry on', async (t) => {
  t.timeout(120_000);
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is((await client.createTopic('bombs', 1)).topics[0]!.errorCode, 0);
  t.is((await client.createTopic('bystander', 1)).topics[0]!.errorCode, 0);
  // One record whose 100 MiB value of zeros compresses to well under max.message.bytes (snappy cannot compress
  // that well, so it cannot make a bomb that fits a batch).
  const value = Buffer.alloc(100 * 1024 * 1024);
  for (const codec of ['gzip', 'lz4', 'zstd'] as const) {
    const bomb = buildCompressedBatch([{ value }], codec);
    t.true(bomb.length < 1_000_000, `${codec} bomb is ${bomb.length} bytes`);
    t.is(await produceCode(client, 'bombs', bomb), INVALID_RECORD, codec);
    t.is(await client.offset('bombs', 0), 0, `${codec}: nothing stored`);
    await assertRoundTrip(client, 'bystander');
  }
});

test('offsets never pass 2^53: a log at the ceiling refuses the batch that would cross it', async (t) => {
  const data = temporaryDir('spate-offset-ceiling-');
  t.teardown(() => data.remove());
  const first = await startTestBroker({ dataDir: data.path });
  const setup = await RawClient.connect(first.port);
  t.is((await setup.createTopic('ceiling', 1)).topics[0]!.errorCode, 0);
  await setup.close();
  await first.close();
  // The empty partition's segment is moved to a base offset 4 below 2^53, as if it had been written that far.
  const dir = join(data.path, 'ceiling-0');
  const base = String(2 ** 53 - 4).padStart(20, '0');
  for (const name of readdirSync(dir)) {
    const m = /^0{20}(\.log|\.index|\.timeindex)$/.exec(name);
    if (m) renameSync(join(dir, name), join(dir, base + m[1]));
  }
  const broker = await startTestBroker({ dataDir: data.path });
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is(await client.offset('ceiling', 0), 2 ** 53 - 4);
  t.is(await produceCode(client, 'ceiling', simpleBatch(3)), 0);
  t.is(await client.offset('ceiling', 0), Number.MAX_SAFE_INTEGER);
  t.is(await produceCode(client, 'ceiling', simpleBatch(1)), UNKNOWN_SERVER_ERROR);
  t.is(await client.offset('ceiling', 0), Number.MAX_SAFE_INTEGER, 'the log end offset stays at 2^53 - 1');
});
