// What the request path reports to metrics. The broker hands handlers a no-op recorder when metrics are off,
// so the hot path never checks a flag.

export interface MetricsRecorder {
  /** One request of `apiKey` took `seconds` from its frame to its response bytes. */
  request(apiKey: number, seconds: number): void;
  /** A produce batch (one whole v2 batch, already accepted) was appended to `topic`. */
  produced(topic: string, batch: Uint8Array): void;
  /** Fetch response records (stored batches) of `topic` are going out. */
  fetched(topic: string, records: Uint8Array): void;
}

export const NO_METRICS: MetricsRecorder = {
  request() {},
  produced() {},
  fetched() {},
};
