// Scrape-time collectors: values that already live somewhere (topic registry, worker pool, group coordinator,
// rings, the workers' fsync histograms) are read when Prometheus asks, never pushed on the data path.
// A scrape first awaits prepare() (the only asynchronous reads: partition sizes from the workers and the group
// list), then the gauges' collect functions read the prepared values synchronously.
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';
import type { TopicRegistry } from '../topic-registry.js';
import type { GroupCoordinator, PartitionLag } from '../../group/index.js';
import type { PartitionWorkerPool } from '../../partition/partition-workers.js';
import { readLatency } from '../../metrics/latency-histogram.js';
import { SnapshotHistogram } from '../../metrics/snapshot-histogram.js';
import { registerStorageMetrics } from './storage-collectors.js';

/** What the collectors read. */
export interface MetricsSources {
  readonly registry: TopicRegistry;
  readonly workers: PartitionWorkerPool;
  readonly groups: GroupCoordinator;
  connectionCount(): number;
  /** Bytes held against the network front-end's broker-wide request and response budgets. */
  queuedBytes(): { requests: number; responses: number };
}

export interface CollectorOptions {
  /** Most per-partition consumer-lag series in one scrape; beyond it groups are reported as totals only. */
  maxLagSeries: number;
  /** How long partition sizes fetched from the workers are reused. */
  sizeCacheMs: number;
}

/** A control-plane describe slower than this keeps the previous sizes rather than stalling the scrape. */
const DESCRIBE_TIMEOUT_MS = 2000;

export class BrokerCollectors {
  readonly #sources: MetricsSources;
  readonly #options: CollectorOptions;
  readonly #sizes: PartitionSizes;
  readonly #eventLoop: ELDHistogram;
  #lag: LagSnapshot = { series: [], groupTotals: [], dropped: 0 };

  constructor(registry: Registry, sources: MetricsSources, options: CollectorOptions) {
    this.#sources = sources;
    this.#options = options;
    this.#sizes = new PartitionSizes(sources.workers, options.sizeCacheMs);
    this.#eventLoop = monitorEventLoopDelay({ resolution: 10 });
    this.#eventLoop.enable();
    this.#registerPartitionGauges(registry);
    this.#registerLagGauges(registry);
    this.#registerWorkerMetrics(registry);
    registerStorageMetrics(registry, sources.workers.health, sources.registry.dataDir);
    this.#registerProcessGauges(registry);
  }

