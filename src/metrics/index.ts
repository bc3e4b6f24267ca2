// The metrics leaf: what the request path reports into (MetricsRecorder), latency histograms that cross
// threads, and the HTTP endpoint that serves /metrics, /health and /ready (and the routes others mount on it,
// such as the console). It imports nothing of the broker; the Prometheus registry and the collectors that read
// broker state live beside the broker (src/broker/metrics/).
export { MetricsServer, type HttpRoutes, type MetricsEndpoint } from './http-server.js';
export { NO_METRICS, type MetricsRecorder } from './recorder.js';
export { LATENCY_BUCKETS, LatencyRecorder, createLatencyBuffer, createSharedLatencyBuffer, readLatency, type LatencySnapshot } from './latency-histogram.js';
