// Garbage on the wire: random bytes, truncated frames, absurd or negative size prefixes, unknown API keys and
// frames above socket.request.max.bytes. Each case gets its own broker; after the bad input the broker must
// still be up, and a second connection that was already open must still get correct answers.
import test, { type ExecutionContext } from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey } from '../../src/protocol/generated/index.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { startBrokerProcess, startTestBroker, temporaryDir } from '../helpers/broker.js';
import { RawClient, assertRoundTrip, waitForLogLine, type LogLine } from '../helpers/raw-client.js';

const TOPIC = 'healthy';

interface Setup {
  port: number;
  /** Opened before any bad input; must keep working throughout. */
  observer: RawClient;
}

async function prepare(t: ExecutionContext, port: number): Promise<Setup> {
  const admin = await RawClient.connect(port);
  const created = await admin.createTopic(TOPIC, 1);
  t.is(created.topics[0]!.errorCode, 0);
  await admin.close();
  const observer = await RawClient.connect(port);
  t.teardown(() => observer.close());
  await assertRoundTrip(observer, TOPIC);
  return { port, observer };
}

async function inProcessBroker(t: ExecutionContext, config: Record<string, number> = {}): Promise<Setup> {
  const broker = await startTestBroker({ config });
  t.teardown(() => broker.close());
  return prepare(t, broker.port);
}

async function processBroker(t: ExecutionContext): Promise<Setup & { logs: string[] }> {
  const dir = temporaryDir();
  const broker = await startBrokerProcess(dir.path);
  t.teardown(async () => {
    await broker.stop();
    dir.remove();
  });
  return { ...(await prepare(t, broker.port)), logs: broker.logs };
}

/** The broker is still up (a new connection works) and the already-open observer still gets answers. */
async function assertStillServing(t: ExecutionContext, setup: Setup): Promise<void> {
  t.false(setup.observer.isClosed, 'the already-open connection was closed too');
  await assertRoundTrip(setup.observer, TOPIC);
  const fresh = await RawClient.connect(setup.port);
  try {
    await assertRoundTrip(fresh, TOPIC);
  } finally {
    await fresh.close();
  }
}

/** Sends bytes on a new connection; resolves true if the broker closes it within `ms`, then drops it either way. */
async function sendAndSeeIfClosed(port: number, bytes: Buffer | Buffer[], ms: number): Promise<boolean> {
  return (await sendAndObserve(port, bytes, ms)).closed;
}

async function sendAndObserve(port: number, bytes: Buffer | Buffer[], ms: number): Promise<{ closed: boolean; answered: number }> {
  const client = await RawClient.connect(port);
  client.write(bytes);
  const closed = await client.waitForClose(ms);
  await client.close();
  return { closed, answered: client.received.length };
}

/** Deterministic PRNG (mulberry32) so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(next: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
  return b;
}

function framed(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Read-only or harmless APIs whose random bodies go through the real decoders (admin APIs could delete the observer's topic). */
const FUZZED_APIS: Array<[number, number, number]> = [
  [ApiKey.Produce, 3, 10],
  [ApiKey.Fetch, 4, 16],
  [ApiKey.ListOffsets, 0, 8],
  [ApiKey.Metadata, 0, 12],
  [ApiKey.OffsetFetch, 0, 9],
  [ApiKey.FindCoordinator, 0, 4],
  [ApiKey.Heartbeat, 0, 4],
  [ApiKey.ListGroups, 0, 4],
  [ApiKey.DescribeGroups, 0, 5],
  [ApiKey.ApiVersions, 0, 3],
  [ApiKey.DescribeConfigs, 0, 4],
  [ApiKey.DescribeCluster, 0, 1],
];

