// The broker's Prometheus metrics: the registry the request path reports into and the collectors that read the
// broker's state at scrape time (see the README's Metrics section).
export { BrokerMetrics, DEFAULT_COLLECTOR_OPTIONS, type TopicTraffic } from './broker-metrics.js';
export { BrokerCollectors, limitLagSeries, type CollectorOptions, type LagSeries, type LagSnapshot, type MetricsSources } from './collectors.js';
