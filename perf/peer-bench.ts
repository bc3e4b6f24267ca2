// The peers' side of perf/compare.ts, driven by their fastest Node clients and reporting the same JSON as
// `spate bench`: Redis Streams through ioredis (pipelined XADD, XRANGE, XREAD BLOCK) and NATS JetStream through
// the nats package (async publish with many acks outstanding, ordered consumers).
//
//   node dist/perf/peer-bench.js redis|nats produce|consume|e2e --port P [--messages N] [--size B] [--rate R --duration S] --json FILE
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { connect, DeliverPolicy, StorageType, type NatsConnection } from 'nats';
import { LatencyHistogram } from '../src/bench/histogram.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    messages: { type: 'string', default: '100000' },
    size: { type: 'string', default: '100' },
    rate: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    pipeline: { type: 'string', default: '1000' },
    'in-flight': { type: 'string', default: '8' },
    stream: { type: 'string', default: 'bench' },
    json: { type: 'string' },
  },
});
const [system, workload] = positionals;
const PORT = Number(values.port);
const MESSAGES = Number(values.messages);
const SIZE = Number(values.size);
const RATE = Number(values.rate);
const DURATION_MS = Number(values.duration) * 1000;
const PIPELINE = Number(values.pipeline);
const IN_FLIGHT = Number(values['in-flight']);
const STREAM = values.stream;
const DEADLINE = performance.now() + 10 * 60_000;

function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

function value(): Buffer {
  return Buffer.alloc(SIZE, 'v');
}

interface Outcome {
  messages: number;
  bytes: number;
  seconds: number;
  histogram: LatencyHistogram;
}

function checkDeadline(): void {
  if (performance.now() > DEADLINE) throw new Error('peer bench ran past its 10 minute limit');
}

