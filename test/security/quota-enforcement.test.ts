// Client quotas enforced on a live broker as Kafka enforces them: a producer held near its producer_byte_rate and
// a consumer near its consumer_byte_rate (KafkaJS, throughput measured over several seconds, generous bands), the
// throttle time in the responses, the connection muted for that time (KIP-219) and unmuted after it, a throttled
// fetch answered empty, a fetch capped to what the quota window takes, request_percentage bounded by one window,
// and other users unaffected. Short quota windows (2 x 1 s) keep the runs short; Kafka's default is 11 x 1 s.
import test from 'ava';
import kafkajs from 'kafkajs';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey, type AlterClientQuotasResponse, type FetchResponse, type ProduceResponse } from '../../src/protocol/generated/index.js';
import type { RunningBroker } from '../../src/index.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { RawClient } from '../helpers/raw-client.js';
import { connectAs } from './acl-helpers.js';
import { principal, startIdentifyingBroker } from './principals.js';

const { Kafka, logLevel } = kafkajs;

const MiB = 1024 * 1024;
const QUOTA_WINDOWS = { 'quota.window.num': 2, 'quota.window.size.seconds': 1 };

async function setQuota(broker: RunningBroker, entity: Array<{ entityType: string; entityName: string | null }>, key: string, value: number): Promise<void> {
  const raw = await RawClient.connect(broker.port, broker.host, 'quota-setter');
  try {
    const response = await raw.request<AlterClientQuotasResponse>(ApiKey.AlterClientQuotas, 1, { entries: [{ entity, ops: [{ key, value, remove: false }] }], validateOnly: false });
    if (response.entries[0]!.errorCode !== ErrorCode.NONE) throw new Error(`AlterClientQuotas failed: ${JSON.stringify(response.entries[0])}`);
  } finally {
    await raw.close();
  }
}

const user = (name: string) => [{ entityType: 'user', entityName: name }];

async function createTopic(broker: RunningBroker, name: string): Promise<void> {
  const raw = await RawClient.connect(broker.port, broker.host);
  try {
    const created = await raw.createTopic(name);
    if (created.topics[0]!.errorCode !== ErrorCode.NONE) throw new Error(`create ${name}: ${JSON.stringify(created.topics[0])}`);
  } finally {
    await raw.close();
  }
}

/** Bytes per second a KafkaJS producer as `name` achieves sending 64 KiB batches back to back for `seconds`. */
async function producerRate(broker: RunningBroker, name: string, topic: string, seconds: number): Promise<number> {
  const kafka = new Kafka({ clientId: principal(name).clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const messages = Array.from({ length: 4 }, () => ({ value: Buffer.alloc(16 * 1024, 7) }));
    const batchBytes = messages.reduce((n, m) => n + m.value.length, 0);
    let sent = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) {
      await producer.send({ topic, acks: 1, messages });
      sent += batchBytes;
    }
    return sent / ((performance.now() - started) / 1000);
  } finally {
    await producer.disconnect();
  }
}

test('a KafkaJS producer limited to 1 MiB/s is held near 1 MiB/s, while another user is not limited', async (t) => {
  const broker = await startIdentifyingBroker({ config: QUOTA_WINDOWS });
  t.teardown(() => broker.close());
  await createTopic(broker, 'quota-produce');
  await setQuota(broker, user('alice'), 'producer_byte_rate', MiB);
  const limited = await producerRate(broker, 'alice', 'quota-produce', 8);
  t.log(`alice: ${(limited / MiB).toFixed(2)} MiB/s under a 1 MiB/s quota`);
  t.true(limited > 0.5 * MiB && limited < 1.6 * MiB, `alice produced ${(limited / MiB).toFixed(2)} MiB/s`);
  const free = await producerRate(broker, 'bob', 'quota-produce', 2);
  t.log(`bob: ${(free / MiB).toFixed(2)} MiB/s without a quota`);
  t.true(free > 3 * MiB, `bob produced ${(free / MiB).toFixed(2)} MiB/s`);
});