  /** The asynchronous part of a scrape; call before serializing the registry. */
  async prepare(): Promise<void> {
    const [, lag] = await Promise.all([this.#sizes.refresh(this.#sources.registry), this.#collectLag()]);
    this.#lag = lag;
  }

  /** Partition sizes by partition id, refreshed from the workers when the cache is older than its limit. */
  async partitionSizes(): Promise<ReadonlyMap<number, number>> {
    await this.#sizes.refresh(this.#sources.registry);
    return this.#sizes.current;
  }

  close(): void {
    this.#eventLoop.disable();
  }

  #registerPartitionGauges(registry: Registry): void {
    const sources = this.#sources;
    const sizes = this.#sizes;
    const labelNames = ['topic', 'partition'] as const;
    new Gauge({
      name: 'spate_log_start_offset',
      help: 'First offset still stored in the partition (the front-end cache, as Fetch and ListOffsets see it).',
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const topic of sources.registry.topics) {
          for (const p of topic.partitions) this.set({ topic: topic.name, partition: p.index }, p.logStartOffset);
        }
      },
    });
    new Gauge({
      name: 'spate_log_end_offset',
      help: 'Offset the next appended record gets (high watermark; single broker, so the same thing).',
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const topic of sources.registry.topics) {
          for (const p of topic.partitions) this.set({ topic: topic.name, partition: p.index }, p.highWatermark);
        }
      },
    });
    new Gauge({
      name: 'spate_log_size_bytes',
      help: 'Bytes of the partition log segments, from the owning worker (cached for a few seconds).',
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        const known = sizes.current;
        for (const topic of sources.registry.topics) {
          for (const p of topic.partitions) {
            const size = known.get(p.id);
            if (size !== undefined) this.set({ topic: topic.name, partition: p.index }, size);
          }
        }
      },
    });
  }

  #registerLagGauges(registry: Registry): void {
    const self = this;
    new Gauge({
      name: 'spate_consumer_lag',
      help: 'Records between a group\'s committed offset and the partition\'s log end offset.',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of self.#lag.series) this.set({ group: s.group, topic: s.topic, partition: s.partition }, s.lag);
      },
    });
    new Gauge({
      name: 'spate_consumer_group_lag',
      help: 'Total lag of a group over every partition it has committed offsets for.',
      labelNames: ['group'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [group, lag] of self.#lag.groupTotals) this.set({ group }, lag);
      },
    });
    new Gauge({
      name: 'spate_metrics_series_dropped',
      help: 'Series left out of the last scrape to bound label cardinality (those groups appear in spate_consumer_group_lag only).',
      labelNames: ['metric'] as const,
      registers: [registry],
      collect() {
        this.set({ metric: 'spate_consumer_lag' }, self.#lag.dropped);
      },
    });
  }

  async #collectLag(): Promise<LagSnapshot> {
    const { groups, registry } = this.#sources;
    const listed = groups.listGroups();
    const ids = listed.groups.map((g) => g.groupId).sort();
    const hwm = (topic: string, partition: number): number | undefined => registry.partition(topic, partition)?.highWatermark;
    return limitLagSeries(
      ids.map((groupId) => ({ groupId, lags: groups.groupLag(groupId, hwm) })),
      this.#options.maxLagSeries,
    );
  }

  #registerWorkerMetrics(registry: Registry): void {
    const workers = this.#sources.workers;
    const workerIndexes = (): number[] => Array.from({ length: workers.workerCount }, (_, i) => i);
    new Gauge({
      name: 'spate_worker_up',
      help: '1 while the partition worker thread is alive, 0 after it died.',
      labelNames: ['worker'] as const,
      registers: [registry],
      collect() {
        for (const w of workerIndexes()) this.set({ worker: w }, workers.isAlive(w) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'spate_ring_occupancy_ratio',
      help: 'Bytes in use on a worker\'s ring divided by its capacity (request: front-end to worker; reply: back).',
      labelNames: ['worker', 'direction'] as const,
      registers: [registry],
      collect() {
        for (const w of workerIndexes()) {
          const o = workers.ringOccupancy(w);
          this.set({ worker: w, direction: 'request' }, o.requestUsedBytes / o.capacityBytes);
          this.set({ worker: w, direction: 'reply' }, o.replyUsedBytes / o.capacityBytes);
        }
      },
    });
    new SnapshotHistogram({
      name: 'spate_ring_wait_seconds',
      help: 'Time request frames waited in the front-end backlog for request-ring space (only frames that had to wait).',
      registry,
      read: () => workerIndexes().map((w) => ({ labels: { worker: String(w) }, snapshot: readLatency(workers.ringWaitLatency(w)) })),
    });
    new SnapshotHistogram({
      name: 'spate_fsync_duration_seconds',
      help: 'Duration of each partition fdatasync issued by a worker (acks=-1 group commit and flush.messages/flush.ms).',
      registry,
      read: () => workerIndexes().map((w) => ({ labels: { worker: String(w) }, snapshot: readLatency(workers.fsyncLatency(w)) })),
    });
  }

  #registerProcessGauges(registry: Registry): void {
    const sources = this.#sources;
    const eventLoop = this.#eventLoop;
    new Gauge({
      name: 'spate_open_connections',
      help: 'Client connections open on the Kafka listener.',
      registers: [registry],
      collect() {
        this.set(sources.connectionCount());
      },
    });
    new Gauge({
      name: 'spate_network_queued_bytes',
      help: 'Bytes held against queued.max.request.bytes (budget="requests") and queued.max.response.bytes (budget="responses").',
      labelNames: ['budget'] as const,
      registers: [registry],
      collect() {
        const queued = sources.queuedBytes();
        this.set({ budget: 'requests' }, queued.requests);
        this.set({ budget: 'responses' }, queued.responses);
      },
    });
    new Gauge({
      name: 'spate_event_loop_delay_seconds',
      help: 'Main-thread event-loop delay since the previous scrape (perf_hooks.monitorEventLoopDelay, 10 ms resolution).',
      labelNames: ['stat'] as const,
      registers: [registry],
      collect() {
        const seconds = (ns: number): number => (Number.isFinite(ns) ? ns / 1e9 : 0);
        const empty = eventLoop.count === 0;
        this.set({ stat: 'mean' }, empty ? 0 : seconds(eventLoop.mean));
        this.set({ stat: 'p50' }, empty ? 0 : seconds(eventLoop.percentile(50)));
        this.set({ stat: 'p99' }, empty ? 0 : seconds(eventLoop.percentile(99)));
        this.set({ stat: 'max' }, empty ? 0 : seconds(eventLoop.max));
        eventLoop.reset();
      },
    });
  }
}

