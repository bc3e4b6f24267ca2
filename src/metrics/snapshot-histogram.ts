// A Prometheus histogram whose buckets are kept elsewhere (a latency buffer, possibly shared with a worker
// thread) and read at scrape time. prom-client's Histogram only accepts observations one by one, so this is
// a small metric object of our own that a prom-client Registry can serialize next to its built-in types.
import type { Metric, Registry } from 'prom-client';
import { LATENCY_BUCKETS, type LatencySnapshot } from './latency-histogram.js';

export interface LabelledSnapshot {
  labels: Record<string, string>;
  snapshot: LatencySnapshot;
}

interface ExpositionValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

export class SnapshotHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #read: () => LabelledSnapshot[];

  constructor(options: { name: string; help: string; registry: Registry; read: () => LabelledSnapshot[] }) {
    this.name = options.name;
    this.help = options.help;
    this.#read = options.read;
    // The Registry only calls name, help, type and get(): the duck-typed contract of its metric classes.
    options.registry.registerMetric(this as unknown as Metric);
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ExpositionValue[] }> {
    const values: ExpositionValue[] = [];
    for (const { labels, snapshot } of this.#read()) {
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: LATENCY_BUCKETS[i]! }, value: snapshot.cumulative[i]! });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: snapshot.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: snapshot.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: snapshot.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    // Values live in the latency buffers; Registry.resetMetrics() has nothing to clear here.
  }
}