for (const seed of [1, 7, 42, 20240]) {
  test(`random bytes (seed ${seed}) never take the broker down`, async (t) => {
    const setup = await inProcessBroker(t);
    const next = prng(seed);
    const header = (apiKey: number, version: number): Buffer => {
      const h = Buffer.alloc(10);
      h.writeInt16BE(apiKey, 0);
      h.writeInt16BE(version, 2);
      h.writeInt32BE(Math.floor(next() * 2 ** 31), 4);
      h.writeInt16BE(-1, 8); // null client id
      return h;
    };
    // 1. Pure noise, in several writes.
    const noise = [randomBytes(next, 1500), randomBytes(next, 3000), randomBytes(next, 64)];
    await sendAndSeeIfClosed(setup.port, noise, 300);
    await assertStillServing(t, setup);
    // 2. Well-framed noise: plausible sizes, random contents (random api keys and versions, mostly unknown).
    const frames: Buffer[] = [];
    for (let i = 0; i < 20; i++) frames.push(framed(randomBytes(next, 10 + Math.floor(next() * 300))));
    await sendAndSeeIfClosed(setup.port, frames, 300);
    await assertStillServing(t, setup);
    // 3. Valid headers of real APIs and versions with random bodies: every decoder's error paths, one frame per
    //    connection so every frame is actually decoded (a rejected frame closes its connection).
    const outcomes = { closed: 0, answered: 0, neither: 0 };
    for (let i = 0; i < 36; i++) {
      const [apiKey, min, max] = FUZZED_APIS[i % FUZZED_APIS.length]!;
      const version = min + Math.floor(next() * (max - min + 1));
      const body = randomBytes(next, Math.floor(next() * 200));
      const outcome = await sendAndObserve(setup.port, framed(Buffer.concat([header(apiKey, version), body])), 100);
      if (outcome.answered > 0) outcomes.answered++;
      else if (outcome.closed) outcomes.closed++;
      else outcomes.neither++;
    }
    t.log(`random bodies behind valid headers: ${JSON.stringify(outcomes)}`);
    await assertStillServing(t, setup);
    // 4. Random bytes cut at random points, then a clean close from our side.
    for (let i = 0; i < 5; i++) {
      const client = await RawClient.connect(setup.port);
      client.write(randomBytes(next, 1 + Math.floor(next() * 40)));
      client.end();
      await client.waitForClose(1000);
      await client.close();
    }
    await assertStillServing(t, setup);
  });
}

test('a truncated frame followed by a close is dropped quietly', async (t) => {
  const setup = await inProcessBroker(t);
  const client = await RawClient.connect(setup.port);
  const frame = client.encode(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  await client.close();
  const cuts = [1, 2, 3, 4, 5, 9, frame.length - 1];
  for (const cut of cuts) {
    const c = await RawClient.connect(setup.port);
    c.write(frame.subarray(0, cut));
    await sleep(20); // let the broker buffer the partial frame before the FIN arrives
    c.end();
    t.true(await c.waitForClose(2000), `connection with ${cut} of ${frame.length} bytes was not closed after our FIN`);
    t.is(c.received.length, 0);
  }
  // Same, but the client resets instead of closing cleanly, with the frame body half sent.
  const big = await RawClient.connect(setup.port);
  const produce = big.encode(ApiKey.Produce, 9, RawClient.produceBody(TOPIC, { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(200_000, 7) }]) }));
  big.write(produce.subarray(0, 100_000));
  await sleep(20);
  big.socket.resetAndDestroy();
  await big.closed;
  await assertStillServing(t, setup);
  // Nothing from the truncated produce was stored: only the round trips' records are there.
  const end = await setup.observer.offset(TOPIC, 0);
  const fetched = await setup.observer.fetch(TOPIC, 0, 0);
  t.false(fetched.responses[0]!.partitions[0]!.records!.includes(Buffer.alloc(64, 7)));
  t.true(end >= 1);
});

/** The 'closing connection' line the broker logs for this client. */
function closingLine(logs: string[], client: RawClient): Promise<LogLine> {
  const peer = client.localPeer;
  return waitForLogLine(logs, (line) => line.msg === 'closing connection' && line.peer === peer);
}

