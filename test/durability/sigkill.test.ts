// Durability under SIGKILL: a KafkaJS producer sends with acks=-1 while the broker process is killed at
// random moments, over and over. After every restart, every acknowledged message is at its acknowledged
// offset with its bytes, and the stored offsets are contiguous from 0.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { readBatchHeader } from '../../src/records/batch.js';
import { startBrokerProcess, temporaryDir, type BrokerProcess } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

const ROUNDS = 20;
const TOPIC = 'durable';
const SENDERS = 4;

interface Acked {
  offset: number;
  value: Buffer;
}

/** Every stored batch of the partition, in order, fetched through the broker. */
async function readBatches(port: number): Promise<Array<{ base: number; last: number; bytes: Buffer }>> {
  const client = await RawClient.connect(port);
  try {
    const out: Array<{ base: number; last: number; bytes: Buffer }> = [];
    let offset = 0;
    for (let guard = 0; guard < 100_000; guard++) {
      const data = (await client.fetch(TOPIC, 0, offset, { partitionMaxBytes: 256 * 1024 })).responses[0]!.partitions[0]!;
      if (data.errorCode !== 0) throw new Error(`fetch at ${offset}: error ${data.errorCode}`);
      if (offset >= data.highWatermark) break;
      const records = data.records!;
      for (let p = 0; p + 61 <= records.length; ) {
        const h = readBatchHeader(records, p);
        const size = h.batchLength + 12;
        if (p + size > records.length) break;
        out.push({ base: h.baseOffset, last: h.baseOffset + h.lastOffsetDelta, bytes: records.subarray(p, p + size) });
        offset = h.baseOffset + h.lastOffsetDelta + 1;
        p += size;
      }
    }
    return out;
  } finally {
    await client.close();
  }
}

test('acks=-1 messages survive SIGKILL at random moments, at their offsets, with contiguous offsets', async (t) => {
  t.timeout(170_000);
  const data = temporaryDir('spate-sigkill-');
  t.teardown(() => data.remove());
  const acked: Acked[] = [];
  let broker: BrokerProcess | null = null;
  t.teardown(async () => broker?.kill());
  for (let round = 0; round < ROUNDS; round++) {
    broker = await startBrokerProcess(data.path);
    const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'sigkill', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    if (round === 0) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '65536' }] }] });
      await admin.disconnect();
    } else {
      // Everything acknowledged before the kill is there, byte for byte, at its offset.
      const batches = await readBatches(broker.port);
      let expected = 0;
      for (const b of batches) {
        t.is(b.base, expected, `round ${round}: offsets are contiguous`);
        expected = b.last + 1;
      }
      const byBase = new Map(batches.map((b) => [b.base, b.bytes]));
      let missing = 0;
      for (const a of acked) {
        const bytes = byBase.get(a.offset);
        if (!bytes || bytes.indexOf(a.value) < 0) missing++;
      }
      t.is(missing, 0, `round ${round}: ${missing} of ${acked.length} acknowledged messages are missing or moved`);
    }
    const producer: Producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    let stop = false;
    const send = async (): Promise<void> => {
      while (!stop) {
        const value = randomBytes(200);
        try {
          const [meta] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ value }] });
          if (meta && meta.errorCode === 0) acked.push({ offset: Number(meta.baseOffset), value });
        } catch {
          return; // the broker is gone: an unacknowledged send proves nothing either way
        }
      }
    };
    const senders = Array.from({ length: SENDERS }, send);
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 700));
    await broker.kill();
    stop = true;
    await Promise.all(senders);
    await producer.disconnect().catch(() => undefined);
  }
  t.true(acked.length > ROUNDS * 10, `only ${acked.length} messages were acknowledged`);
  broker = await startBrokerProcess(data.path);
  const batches = await readBatches(broker.port);
  const stored = new Map(batches.map((b) => [b.base, b.bytes]));
  t.true(acked.every((a) => stored.get(a.offset)?.includes(a.value) === true));
  t.log(`${acked.length} acknowledged messages over ${ROUNDS} kills`);
  await broker.stop();
  broker = null;
});
