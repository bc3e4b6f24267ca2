// How long spate/testing takes a test suite: startBroker (with two declared topics), reset() after a test that
// produced to both topics and created a topic of its own, and close(). Run with
// `npm run build && node dist/perf/testing-kit-times.js [starts] [resets]`; prints medians and maxima.
import { startBroker } from '../src/testing/index.js';

const starts = Number(process.argv[2] ?? 10);
const resets = Number(process.argv[3] ?? 50);
const topics = [{ name: 'orders', partitions: 3 }, { name: 'invoices', partitions: 3 }];

function summary(label: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  return `${label}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (n=${sorted.length})`;
}

const startMs: number[] = [];
const closeMs: number[] = [];
for (let i = 0; i < starts; i++) {
  let t = performance.now();
  const broker = await startBroker({ topics });
  startMs.push(performance.now() - t);
  t = performance.now();
  await broker.close();
  closeMs.push(performance.now() - t);
}

const resetMs: number[] = [];
{
  await using broker = await startBroker({ topics });
  for (let i = 0; i < resets; i++) {
    await broker.produce('orders', [{ key: `k${i}`, value: 'order' }]);
    await broker.produce('invoices', [{ key: `k${i}`, value: 'invoice' }]);
    await broker.createTopic({ name: `scratch-${i}`, partitions: 1 });
    const t = performance.now();
    await broker.reset();
    resetMs.push(performance.now() - t);
  }
}
process.stdout.write(`${summary('startBroker', startMs)}\n${summary('reset', resetMs)}\n${summary('close', closeMs)}\n`);
