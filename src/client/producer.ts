// Producing: records are spread over partitions (explicit partition, else murmur2 of the key as Kafka's
// default partitioner does, else round robin), built into one batch per partition and sent in one Produce
// request per leader. Retriable partition errors are retried after a metadata refresh.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey, type ProduceRequest, type ProduceResponse } from '../protocol/generated/index.js';
import type { Cluster } from './cluster.js';
import { ClientError, KafkaResponseError, invalidArgument } from './errors.js';
import { buildRecordBatch, type Compression, type ProducerRecord } from './records.js';

export type Acks = 0 | 1 | -1;

export interface ProducerOptions {
  /** Default -1 (all in-sync replicas). */
  acks?: Acks;
  /** Default none. */
  compression?: Compression;
  /** How long the broker may wait for acks; default 30 s. */
  timeoutMs?: number;
  /** Attempts for a retriable error; default 5. */
  retries?: number;
}

export interface ProduceMessage extends ProducerRecord {
  partition?: number;
}

export interface PartitionResult {
  topic: string;
  partition: number;
  /** Offset of the first record, or -1 with acks=0. */
  baseOffset: number;
  recordCount: number;
}

/** Kafka's murmur2 (the Java client's default partitioner hash). */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}

export class Producer {
  readonly #cluster: Cluster;
  readonly #acks: Acks;
  readonly #compression: Compression;
  readonly #timeoutMs: number;
  readonly #retries: number;
  #roundRobin = 0;

  constructor(cluster: Cluster, options: ProducerOptions = {}) {
    this.#cluster = cluster;
    this.#acks = options.acks ?? -1;
    this.#compression = options.compression ?? 'none';
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retries = options.retries ?? 5;
    if (![0, 1, -1].includes(this.#acks)) throw invalidArgument(`acks must be 0, 1 or -1 (all), not ${String(options.acks)}`);
  }

  /** Sends `messages` to `topic`; resolves once every partition's batch is acknowledged. */
  async send(topic: string, messages: readonly ProduceMessage[]): Promise<PartitionResult[]> {
    if (messages.length === 0) return [];
    const info = await this.#cluster.topic(topic);
    const count = info.partitions.length;
    const byPartition = new Map<number, ProducerRecord[]>();
    for (const message of messages) {
      let partition = message.partition;
      if (partition === undefined) {
        const key = message.key ?? null;
        if (key !== null) partition = partitionForKey(typeof key === 'string' ? Buffer.from(key, 'utf8') : key, count);
        else partition = this.#roundRobin++ % count;
      } else if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
        throw new KafkaResponseError(3, `partition ${topic}-${partition} (the topic has ${count})`);
      }
      const list = byPartition.get(partition);
      if (list === undefined) byPartition.set(partition, [message]);
      else list.push(message);
    }
    const batches = new Map<number, { batch: Buffer; records: number }>();
    for (const [partition, records] of byPartition) {
      batches.set(partition, { batch: buildRecordBatch(records, { compression: this.#compression }), records: records.length });
    }
    return this.sendBatches(topic, batches);
  }

  /** Sends pre-built record batches (one per partition), e.g. from a load generator. */
  async sendBatches(topic: string, batches: ReadonlyMap<number, { batch: Buffer; records: number }>): Promise<PartitionResult[]> {
    const results: PartitionResult[] = [];
    let remaining = new Map(batches);
    for (let attempt = 0; remaining.size > 0; attempt++) {
      const failed = new Map<number, { batch: Buffer; records: number }>();
      const byLeader = new Map<number, number[]>();
      for (const partition of remaining.keys()) {
        const leader = await this.#cluster.leaderFor(topic, partition);
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
      }
      await Promise.all(
        [...byLeader].map(async ([leader, partitions]) => {
          const outcome = await this.#produceTo(leader, topic, partitions.map((p) => ({ partition: p, ...remaining.get(p)! })));
          for (const r of outcome) {
            if (r.error === null) {
              results.push(r.result);
            } else if (r.error.retriable && attempt + 1 < this.#retries) {
              failed.set(r.result.partition, remaining.get(r.result.partition)!);
            } else {
              throw r.error;
            }
          }
        }),
      );
      if (failed.size > 0) {
        this.#cluster.invalidate(topic);
        await sleep(Math.min(100 * 2 ** attempt, 1000));
      }
      remaining = failed;
    }
    return results.sort((a, b) => a.partition - b.partition);
  }

  async #produceTo(
    leader: number,
    topic: string,
    items: Array<{ partition: number; batch: Buffer; records: number }>,
  ): Promise<Array<{ result: PartitionResult; error: KafkaResponseError | null }>> {
    const connection = await this.#cluster.connectionTo(leader);
    const version = connection.version(ApiKey.Produce);
    if (this.#compression === 'zstd' && version < 7) {
      throw new ClientError('SPATE_CLIENT_UNSUPPORTED', `zstd needs Produce v7 or later; broker ${connection.address} speaks up to v${version}`);
    }
    const request: ProduceRequest = {
      transactionalId: null,
      acks: this.#acks,
      timeoutMs: this.#timeoutMs,
      topicData: [{ name: topic, partitionData: items.map((i) => ({ index: i.partition, records: i.batch })) }],
    };
    if (this.#acks === 0) {
      await connection.sendOnly(ApiKey.Produce, version, request);
      return items.map((i) => ({ result: { topic, partition: i.partition, baseOffset: -1, recordCount: i.records }, error: null }));
    }
    const response = await connection.request<ProduceResponse>(ApiKey.Produce, version, request, { timeoutMs: this.#timeoutMs + connection.requestTimeoutMs });
    const out: Array<{ result: PartitionResult; error: KafkaResponseError | null }> = [];
    for (const item of items) {
      const p = response.responses.find((t) => t.name === topic)?.partitionResponses.find((x) => x.index === item.partition);
      const result = { topic, partition: item.partition, baseOffset: p?.baseOffset ?? -1, recordCount: item.records };
      if (p === undefined) {
        out.push({ result, error: new KafkaResponseError(-1, `producing to ${topic}-${item.partition}`, 'the response left this partition out') });
      } else if (p.errorCode !== 0) {
        const detail = p.errorMessage ?? p.recordErrors.map((e) => e.batchIndexErrorMessage).find((m) => m) ?? null;
        out.push({ result, error: new KafkaResponseError(p.errorCode, `producing to ${topic}-${item.partition}`, detail) });
      } else {
        out.push({ result, error: null });
      }
    }
    return out;
  }
}
