// A broker's Prometheus registry. The request path records into plain numbers (a latency buffer per API, a
// small record per topic): no label hashing, no allocation per request. Those numbers, and the scrape-time
// collectors, become Prometheus series only when /metrics is read.
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { apiDefinitions } from '../../protocol/generated/index.js';
import { BATCH_HEADER_BYTES, LAST_OFFSET_DELTA, LOG_OVERHEAD, BATCH_LENGTH, RECORD_COUNT, readInt32 } from '../../records/batch.js';
import { BrokerCollectors, type CollectorOptions, type MetricsSources } from './collectors.js';
import { createLatencyBuffer, LatencyRecorder, readLatency } from '../../metrics/latency-histogram.js';
import type { MetricsRecorder } from '../../metrics/recorder.js';
import { SnapshotHistogram } from '../../metrics/snapshot-histogram.js';

export interface TopicTraffic {
  bytesIn: number;
  messagesIn: number;
  bytesOut: number;
  messagesOut: number;
}

interface ApiLatency {
  name: string;
  buffer: ArrayBuffer;
  recorder: LatencyRecorder;
}

export const DEFAULT_COLLECTOR_OPTIONS: CollectorOptions = { maxLagSeries: 10_000, sizeCacheMs: 5000 };

export class BrokerMetrics implements MetricsRecorder {
  readonly registry = new Registry();
  readonly #apis: Array<ApiLatency | undefined> = [];
  readonly #topics = new Map<string, TopicTraffic>();
  readonly #collectors: BrokerCollectors;

  constructor(sources: MetricsSources, options: Partial<CollectorOptions> = {}) {
    this.#registerTrafficMetrics(sources);
    this.#collectors = new BrokerCollectors(this.registry, sources, { ...DEFAULT_COLLECTOR_OPTIONS, ...options });
  }

  request(apiKey: number, seconds: number): void {
    let api = this.#apis[apiKey];
    if (!api) {
      const buffer = createLatencyBuffer();
      api = { name: apiDefinitions[apiKey]?.name ?? `api_${apiKey}`, buffer, recorder: new LatencyRecorder(buffer) };
      this.#apis[apiKey] = api;
    }
    api.recorder.observe(seconds);
  }

  produced(topic: string, batch: Uint8Array): void {
    const t = this.#topic(topic);
    t.bytesIn += batch.length;
    if (batch.length >= BATCH_HEADER_BYTES) t.messagesIn += readInt32(batch, RECORD_COUNT);
  }

  fetched(topic: string, records: Uint8Array): void {
    if (records.length === 0) return;
    const t = this.#topic(topic);
    t.bytesOut += records.length;
    // Batch headers only: lastOffsetDelta + 1 per batch (records are never decoded).
    let position = 0;
    while (position + BATCH_HEADER_BYTES <= records.length) {
      t.messagesOut += readInt32(records, position + LAST_OFFSET_DELTA) + 1;
      position += LOG_OVERHEAD + readInt32(records, position + BATCH_LENGTH);
    }
  }

  /** The Prometheus text exposition: this broker's metrics, then the process's. */
  async scrape(): Promise<string> {
    await this.#collectors.prepare();
    const broker = await this.registry.metrics();
    const process = await processRegistry().metrics();
    return `${broker}\n${process}`;
  }

  /** Produce and Fetch totals per topic since the broker started (the web console's throughput charts). */
  topicTraffic(): ReadonlyMap<string, Readonly<TopicTraffic>> {
    return this.#topics;
  }

  /** Partition log sizes in bytes by partition id, from the workers (cached as for /metrics). */
  partitionSizes(): Promise<ReadonlyMap<number, number>> {
    return this.#collectors.partitionSizes();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.#collectors.close();
  }

  #topic(name: string): TopicTraffic {
    let t = this.#topics.get(name);
    if (!t) {
      t = { bytesIn: 0, messagesIn: 0, bytesOut: 0, messagesOut: 0 };
      this.#topics.set(name, t);
    }
    return t;
  }

  #registerTrafficMetrics(sources: MetricsSources): void {
    const apis = this.#apis;
    const topics = this.#topics;
    new Counter({
      name: 'spate_requests_total',
      help: 'Requests handled, by API.',
      labelNames: ['api'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const api of apis) if (api) this.inc({ api: api.name }, readLatency(api.buffer).count);
      },
    });
    new SnapshotHistogram({
      name: 'spate_request_duration_seconds',
      help: 'Time from a request frame to its response bytes being ready, by API (long-poll fetches include their wait).',
      registry: this.registry,
      read: () => apis.flatMap((api) => (api ? [{ labels: { api: api.name }, snapshot: readLatency(api.buffer) }] : [])),
    });
    const perTopic = (name: string, help: string, pick: (t: TopicTraffic) => number): void => {
      new Counter({
        name,
        help,
        labelNames: ['topic'] as const,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [topic, traffic] of topics) {
            // A deleted topic's series go away with it (a re-created topic starts again from zero).
            if (!sources.registry.get(topic)) {
              topics.delete(topic);
              continue;
            }
            this.inc({ topic }, pick(traffic));
          }
        },
      });
    };
    perTopic('spate_topic_bytes_in_total', 'Record-batch bytes appended by Produce, per topic.', (t) => t.bytesIn);
    perTopic('spate_topic_messages_in_total', 'Records appended by Produce, per topic (recordCount of each batch).', (t) => t.messagesIn);
    perTopic('spate_topic_bytes_out_total', 'Record-batch bytes returned by Fetch, per topic.', (t) => t.bytesOut);
    perTopic(
      'spate_topic_messages_out_total',
      'Records returned by Fetch, per topic; an estimate from batch headers (lastOffsetDelta + 1 per batch), which counts a whole batch even when the consumer skips its first records.',
      (t) => t.messagesOut,
    );
  }
}

let shared: Registry | null = null;

/** Default process metrics (CPU, memory, GC, handles, ...) are per process: one registry, created once. */
function processRegistry(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
