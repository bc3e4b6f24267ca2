// What the console reads from the broker object itself, because no Kafka API gives it (Spate serves no
// DescribeLogDirs, and Kafka has no API for throughput): the partition log sizes the workers report and the
// produce/fetch byte and record counters the metrics registry keeps. Everything else goes through the Kafka
// port with Spate's own client.
import type { Broker } from '../broker/broker.js';
import type { BrokerMetrics } from '../broker/metrics/index.js';

export interface TrafficTotals {
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
}

export interface ConsoleBrokerView {
  /** The Kafka listener the console's client connects to. */
  readonly bootstrap: string;
  readonly dataDir: string;
  /** Host the HTTP port listens on (decides whether Host headers must be loopback names). */
  readonly httpHost: string;
  readonly sampleIntervalMs: number;
  /** Totals over every topic since the broker started. */
  trafficTotals(): TrafficTotals;
  /** Log size in bytes of each partition, looked up by topic and partition (undefined: not known). */
  partitionSizes(): Promise<(topic: string, partition: number) => number | undefined>;
}

export function consoleBrokerView(broker: Broker, metrics: BrokerMetrics): ConsoleBrokerView {
  const registry = broker.context.registry;
  return {
    bootstrap: broker.bootstrap,
    dataDir: broker.config.dataDir,
    httpHost: broker.config.host,
    sampleIntervalMs: Number(broker.config.properties['console.sample.interval.ms']),
    trafficTotals() {
      const totals: TrafficTotals = { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 };
      for (const t of metrics.topicTraffic().values()) {
        totals.bytesIn += t.bytesIn;
        totals.bytesOut += t.bytesOut;
        totals.messagesIn += t.messagesIn;
        totals.messagesOut += t.messagesOut;
      }
      return totals;
    },
    async partitionSizes() {
      const sizes = await metrics.partitionSizes();
      return (topic, partition) => {
        const state = registry.partition(topic, partition);
        return state === undefined ? undefined : sizes.get(state.id);
      };
    },
  };
}