/** Partition sizes from the workers' control-plane describe, refreshed at most every `cacheMs`. */
class PartitionSizes {
  readonly #workers: PartitionWorkerPool;
  readonly #cacheMs: number;
  #sizes = new Map<number, number>();
  #fetchedAt = -Infinity;
  #inFlight: Promise<void> | null = null;

  constructor(workers: PartitionWorkerPool, cacheMs: number) {
    this.#workers = workers;
    this.#cacheMs = cacheMs;
  }

  /** Sizes by partition id, as of the last refresh. */
  get current(): ReadonlyMap<number, number> {
    return this.#sizes;
  }

  async refresh(registry: TopicRegistry): Promise<void> {
    if (performance.now() - this.#fetchedAt < this.#cacheMs) return;
    this.#inFlight ??= this.#fetch(registry).finally(() => {
      this.#inFlight = null;
    });
    await this.#inFlight;
  }

  async #fetch(registry: TopicRegistry): Promise<void> {
    const byWorker: number[][] = Array.from({ length: this.#workers.workerCount }, () => []);
    for (const topic of registry.topics) for (const p of topic.partitions) byWorker[p.worker]?.push(p.id);
    const next = new Map<number, number>();
    await Promise.all(
      byWorker.map(async (ids, worker) => {
        if (ids.length === 0 || !this.#workers.isAlive(worker)) return;
        try {
          const described = await withTimeout(this.#workers.control(worker, (c) => c.describe(ids)), DESCRIBE_TIMEOUT_MS);
          for (const d of described) next.set(d.partitionId, d.sizeBytes);
        } catch {
          // A busy or dying worker: keep what we knew rather than fail the scrape.
          for (const id of ids) {
            const previous = this.#sizes.get(id);
            if (previous !== undefined) next.set(id, previous);
          }
        }
      }),
    );
    this.#sizes = next;
    this.#fetchedAt = performance.now();
  }
}

export interface LagSeries {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

export interface LagSnapshot {
  /** Per-partition series, at most the cap. */
  series: LagSeries[];
  /** Every group's total lag, whatever the cap. */
  groupTotals: Array<[string, number]>;
  /** Per-partition series left out by the cap. */
  dropped: number;
}

/**
 * Bounds lag cardinality: groups (in the given order) contribute their per-partition series while the whole
 * group fits under `maxSeries`; from the first group that does not fit on, groups are reported as totals only,
 * so a group is never shown half. Partitions whose log end is unknown (deleted topics) are skipped.
 */
export function limitLagSeries(groups: Array<{ groupId: string; lags: PartitionLag[] }>, maxSeries: number): LagSnapshot {
  const out: LagSnapshot = { series: [], groupTotals: [], dropped: 0 };
  let full = false;
  for (const { groupId, lags } of groups) {
    const known = lags.filter((l): l is PartitionLag & { lag: number } => l.lag !== null);
    out.groupTotals.push([groupId, known.reduce((sum, l) => sum + l.lag, 0)]);
    if (!full && out.series.length + known.length <= maxSeries) {
      for (const l of known) out.series.push({ group: groupId, topic: l.topic, partition: l.partition, lag: l.lag });
    } else {
      full = true;
      out.dropped += known.length;
    }
  }
  return out;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
