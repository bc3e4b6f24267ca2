// Many partitions: broker memory (RSS) and startup time after a clean stop and after SIGKILL, for a broker
// holding data in every partition. Prints a table.
//
//   npm run build && node dist/perf/partitions-bench.js [--partitions 1000,10000] [--messages-per-partition 20]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startBrokerProcess, type BrokerProcess } from '../test/helpers/broker.js';

const { values } = parseArgs({
  options: {
    partitions: { type: 'string', default: '1000,10000' },
    'messages-per-partition': { type: 'string', default: '20' },
  },
});
const COUNTS = values.partitions.split(',').map(Number);
const PER_PARTITION = Number(values['messages-per-partition']);
const PARTITIONS_PER_TOPIC = 100;

function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

async function timedStart(dataDir: string): Promise<{ broker: BrokerProcess; ms: number }> {
  const started = performance.now();
  const broker = await startBrokerProcess(dataDir);
  return { broker, ms: performance.now() - started };
}

async function fill(bootstrap: string, partitions: number): Promise<void> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'partitions-bench', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = Math.ceil(partitions / PARTITIONS_PER_TOPIC);
  for (let t = 0; t < topics; t += 10) {
    const batch = Array.from({ length: Math.min(10, topics - t) }, (_, i) => ({ topic: `many-${t + i}`, numPartitions: PARTITIONS_PER_TOPIC }));
    await admin.createTopics({ topics: batch, timeout: 120_000 });
  }
  await admin.disconnect();
  const producer: Producer = kafka.producer();
  await producer.connect();
  const value = Buffer.alloc(200, 'v');
  for (let t = 0; t < topics; t++) {
    const messages = [];
    for (let p = 0; p < PARTITIONS_PER_TOPIC; p++) for (let m = 0; m < PER_PARTITION; m++) messages.push({ partition: p, value });
    await producer.send({ topic: `many-${t}`, acks: 1, messages });
  }
  await producer.disconnect();
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const count of COUNTS) {
    const dir = mkdtempSync(join(tmpdir(), 'spate-partitions-'));
    try {
      const empty = await timedStart(dir);
      const idle = memoryMiB(empty.broker.child.pid!);
      await fill(empty.broker.bootstrap, count);
      const filled = memoryMiB(empty.broker.child.pid!);
      await empty.broker.stop();
      const clean = await timedStart(dir);
      const afterClean = memoryMiB(clean.broker.child.pid!);
      await clean.broker.kill();
      const unclean = await timedStart(dir);
      const recovered = unclean.broker.logs.filter((l) => l.includes('recovered partition log') || l.includes('cut ')).length;
      await unclean.broker.stop();
      rows.push(
        `| ${count} | ${idle.rss.toFixed(0)} | ${filled.rss.toFixed(0)} (peak ${filled.peak.toFixed(0)}) | ${afterClean.rss.toFixed(0)} | ${clean.ms.toFixed(0)} | ${unclean.ms.toFixed(0)} | ${recovered} |`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`\npartitions benchmark: ${PER_PARTITION} x 200 B messages per partition, 1 partition worker, node ${process.version}\n`);
  console.log('| partitions (+50 offsets) | RSS empty MiB | RSS after producing MiB | RSS after clean restart MiB | clean restart ms | restart after SIGKILL ms | partitions logged as repaired |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

await main();
