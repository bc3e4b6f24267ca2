// The produce load: record batches built once per partition and sent again and again (a batch carries base
// offset 0 and its own CRC-32C, both still valid on every resend: the broker assigns offsets), many Produce
// requests in flight on several connections. With --rate, batches are built fresh as messages fall due, each
// value stamped with its send time (the first 8 bytes, float64 wall-clock ms) for end-to-end latency.
import { randomBytes } from 'node:crypto';
import { ApiKey, type ProduceRequest, type ProduceResponse } from '../protocol/generated/index.js';
import { buildRecordBatch, KafkaResponseError, partitionForKey, type ProducerRecord, type TopicInfo } from '../client/index.js';
import { LatencyHistogram } from './histogram.js';
import { closeLanes, ensureTopic, myPartitions, openCluster, openLanes, type Lane } from './setup.js';
import type { BenchOptions, Progress, RawResult } from './types.js';
import { sleep, wallMs, Window, withTimeout } from './window.js';
import { asError } from '../errors.js';

/** Per-record overhead in a batch, roughly (length, attributes, deltas, key and value lengths, header count). */
const RECORD_OVERHEAD = 8;
const ALPHABET = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');

/** Printable random bytes: realistic for compression (about 6 bits of entropy per byte). */
export function payload(size: number): Buffer {
  const b = randomBytes(size);
  for (let i = 0; i < size; i++) b[i] = ALPHABET[b[i]! & 63]!;
  return b;
}

function keyLength(options: BenchOptions): number {
  return options.keys === 'none' ? 0 : 16;
}

export function recordsPerBatch(options: BenchOptions): number {
  return Math.max(1, Math.floor(options.batchBytes / (options.size + keyLength(options) + RECORD_OVERHEAD)));
}