test('a 2 GiB size prefix closes the connection with a log line naming the peer and the reason', async (t) => {
  const setup = await processBroker(t);
  const client = await RawClient.connect(setup.port);
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(0x7fffffff);
  client.write(Buffer.concat([prefix, Buffer.alloc(64, 1)]));
  t.true(await client.waitForClose(5000), 'connection was not closed');
  const line = await closingLine(setup.logs, client);
  t.regex(String(line.reason), /frame size 2147483647 exceeds socket\.request\.max\.bytes/);
  t.is(line.level, 40);
  await assertStillServing(t, setup);
});

test('a negative size prefix closes the connection with a log line naming the peer and the reason', async (t) => {
  const setup = await processBroker(t);
  for (const size of [-1, -2147483648]) {
    const client = await RawClient.connect(setup.port);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(size);
    client.write(Buffer.concat([prefix, Buffer.alloc(16, 0)]));
    t.true(await client.waitForClose(5000), `size ${size}: connection was not closed`);
    const line = await closingLine(setup.logs, client);
    t.is(line.reason, `negative frame size ${size}`);
  }
  await assertStillServing(t, setup);
});

test('a size prefix too small for a request header closes the connection', async (t) => {
  const setup = await inProcessBroker(t);
  for (const size of [0, 4, 9]) {
    t.true(await sendAndSeeIfClosed(setup.port, framed(Buffer.alloc(size, 0)), 2000), `size ${size}: connection was not closed`);
  }
  await assertStillServing(t, setup);
});

test('an unknown API key closes the connection with a log line naming the peer and the key', async (t) => {
  const setup = await processBroker(t);
  const client = await RawClient.connect(setup.port);
  const unknown = client.encodeRaw(9999, 0, Buffer.alloc(0));
  const apiVersions = client.prepare(ApiKey.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
  // A request behind the bad one in the same write is not answered: the connection is gone.
  client.write([unknown, apiVersions.frame]);
  t.true(await client.waitForClose(5000), 'connection was not closed');
  await t.throwsAsync(apiVersions.response);
  const line = await closingLine(setup.logs, client);
  t.regex(String(line.reason), /api key 9999/);
  // A negative API key and another key no Kafka version defines are refused the same way.
  for (const key of [-1, 1000]) {
    const other = await RawClient.connect(setup.port);
    other.write(other.encodeRaw(key, 0, Buffer.alloc(4)));
    t.true(await other.waitForClose(5000), `api key ${key}: connection was not closed`);
    t.regex(String((await closingLine(setup.logs, other)).reason), new RegExp(`api key ${key}\\b`));
  }
  await assertStillServing(t, setup);
});

test('a frame above socket.request.max.bytes closes the connection; one just below is served', async (t) => {
  const limit = 1024 * 1024;
  const setup = await inProcessBroker(t, { 'socket.request.max.bytes': limit });
  // A real produce request of 1.5 MiB.
  const client = await RawClient.connect(setup.port);
  const huge = client.prepare(ApiKey.Produce, 9, RawClient.produceBody(TOPIC, { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(1536 * 1024, 1) }]) }));
  t.true(huge.frame.length - 4 > limit);
  client.write(huge.frame);
  t.true(await client.waitForClose(5000), 'connection was not closed');
  await t.throwsAsync(huge.response);
  // Just the size prefix, one byte over the limit: rejected before any body arrives.
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(limit + 1);
  t.true(await sendAndSeeIfClosed(setup.port, prefix, 5000));
  // A 900 KiB produce fits.
  const before = await setup.observer.offset(TOPIC, 0);
  const fits = await setup.observer.produce(TOPIC, { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(900 * 1024, 2) }]) });
  t.is(fits.responses[0]!.partitionResponses[0]!.errorCode, 0);
  t.is(fits.responses[0]!.partitionResponses[0]!.baseOffset, before);
  await assertStillServing(t, setup);
});