test('a producer that ignores throttle_time_ms is held near its quota all the same: the broker mutes its connection', async (t) => {
  const broker = await startIdentifyingBroker({ config: QUOTA_WINDOWS });
  t.teardown(() => broker.close());
  await createTopic(broker, 'quota-ignored');
  await setQuota(broker, user('frank'), 'producer_byte_rate', MiB);
  const frank = await connectAs(t, broker, 'frank');
  const batch = buildRecordBatch(Array.from({ length: 4 }, () => ({ value: Buffer.alloc(16 * 1024, 3) })));
  let sent = 0;
  let throttled = 0;
  const started = performance.now();
  // Back to back, never waiting on its own: only the broker can slow it down.
  while (performance.now() - started < 6000) {
    const produced = await frank.produce('quota-ignored', { partition: 0, records: batch }, 1);
    t.is(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    if (produced.throttleTimeMs > 0) throttled++;
    sent += batch.length;
  }
  const rate = sent / ((performance.now() - started) / 1000);
  t.log(`frank (ignoring throttles): ${(rate / MiB).toFixed(2)} MiB/s under a 1 MiB/s quota, ${throttled} throttled responses`);
  t.true(rate > 0.5 * MiB && rate < 1.6 * MiB, `frank produced ${(rate / MiB).toFixed(2)} MiB/s`);
  t.true(throttled > 0);
});

test('a produce over the quota is answered at once with throttle_time_ms, and the connection is muted for that long', async (t) => {
  const broker = await startIdentifyingBroker({ config: QUOTA_WINDOWS });
  t.teardown(() => broker.close());
  await createTopic(broker, 'quota-mute');
  await setQuota(broker, user('alice'), 'producer_byte_rate', 256 * 1024);
  const alice = await connectAs(t, broker, 'alice');
  // 900 KiB against 256 KiB/s over a 1 s window: about 2.5 s of throttle.
  const batch = buildRecordBatch([{ value: Buffer.alloc(900 * 1024, 1) }]);
  const produced = await alice.request<ProduceResponse>(ApiKey.Produce, 9, RawClient.produceBody('quota-mute', { partition: 0, records: batch }, 1));
  const producedAt = performance.now();
  t.is(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE, 'the data is accepted: only the client is slowed');
  t.true(produced.throttleTimeMs > 1000, `throttle ${produced.throttleTimeMs} ms`);
  // Sent at once after the throttled response: the muted connection starts it only once the throttle is over.
  const answered = await alice.apiVersions();
  const mutedMs = performance.now() - producedAt;
  t.is(answered.errorCode, ErrorCode.NONE);
  // Lower bound only (a busy machine may add any delay): the next request waited out most of the throttle.
  t.true(mutedMs >= produced.throttleTimeMs * 0.8, `next request answered after ${mutedMs.toFixed(0)} ms of a ${produced.throttleTimeMs} ms throttle`);
  // bob, on another connection, is not held up by alice's throttle.
  const bob = await connectAs(t, broker, 'bob');
  const bobProduced = await bob.produce('quota-mute', { partition: 0, records: buildRecordBatch([{ value: Buffer.from('bob') }]) });
  t.is(bobProduced.throttleTimeMs, 0);
});

test('a fetch over consumer_byte_rate is answered empty with throttle_time_ms, and fetches are capped to the quota window', async (t) => {
  const broker = await startIdentifyingBroker({ config: QUOTA_WINDOWS });
  t.teardown(() => broker.close());
  await createTopic(broker, 'quota-fetch');
  const writer = await connectAs(t, broker, 'writer');
  for (let i = 0; i < 6; i++) {
    const produced = await writer.produce('quota-fetch', { partition: 0, records: buildRecordBatch(Array.from({ length: 4 }, () => ({ value: Buffer.alloc(128 * 1024, i) }))) });
    t.is(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  }
  await setQuota(broker, user('carol'), 'consumer_byte_rate', 512 * 1024);
  const carol = await connectAs(t, broker, 'carol');
  const fetch = (offset: number) => carol.request<FetchResponse>(ApiKey.Fetch, 12, RawClient.fetchBody('quota-fetch', 0, offset, { maxBytes: 50 * MiB, partitionMaxBytes: 50 * MiB }));
  const first = await fetch(0);
  const records = first.responses[0]?.partitions[0]?.records ?? Buffer.alloc(0);
  // The window takes limit x (window.num - 1) x 1 s = 512 KiB: the fetch is capped there (whole batches, KIP-74).
  t.true(records.length > 0 && records.length <= 1024 * 1024, `first fetch returned ${records.length} bytes`);
  // The next fetches exceed the quota: empty answers carrying the throttle time.
  let throttled: FetchResponse | null = null;
  for (let i = 0; i < 5 && !throttled; i++) {
    const next = await fetch(0);
    if (next.throttleTimeMs > 0) throttled = next;
  }
  t.truthy(throttled, 'a fetch was throttled');
  t.deepEqual(throttled!.responses, []);
});

test('a KafkaJS consumer limited to 1 MiB/s reads near 1 MiB/s', async (t) => {
  const broker = await startIdentifyingBroker({ config: QUOTA_WINDOWS });
  t.teardown(() => broker.close());
  await createTopic(broker, 'quota-consume');
  const writer = await connectAs(t, broker, 'writer');
  for (let i = 0; i < 40; i++) {
    const produced = await writer.produce('quota-consume', { partition: 0, records: buildRecordBatch(Array.from({ length: 4 }, () => ({ value: Buffer.alloc(64 * 1024, i) }))) });
    t.is(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  }
  await setQuota(broker, user('dave'), 'consumer_byte_rate', MiB);
  const kafka = new Kafka({ clientId: principal('dave').clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'quota-readers', maxWaitTimeInMs: 200 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'quota-consume', fromBeginning: true });
  let bytes = 0;
  let started = 0;
  const seconds = 7;
  const rate = await new Promise<number>((resolve, reject) => {
    void consumer
      .run({
        eachBatch: async ({ batch }) => {
          if (started === 0) started = performance.now();
          for (const message of batch.messages) bytes += message.value?.length ?? 0;
          const elapsed = (performance.now() - started) / 1000;
          if (elapsed >= seconds) resolve(bytes / elapsed);
        },
      })
      .catch(reject);
  });
  t.log(`dave: ${(rate / MiB).toFixed(2)} MiB/s under a 1 MiB/s quota (${(bytes / MiB).toFixed(1)} MiB read)`);
  t.true(rate > 0.4 * MiB && rate < 1.8 * MiB, `dave read ${(rate / MiB).toFixed(2)} MiB/s`);
});

test('request_percentage throttles a client flooding the broker with requests, by at most one quota window', async (t) => {
  const broker = await startIdentifyingBroker({ config: QUOTA_WINDOWS });
  t.teardown(() => broker.close());
  // 0.01% of a thread: 0.1 ms of broker time per second.
  await setQuota(broker, user('erin'), 'request_percentage', 0.01);
  const erin = await connectAs(t, broker, 'erin');
  let throttleMs = 0;
  let sent = 0;
  while (throttleMs === 0 && sent < 10_000) {
    const response = await erin.apiVersions();
    sent++;
    throttleMs = response.throttleTimeMs;
  }
  t.true(throttleMs > 0, `throttled after ${sent} requests`);
  t.true(throttleMs <= 1000, `a request throttle is at most quota.window.size.seconds: ${throttleMs} ms`);
  // The connection is muted, then served again.
  const before = performance.now();
  const next = await erin.apiVersions();
  t.is(next.errorCode, ErrorCode.NONE);
  t.true(performance.now() - before >= throttleMs * 0.8, 'the next request waited out the throttle');
});
