// Admin against data plane: the produce latency one KafkaJS producer sees on an existing topic while another
// client creates a topic with many partitions, and the broker's open file descriptors afterwards. Prints a table.
//
//   npm run build && node dist/perf/admin-stall-bench.js [--partitions 2000,10000] [--workers 1]
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { startBrokerProcess, temporaryDir } from '../test/helpers/broker.js';

const { values } = parseArgs({
  options: {
    partitions: { type: 'string', default: '2000,10000' },
    workers: { type: 'string', default: '1' },
    'max-broker-partitions': { type: 'string', default: '200000' },
    // For builds from before the caps existed (they reject unknown properties).
    'no-caps': { type: 'boolean', default: false },
  },
});
const COUNTS = values.partitions.split(',').map(Number);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

interface Row {
  partitions: number;
  createMs: number;
  createError: string;
  sends: number;
  p50: number;
  p99: number;
  max: number;
  fds: number;
}

async function measure(partitions: number): Promise<Row> {
  const dir = temporaryDir('spate-admin-stall-');
  const broker = await startBrokerProcess(dir.path, [
    '--workers',
    values.workers,
    // Both caps out of the way so the bench can show what an uncapped create costs.
    ...(values['no-caps'] ? [] : ['--override', `max.broker.partitions=${values['max-broker-partitions']}`, '--override', 'max.partitions.per.request=200000']),
  ]);
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'admin-stall', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'steady', numPartitions: 1 }] });
    await producer.connect();
    for (let i = 0; i < 20; i++) await producer.send({ topic: 'steady', acks: -1, messages: [{ value: 'warm-up' }] });

    let creating = true;
    const latencies: number[] = [];
    const sender = (async () => {
      while (creating) {
        const started = performance.now();
        await producer.send({ topic: 'steady', acks: -1, messages: [{ value: 'during create' }] });
        latencies.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const started = performance.now();
    let createError = '';
    try {
      await admin.createTopics({ topics: [{ topic: 'huge', numPartitions: partitions }], timeout: 600_000 });
    } catch (error) {
      createError = (error as Error).message;
    }
    const createMs = performance.now() - started;
    creating = false;
    await sender;
    const fds = readdirSync(`/proc/${broker.child.pid!}/fd`).length;
    latencies.sort((a, b) => a - b);
    return { partitions, createMs, createError, sends: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN, fds };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await broker.kill();
    dir.remove();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const count of COUNTS) rows.push(await measure(count));
  console.log(`\nadmin stall: acks=-1 produce to a 1-partition topic while CreateTopics makes one topic; ${values.workers} worker(s), node ${process.version}\n`);
  console.log('| partitions created | create ms | produce requests during it | p50 ms | p99 ms | max ms | broker fds after | create error |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.partitions} | ${r.createMs.toFixed(0)} | ${r.sends} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.fds} | ${r.createError || '-'} |`);
  }
}

await main();
