// End-to-end latency: a producer at a fixed rate (default 10,000 msg/s for 10 s) stamps each value with its send
// time; a consumer in the same process, started at the log end before the first send, records receipt time minus
// that stamp for every message.
import { runConsume } from './consume.js';
import { LatencyHistogram } from './histogram.js';
import { runProduce } from './produce.js';
import { Progress, type BenchOptions, type RawResult } from './types.js';

const GRACE_MS = 10_000;

export async function runE2e(options: BenchOptions, progress: Progress): Promise<RawResult> {
  if (options.size < 8) throw new Error('e2e needs --size 8 or more: the send time travels in the first 8 bytes of each value');
  const latency = new LatencyHistogram();
  let produced = -1;
  let graceUntil = Number.POSITIVE_INFINITY;
  let ready!: () => void;
  const consumerReady = new Promise<void>((resolve) => (ready = resolve));
  const consumer = runConsume(options, progress, {
    start: 'latest',
    maxWaitMs: 100,
    onValue: (value, receivedAt) => {
      if (value !== null && value.length >= 8) latency.recordMs(receivedAt - value.readDoubleLE(0));
    },
    stop: () => produced >= 0 && (progress.messages >= produced || performance.now() > graceUntil),
  }, ready);
  await Promise.race([consumerReady, consumer]);
  const produceOptions: BenchOptions = { ...options, rate: options.rate ?? 10_000, durationMs: options.durationMs ?? 10_000 };
  let producedResult: RawResult;
  try {
    producedResult = await runProduce(produceOptions, new Progress());
  } catch (error) {
    produced = 0;
    graceUntil = 0;
    await consumer.catch(() => undefined);
    throw error;
  }
  produced = producedResult.messages;
  graceUntil = performance.now() + GRACE_MS;
  const consumed = await consumer;
  if (consumed.messages < produced) throw new Error(`e2e: the consumer received ${consumed.messages} of ${produced} messages within ${GRACE_MS} ms of the last send`);
  return { messages: consumed.messages, bytes: consumed.messages * options.size, seconds: consumed.seconds, requests: producedResult.requests + consumed.requests, histogram: latency.encode() };
}
