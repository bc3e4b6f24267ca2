// The consume load: one Fetch in flight per connection, each connection owning a share of the partitions,
// large fetch sizes. Throughput mode counts records from the batch headers without decoding them (the client
// cost stays out of the broker's figure); the e2e consumer decodes every record to read its send time.
import { ApiKey, type FetchRequest, type FetchResponse } from '../protocol/generated/index.js';
import { ZERO_UUID } from '../protocol/reader.js';
import { decodeRecordBatches, KafkaResponseError, listOffsets } from '../client/index.js';
import { LatencyHistogram } from './histogram.js';
import { closeLanes, ensureTopic, myPartitions, openCluster, openLanes, type Lane } from './setup.js';
import type { BenchOptions, Progress, RawResult } from './types.js';
import { wallMs } from './window.js';

const BATCH_HEADER_BYTES = 61;
const ATTR_CONTROL = 0x20;
const OFFSET_OUT_OF_RANGE = 1;

/** Records at or after `position` in whole batches of a fetched `records` field, the next offset, and the bytes. */
export function countRecords(data: Buffer | null, position: number): { records: number; nextOffset: number; bytes: number } {
  let records = 0;
  let nextOffset = position;
  let bytes = 0;
  if (data === null) return { records, nextOffset, bytes };
  let pos = 0;
  while (pos + BATCH_HEADER_BYTES <= data.length) {
    const size = data.readInt32BE(pos + 8) + 12;
    if (size < BATCH_HEADER_BYTES || pos + size > data.length) break;
    const base = data.readInt32BE(pos) * 4294967296 + data.readUInt32BE(pos + 4);
    const next = base + data.readInt32BE(pos + 23) + 1;
    const control = (data.readInt16BE(pos + 21) & ATTR_CONTROL) !== 0;
    if (next > nextOffset) {
      if (!control) records += Math.min(data.readInt32BE(pos + 57), next - Math.max(base, nextOffset));
      nextOffset = next;
    }
    bytes += size;
    pos += size;
  }
  return { records, nextOffset, bytes };
}

export interface ConsumeSettings {
  /** Where each partition starts. */
  start: 'earliest' | 'latest';
  /** Stop at this many records (undefined: at the end offsets seen at start). */
  target?: number;
  /** Decode every record and call this with its value (e2e). */
  onValue?: (value: Buffer | null, receivedAt: number) => void;
  /** Stop when this resolves true (checked between fetches). */
  stop?: () => boolean;
  maxWaitMs: number;
}

/** Opens the lanes and resolves the start (and, without a target, end) offsets, then fetches until done. */
export async function runConsume(options: BenchOptions, progress: Progress, settings: ConsumeSettings, onReady?: () => void): Promise<RawResult> {
  const cluster = await openCluster(options);
  let lanes: Lane[] = [];
  try {
    const info = await ensureTopic(cluster, options);
    const partitions = myPartitions(info, options);
    const positions = await listOffsets(cluster, options.topic, partitions, settings.start);
    const ends = settings.target === undefined && settings.start === 'earliest' ? await listOffsets(cluster, options.topic, partitions, 'latest') : null;
    const target = settings.target ?? (ends === null ? Number.POSITIVE_INFINITY : partitions.reduce((sum, p) => sum + Math.max(0, ends.get(p)! - positions.get(p)!), 0));
    lanes = await openLanes(cluster, info, partitions, Math.min(options.connections, partitions.length));
    const histogram = new LatencyHistogram();
    let requests = 0;
    let consumed = 0;
    const started = performance.now();
    const deadline = started + options.timeoutMs;
    onReady?.();
    const done = (): boolean => consumed >= target || performance.now() >= deadline || (settings.stop?.() ?? false);
    const lane = async (l: Lane): Promise<void> => {
      const version = l.connection.version(ApiKey.Fetch);
      const partitionMaxBytes = Math.max(1024 * 1024, options.batchBytes * 4);
      for (let round = 0; round < 10_000_000 && !done(); round++) {
        const active = l.partitions.filter((p) => ends === null || positions.get(p)! < ends.get(p)!);
        if (active.length === 0) return;
        const request: FetchRequest = {
          replicaId: -1,
          maxWaitMs: settings.maxWaitMs,
          minBytes: 1,
          maxBytes: 64 * 1024 * 1024,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic: options.topic,
              topicId: ZERO_UUID,
              partitions: active.map((p) => ({ partition: p, currentLeaderEpoch: -1, fetchOffset: positions.get(p)!, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes })),
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        };
        const sent = performance.now();
        const response = await l.connection.request<FetchResponse>(ApiKey.Fetch, version, request, { timeoutMs: settings.maxWaitMs + 60_000 });
        const receivedAt = wallMs();
        requests++;
        progress.requests++;
        if (settings.onValue === undefined) histogram.recordMs(performance.now() - sent);
        if (response.errorCode !== 0) throw new KafkaResponseError(response.errorCode, 'fetching');
        for (const t of response.responses) {
          for (const p of t.partitions) {
            const position = positions.get(p.partitionIndex);
            if (position === undefined) continue;
            if (p.errorCode === OFFSET_OUT_OF_RANGE) throw new KafkaResponseError(p.errorCode, `fetching ${t.topic}-${p.partitionIndex} at ${position}`);
            if (p.errorCode !== 0) throw new KafkaResponseError(p.errorCode, `fetching ${t.topic}-${p.partitionIndex}`);
            if (settings.onValue !== undefined) {
              const decoded = decodeRecordBatches(p.records, position);
              for (const r of decoded.records) settings.onValue(r.value, receivedAt);
              consumed += decoded.records.length;
              progress.messages += decoded.records.length;
              progress.bytes += p.records?.length ?? 0;
              if (decoded.nextOffset > position) positions.set(p.partitionIndex, decoded.nextOffset);
            } else {
              const counted = countRecords(p.records, position);
              consumed += counted.records;
              progress.messages += counted.records;
              progress.bytes += counted.bytes;
              if (counted.nextOffset > position) positions.set(p.partitionIndex, counted.nextOffset);
            }
          }
        }
      }
    };
    await Promise.all(lanes.map(lane));
    if (consumed < target && settings.stop === undefined && performance.now() >= deadline) {
      throw new Error(`consumed ${consumed} of ${target} messages within ${options.timeoutMs} ms`);
    }
    const seconds = (performance.now() - started) / 1000;
    return { messages: consumed, bytes: progress.bytes, seconds, requests, histogram: histogram.encode() };
  } finally {
    closeLanes(lanes);
    cluster.close();
  }
}
