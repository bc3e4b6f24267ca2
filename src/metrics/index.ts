// Prometheus metrics and health endpoints (see the README's Metrics section).
export { BrokerMetrics, DEFAULT_COLLECTOR_OPTIONS, type TopicTraffic } from './registry.js';
export { BrokerCollectors, limitLagSeries, type CollectorOptions, type LagSeries, type LagSnapshot, type MetricsSources } from './collectors.js';
export { MetricsServer, type HttpRoutes, type MetricsEndpoint } from './http-server.js';
export { NO_METRICS, type MetricsRecorder } from './recorder.js';
export { LATENCY_BUCKETS, LatencyRecorder, createLatencyBuffer, createSharedLatencyBuffer, readLatency, type LatencySnapshot } from './latency-histogram.js';
