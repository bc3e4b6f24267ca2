// Every codec each client can write, stored as written and served back intact to a different client:
// librdkafka (confluent-kafka and kcat) writes gzip, raw snappy, lz4 frames and zstd; kafka-python writes
// gzip, xerial-framed snappy, lz4 frames and zstd. The log files must hold the producer's compressed
// batches untouched (compression.type=producer), and a consumer with other decoders must get every byte back.
import test, { type ExecutionContext } from 'ava';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { verifyConsumed } from '../helpers/messages.js';
import { CLIENTS, confluentKafka, generateFor, interopBroker, kcat, type ClientName, type Codec } from './drivers.js';

const PARTITIONS = 3;
const COUNT = 2_000;
const CODEC_IDS: Record<Codec, number> = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
/** The xerial snappy-java stream header that kafka-python puts in front of snappy data. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Record batch v2: attributes at byte 21, record count at 57, records (compressed as one blob) from 61. */
const ATTRIBUTES_AT = 21;
const RECORD_COUNT_AT = 57;
const RECORDS_AT = 61;

interface StoredBatch {
  file: string;
  codec: number;
  records: number;
  /** First bytes of the (compressed) records section. */
  head: Buffer;
}

/** Reads the record batches of every `<topic>-<partition>/*.log` segment in the broker's data directory. */
function storedBatches(dataDir: string, topic: string): Map<number, StoredBatch[]> {
  const byPartition = new Map<number, StoredBatch[]>();
  const dirs = readdirSync(dataDir).filter((name) => name.startsWith(`${topic}-`) && /^\d+$/.test(name.slice(topic.length + 1)));
  for (const d of dirs) {
    const batches: StoredBatch[] = [];
    byPartition.set(Number(d.slice(topic.length + 1)), batches);
    for (const name of readdirSync(join(dataDir, d)).filter((n) => n.endsWith('.log')).sort()) {
      const file = join(dataDir, d, name);
      const size = statSync(file).size;
      const fd = openSync(file, 'r');
      try {
        const header = Buffer.alloc(RECORDS_AT + XERIAL_MAGIC.length);
        for (let position = 0; position + 12 <= size; ) {
          const got = readSync(fd, header, 0, header.length, position);
          if (got < RECORDS_AT) break;
          batches.push({
            file: `${d}/${name}@${position}`,
            codec: header.readInt16BE(ATTRIBUTES_AT) & 0x07,
            records: header.readInt32BE(RECORD_COUNT_AT),
            head: Buffer.from(header.subarray(RECORDS_AT, got)),
          });
          position += 12 + header.readInt32BE(8);
        }
      } finally {
        closeSync(fd);
      }
    }
  }
  return byPartition;
}

/**
 * Problems with how `codec` batches were stored: a batch in another codec, a partition without any
 * compressed batch, or fewer than 90 % of the records compressed. Producers may still send a batch
 * uncompressed when compressing would not shrink it (kafka-python and librdkafka both do, e.g. for a lone
 * large random value), so uncompressed batches as such are allowed.
 */
function storageProblems(byPartition: Map<number, StoredBatch[]>, codec: Codec, expectCompressed: boolean, xerial: boolean): string[] {
  const problems: string[] = [];
  const id = CODEC_IDS[codec];
  let total = 0;
  let compressed = 0;
  for (const [partition, batches] of [...byPartition].sort((a, b) => a[0] - b[0])) {
    for (const b of batches) {
      total += b.records;
      if (b.codec === id) compressed += b.records;
      else if (b.codec !== 0) problems.push(`${b.file}: codec ${b.codec}, expected ${id} (${codec}) or none`);
      if (b.codec === CODEC_IDS.snappy && b.head.equals(XERIAL_MAGIC) !== xerial) problems.push(`${b.file}: ${xerial ? 'not xerial-framed' : 'xerial-framed'} snappy`);
    }
    if (expectCompressed && !batches.some((b) => b.codec === id)) problems.push(`partition ${partition}: no ${codec} batch among ${batches.length}`);
  }
  if (byPartition.size !== PARTITIONS) problems.push(`found ${byPartition.size} partition directories, expected ${PARTITIONS}`);
  if (expectCompressed && compressed < 0.9 * total) problems.push(`only ${compressed} of ${total} records are in ${codec} batches`);
  return problems;
}
/**
 * Every producer's batches must arrive compressed with the codec asked for. (librdkafka 2.0.2 compresses gzip,
 * snappy and lz4 only when the broker's Produce range includes v0, which is why Spate advertises Produce 0-10.)
 */
function expectCompressed(_producer: ClientName, _codec: Codec): boolean {
  return true;
}

async function codecRoundTrip(t: ExecutionContext, producerName: ClientName, codec: Codec, consumerName: ClientName): Promise<void> {
  const producer = CLIENTS[producerName];
  const consumer = CLIENTS[consumerName];
  producer.require();
  consumer.require();
  const { broker, dir } = await interopBroker(t);
  const topic = `codec-${producerName}-${codec}`;
  await confluentKafka.createTopic(broker.bootstrap, topic, PARTITIONS);

  const produced = generateFor(producerName, { count: COUNT, seed: 500 + CODEC_IDS[codec], partitions: PARTITIONS });
  const from = Date.now();
  await producer.produce(broker.bootstrap, topic, produced, dir, { compression: codec, lingerMs: 20 });
  const to = Date.now();

  t.deepEqual(storageProblems(storedBatches(broker.dataDir, topic), codec, expectCompressed(producerName, codec), producerName === 'kafka-python'), []);

  const result = await consumer.consume(broker.bootstrap, topic, dir, { count: produced.length });
  const report = verifyConsumed(produced, result.messages, { partitions: PARTITIONS, producerTimestampWindow: { from: from - 2_000, to: to + 2_000 } });
  t.deepEqual(report.errors, []);
}

const CODECS: Codec[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const PAIRS: Array<[ClientName, ClientName]> = [
  ['confluent-kafka', 'kafka-python'],
  ['kafka-python', 'confluent-kafka'],
  ['kcat', 'kafka-python'],
];

for (const [producer, consumer] of PAIRS) {
  for (const codec of CODECS) {
    test.serial(`${codec}: ${producer} writes, ${consumer} reads ${COUNT} messages`, codecRoundTrip, producer, codec, consumer);
  }
}

// Regression: Spate advertised Produce from v3 and librdkafka then silently sent gzip, snappy and lz4 uncompressed.
test.serial('librdkafka (kcat) writes gzip, snappy and lz4 batches, not uncompressed ones', async (t) => {
  kcat.require();
  const { broker, dir } = await interopBroker(t);
  for (const codec of ['gzip', 'snappy', 'lz4'] as const) {
    const topic = `codec-librdkafka-${codec}`;
    await confluentKafka.createTopic(broker.bootstrap, topic, PARTITIONS);
    const produced = generateFor('kcat', { count: 300, seed: 600 + CODEC_IDS[codec], partitions: PARTITIONS, binary: false, largeValues: false });
    await kcat.produce(broker.bootstrap, topic, produced, dir, { compression: codec, lingerMs: 20 });
    t.deepEqual(storageProblems(storedBatches(broker.dataDir, topic), codec, true, false), [], codec);
  }
});