class KeySource {
  #next = 0;
  constructor(private readonly mode: BenchOptions['keys']) {}
  key(): Buffer | null {
    if (this.mode === 'none') return null;
    if (this.mode === 'random') return payload(16);
    return Buffer.from(String(this.#next++).padStart(16, '0'));
  }
}

interface SendTarget {
  lane: Lane;
  window: Window;
  version: number;
}

export class ProduceSender {
  readonly histogram = new LatencyHistogram();
  failure: unknown = null;
  requests = 0;

  constructor(
    private readonly options: BenchOptions,
    private readonly topic: string,
    private readonly progress: Progress,
  ) {}

  /** Sends one batch to `partition` through `target`; latency is measured from `since` (default: now) to the ack. */
  async send(target: SendTarget, partition: number, batch: Buffer, records: number, since?: number): Promise<void> {
    const wait = target.window.acquire();
    if (wait !== undefined) await wait;
    const started = since ?? performance.now();
    const request: ProduceRequest = {
      transactionalId: null,
      acks: this.options.acks,
      timeoutMs: 30_000,
      topicData: [{ name: this.topic, partitionData: [{ index: partition, records: batch }] }],
    };
    this.requests++;
    const done = (): void => {
      this.histogram.recordMs(performance.now() - started);
      this.progress.messages += records;
      this.progress.bytes += records * this.options.size;
      this.progress.requests++;
      target.window.release();
    };
    const fail = (error: unknown): void => {
      this.failure ??= error;
      target.window.release();
    };
    if (this.options.acks === 0) {
      target.lane.connection.sendOnly(ApiKey.Produce, target.version, request).then(done, fail);
      return;
    }
    target.lane.connection.request<ProduceResponse>(ApiKey.Produce, target.version, request, { timeoutMs: 90_000 }).then((response) => {
      const p = response.responses[0]?.partitionResponses[0];
      if (p === undefined) return fail(new Error(`produce to ${this.topic}-${partition}: the response names no partition`));
      if (p.errorCode !== 0) return fail(new KafkaResponseError(p.errorCode, `producing to ${this.topic}-${partition}`, p.errorMessage));
      done();
    }, fail);
  }
}

/** Batches for each partition, built once: records whose keys hash to that partition when keys are on. */
function buildTemplates(options: BenchOptions, info: TopicInfo, partitions: readonly number[]): Map<number, Buffer> {
  const perBatch = recordsPerBatch(options);
  const value = payload(options.size);
  const templates = new Map<number, Buffer>();
  if (options.keys === 'none') {
    const records: ProducerRecord[] = Array.from({ length: perBatch }, () => ({ value }));
    const batch = buildRecordBatch(records, { compression: options.compression });
    for (const p of partitions) templates.set(p, batch);
    return templates;
  }
  const keys = new KeySource(options.keys);
  const buckets = new Map<number, ProducerRecord[]>(partitions.map((p) => [p, []]));
  const total = info.partitions.length;
  let missing = partitions.length;
  const limit = perBatch * total * 20 + 1000;
  for (let i = 0; i < limit && missing > 0; i++) {
    const key = keys.key()!;
    const bucket = buckets.get(partitionForKey(key, total));
    if (bucket === undefined || bucket.length >= perBatch) continue;
    bucket.push({ key, value });
    if (bucket.length === perBatch) missing--;
  }
  for (const [p, records] of buckets) {
    if (records.length === 0) records.push({ key: keys.key(), value });
    templates.set(p, buildRecordBatch(records, { compression: options.compression }));
  }
  return templates;
}

function tailBatch(template: Buffer, n: number, options: BenchOptions, cache: Map<number, Buffer>): Buffer {
  let b = cache.get(n);
  if (b === undefined) {
    const value = payload(options.size);
    const keys = new KeySource(options.keys);
    b = buildRecordBatch(Array.from({ length: n }, () => ({ key: keys.key(), value })), { compression: options.compression });
    cache.set(n, b);
  }
  void template;
  return b;
}


/** Runs the produce workload (throughput, or fixed rate with --rate); returns once every request is answered. */
export async function runProduce(options: BenchOptions, progress: Progress, onStart?: () => void): Promise<RawResult> {
  const cluster = await openCluster(options);
  let lanes: Lane[] = [];
  try {
    const info = await ensureTopic(cluster, options);
    const partitions = myPartitions(info, options);
    lanes = await openLanes(cluster, info, partitions, options.connections);
    const sender = new ProduceSender(options, options.topic, progress);
    const targets: SendTarget[] = lanes.map((lane) => ({ lane, window: new Window(options.inFlight), version: lane.connection.version(ApiKey.Produce) }));
    if (options.compression === 'zstd' && targets.some((t) => t.version < 7)) throw new Error('zstd needs Produce v7 or later');
    onStart?.();
    const started = performance.now();
    const deadline = started + options.timeoutMs;
    if (options.rate !== undefined) await produceAtRate(options, sender, targets, info, deadline);
    else await produceFlatOut(options, sender, targets, info, partitions, deadline);
    await withTimeout(Promise.all(targets.map((t) => t.window.drained())), Math.max(0, deadline - performance.now()) + 1000);
    if (sender.failure !== null) throw asError(sender.failure);
    if (targets.some((t) => t.window.used > 0)) throw new Error(`produce did not finish within ${options.timeoutMs} ms`);
    const seconds = (performance.now() - started) / 1000;
    return { messages: progress.messages, bytes: progress.bytes, seconds, requests: sender.requests, histogram: sender.histogram.encode() };
  } finally {
    closeLanes(lanes);
    cluster.close();
  }
}

async function produceFlatOut(options: BenchOptions, sender: ProduceSender, targets: SendTarget[], info: TopicInfo, partitions: readonly number[], deadline: number): Promise<void> {
  const perBatch = recordsPerBatch(options);
  const templates = buildTemplates(options, info, partitions);
  const tails = new Map<number, Buffer>();
  let remaining = options.messages ?? (options.durationMs !== undefined ? Number.POSITIVE_INFINITY : 1_000_000);
  const stopAt = options.durationMs !== undefined ? performance.now() + options.durationMs : Number.POSITIVE_INFINITY;
  const lane = async (target: SendTarget, index: number): Promise<void> => {
    const ps = target.lane.partitions;
    for (let i = index; sender.failure === null; i++) {
      const now = performance.now();
      if (remaining <= 0 || now >= stopAt || now >= deadline) return;
      const n = Math.min(perBatch, remaining);
      remaining -= n;
      const p = ps[i % ps.length]!;
      const template = templates.get(p)!;
      await sender.send(target, p, n === perBatch ? template : tailBatch(template, n, options, tails), n);
    }
  };
  await Promise.all(targets.map((t, i) => lane(t, i)));
}

async function produceAtRate(options: BenchOptions, sender: ProduceSender, targets: SendTarget[], info: TopicInfo, deadline: number): Promise<void> {
  const rate = options.rate!;
  const perBatch = recordsPerBatch(options);
  const total = options.messages ?? Math.round((rate * (options.durationMs ?? 10_000)) / 1000);
  const keys = new KeySource(options.keys);
  const filler = payload(options.size);
  const partitionCount = info.partitions.length;
  const mine = new Set(myPartitions(info, options));
  const laneOf = new Map<number, SendTarget[]>();
  for (const t of targets) for (const p of t.lane.partitions) laneOf.set(p, [...(laneOf.get(p) ?? []), t]);
  const allMine = [...mine];
  let roundRobin = 0;
  let laneTurn = 0;
  const started = performance.now();
  let scheduled = 0;
  const tick = Math.max(1, options.lingerMs);
  for (let loops = 0; scheduled < total && sender.failure === null && loops < 100_000_000; loops++) {
    const now = performance.now();
    if (now >= deadline) return;
    let due = Math.min(total, Math.floor(((now - started) / 1000) * rate)) - scheduled;
    while (due > 0) {
      const n = Math.min(due, perBatch);
      const intended = started + (scheduled / rate) * 1000;
      const stamp = wallMs();
      const byPartition = new Map<number, ProducerRecord[]>();
      for (let i = 0; i < n; i++) {
        const value = Buffer.allocUnsafe(options.size);
        filler.copy(value);
        if (options.size >= 8) value.writeDoubleLE(stamp, 0);
        const key = keys.key();
        let p: number;
        if (key !== null) {
          p = partitionForKey(key, partitionCount);
          if (!mine.has(p)) p = allMine[roundRobin++ % allMine.length]!;
        } else {
          p = allMine[roundRobin % allMine.length]!;
        }
        const list = byPartition.get(p);
        if (list === undefined) byPartition.set(p, [{ key, value }]);
        else list.push({ key, value });
      }
      if (options.keys === 'none') roundRobin++;
      for (const [p, records] of byPartition) {
        const candidates = laneOf.get(p)!;
        const target = candidates[laneTurn++ % candidates.length]!;
        void sender.send(target, p, buildRecordBatch(records, { compression: options.compression }), records.length, intended);
      }
      scheduled += n;
      due -= n;
    }
    await sleep(tick);
  }
}