async function redisProduce(redis: Redis): Promise<Outcome> {
  const h = new LatencyHistogram();
  const v = value();
  let next = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < MESSAGES) {
      checkDeadline();
      const n = Math.min(PIPELINE, MESSAGES - next);
      next += n;
      const p = redis.pipeline();
      for (let i = 0; i < n; i++) p.xadd(STREAM, '*', 'v', v);
      const t0 = performance.now();
      const results = await p.exec();
      if (results === null || results.some(([e]) => e !== null)) throw new Error('XADD failed');
      h.recordMs(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return { messages: MESSAGES, bytes: MESSAGES * SIZE, seconds: (performance.now() - started) / 1000, histogram: h };
}

async function redisConsume(redis: Redis): Promise<Outcome> {
  const h = new LatencyHistogram();
  let count = 0;
  let bytes = 0;
  let start = '-';
  const total = await redis.xlen(STREAM);
  const started = performance.now();
  while (count < total) {
    checkDeadline();
    const t0 = performance.now();
    const entries = (await redis.xrangeBuffer(STREAM, start, '+', 'COUNT', 10_000)) as Array<[Buffer, Buffer[]]>;
    h.recordMs(performance.now() - t0);
    if (entries.length === 0) break;
    for (const [, fields] of entries) bytes += fields[1]?.length ?? 0;
    count += entries.length;
    start = `(${entries[entries.length - 1]![0].toString()}`;
  }
  return { messages: count, bytes, seconds: (performance.now() - started) / 1000, histogram: h };
}

async function redisE2e(producer: Redis, consumer: Redis): Promise<Outcome> {
  const h = new LatencyHistogram();
  const total = Math.round((RATE * DURATION_MS) / 1000);
  let received = 0;
  let producing = true;
  const last = (await producer.xrevrange(STREAM, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
  const reader = (async () => {
    let id = last;
    while (received < total && (producing || performance.now() < DEADLINE)) {
      checkDeadline();
      const r = (await consumer.xreadBuffer('COUNT', 10_000, 'BLOCK', 100, 'STREAMS', STREAM, id)) as Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
      const at = wallMs();
      if (r === null) {
        if (!producing) break;
        continue;
      }
      for (const [, entries] of r) {
        for (const [eid, fields] of entries) {
          h.recordMs(at - fields[1]!.readDoubleLE(0));
          received++;
          id = eid.toString();
        }
      }
    }
  })();
  const started = performance.now();
  let sent = 0;
  const filler = value();
  for (let loops = 0; sent < total && loops < 10_000_000; loops++) {
    checkDeadline();
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE)) - sent;
    if (due > 0) {
      const p = producer.pipeline();
      const stamp = wallMs();
      for (let i = 0; i < due; i++) {
        const v = Buffer.from(filler);
        v.writeDoubleLE(stamp, 0);
        p.xadd(STREAM, '*', 'v', v);
      }
      void p.exec();
      sent += due;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  producing = false;
  await reader;
  return { messages: received, bytes: received * SIZE, seconds: (performance.now() - started) / 1000, histogram: h };
}

async function natsEnsureStream(nc: NatsConnection): Promise<void> {
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.streams.info(STREAM);
  } catch {
    await jsm.streams.add({ name: STREAM, subjects: [`${STREAM}.>`], storage: StorageType.File });
  }
}

async function natsProduce(nc: NatsConnection): Promise<Outcome> {
  await natsEnsureStream(nc);
  const js = nc.jetstream();
  const h = new LatencyHistogram();
  const v = value();
  const window = PIPELINE;
  let next = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < MESSAGES) {
      checkDeadline();
      next++;
      const t0 = performance.now();
      await js.publish(`${STREAM}.x`, v);
      h.recordMs(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return { messages: MESSAGES, bytes: MESSAGES * SIZE, seconds: (performance.now() - started) / 1000, histogram: h };
}

async function natsConsume(nc: NatsConnection): Promise<Outcome> {
  await natsEnsureStream(nc);
  const jsm = await nc.jetstreamManager();
  const total = (await jsm.streams.info(STREAM)).state.messages;
  const js = nc.jetstream();
  const consumer = await js.consumers.get(STREAM);
  const h = new LatencyHistogram();
  let count = 0;
  let bytes = 0;
  const started = performance.now();
  const lastAt = started;
  // Pull in batches: fetch up to 10,000 messages at a time until the stream's count is reached.
  for (let rounds = 0; count < total && rounds < 100_000; rounds++) {
    checkDeadline();
    const t0 = performance.now();
    const batch = await consumer.fetch({ max_messages: 10_000, expires: 2000 });
    let got = 0;
    for await (const m of batch) {
      count++;
      got++;
      bytes += m.data.length;
    }
    h.recordMs(performance.now() - t0);
    if (got === 0) break;
    void lastAt;
  }
  return { messages: count, bytes, seconds: (performance.now() - started) / 1000, histogram: h };
}

async function natsE2e(nc: NatsConnection): Promise<Outcome> {
  await natsEnsureStream(nc);
  const js = nc.jetstream();
  const total = Math.round((RATE * DURATION_MS) / 1000);
  const consumer = await js.consumers.get(STREAM, { deliver_policy: DeliverPolicy.New });
  const h = new LatencyHistogram();
  let received = 0;
  const messages = await consumer.consume({ max_messages: 10_000 });
  const guard = setTimeout(() => messages.stop(), DURATION_MS + 60_000);
  const reader = (async () => {
    for await (const m of messages) {
      h.recordMs(wallMs() - Buffer.from(m.data.buffer, m.data.byteOffset, m.data.length).readDoubleLE(0));
      if (++received >= total) break;
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  const started = performance.now();
  let sent = 0;
  const filler = value();
  const pending: Array<Promise<unknown>> = [];
  for (let loops = 0; sent < total && loops < 10_000_000; loops++) {
    checkDeadline();
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE)) - sent;
    const stamp = wallMs();
    for (let i = 0; i < due; i++) {
      const v = Buffer.from(filler);
      v.writeDoubleLE(stamp, 0);
      pending.push(js.publish(`${STREAM}.x`, v));
    }
    sent += Math.max(0, due);
    if (pending.length > 10_000) await Promise.all(pending.splice(0));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  await reader;
  clearTimeout(guard);
  return { messages: received, bytes: received * SIZE, seconds: (performance.now() - started) / 1000, histogram: h };
}

async function main(): Promise<void> {
  let outcome: Outcome;
  if (system === 'redis') {
    const redis = new Redis({ host: '127.0.0.1', port: PORT, lazyConnect: true, maxRetriesPerRequest: 1, enableAutoPipelining: false });
    const second = new Redis({ host: '127.0.0.1', port: PORT, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await second.connect();
    try {
      if (workload === 'produce') outcome = await redisProduce(redis);
      else if (workload === 'consume') outcome = await redisConsume(redis);
      else outcome = await redisE2e(redis, second);
    } finally {
      redis.disconnect();
      second.disconnect();
    }
  } else if (system === 'nats') {
    const nc = await connect({ servers: `127.0.0.1:${PORT}`, timeout: 10_000 });
    try {
      if (workload === 'produce') outcome = await natsProduce(nc);
      else if (workload === 'consume') outcome = await natsConsume(nc);
      else outcome = await natsE2e(nc);
    } finally {
      await nc.close();
    }
  } else {
    throw new Error(`unknown system ${system}`);
  }
  const result = {
    workload,
    messages: outcome.messages,
    bytes: outcome.bytes,
    seconds: outcome.seconds,
    msgsPerSec: outcome.messages / outcome.seconds,
    mbPerSec: outcome.bytes / outcome.seconds / 1e6,
    latencyMs: outcome.histogram.summary(),
  };
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
}

await main();
