// Produce benchmark: 1 KiB messages from one KafkaJS producer and from kcat against a Spate broker process,
// plus produce latency at low load, with the disk's sequential write speed measured in the same run as the
// baseline. Prints a table of medians over several runs.
//
//   npm run build && node dist/perf/produce-bench.js [--runs 3] [--messages 100000]
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { startBrokerProcess } from '../test/helpers/broker.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    messages: { type: 'string', default: '100000' },
    'latency-samples': { type: 'string', default: '2000' },
  },
});
const RUNS = Number(values.runs);
const MESSAGES = Number(values.messages);
const LATENCY_SAMPLES = Number(values['latency-samples']);
const MESSAGE_BYTES = 1024;
const BATCH = 1000;
const IN_FLIGHT = 4;

interface Throughput {
  msgsPerSec: number;
  mbPerSec: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Sequential write speed of the same disk, 1 MiB writes and one fdatasync at the end. */
function diskBaseline(dir: string, bytes: number): number {
  const path = join(dir, 'baseline.bin');
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const fd = openSync(path, 'w');
  const started = performance.now();
  for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk);
  fdatasyncSync(fd);
  const seconds = (performance.now() - started) / 1000;
  closeSync(fd);
  rmSync(path);
  return bytes / seconds / 1e6;
}

async function kafkajsThroughput(producer: Producer, topic: string, acks: number): Promise<Throughput> {
  const value = Buffer.alloc(MESSAGE_BYTES, 'x');
  const batches = Math.ceil(MESSAGES / BATCH);
  let next = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < batches) {
      const b = next++;
      await producer.send({ topic, acks, messages: Array.from({ length: BATCH }, (_, i) => ({ key: String(b * BATCH + i), value })) });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const seconds = (performance.now() - started) / 1000;
  return { msgsPerSec: (batches * BATCH) / seconds, mbPerSec: (batches * BATCH * MESSAGE_BYTES) / seconds / 1e6 };
}

function kcatThroughput(bootstrap: string, topic: string, inputFile: string, acks: number): Throughput {
  const started = performance.now();
  const result = spawnSync('kcat', ['-P', '-b', bootstrap, '-t', topic, '-X', `acks=${acks}`, '-X', 'linger.ms=5', '-l', inputFile], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`kcat exited with ${result.status}`);
  const seconds = (performance.now() - started) / 1000;
  return { msgsPerSec: MESSAGES / seconds, mbPerSec: (MESSAGES * MESSAGE_BYTES) / seconds / 1e6 };
}

async function latency(producer: Producer, topic: string, acks: number): Promise<{ p50: number; p99: number }> {
  const value = Buffer.alloc(MESSAGE_BYTES, 'y');
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const started = performance.now();
    await producer.send({ topic, acks, messages: [{ value }] });
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function main(): Promise<void> {
  execFileSync('kcat', ['-V'], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'spate-bench-'));
  const inputFile = join(dir, 'messages.txt');
  // kcat reads one message per line: 1023 printable bytes plus the newline make 1 KiB lines, 1023 B values.
  writeFileSync(inputFile, `${'m'.repeat(MESSAGE_BYTES - 1)}\n`.repeat(MESSAGES));
  const rows: Record<string, number[]> = {};
  const add = (name: string, value: number): void => {
    (rows[name] ??= []).push(value);
  };
  for (let run = 0; run < RUNS; run++) {
    const dataDir = join(dir, `data-${run}`);
    add('disk sequential write, MB/s (baseline)', diskBaseline(dir, 512 * 1024 * 1024));
    const broker = await startBrokerProcess(dataDir);
    try {
      const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'bench', logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [1, 2, 3, 4, 5].map((n) => ({ topic: `bench-${n}`, numPartitions: 6 })) });
      await admin.disconnect();
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      for (const acks of [1, -1]) {
        const t = await kafkajsThroughput(producer, acks === 1 ? 'bench-1' : 'bench-2', acks);
        add(`KafkaJS 1 KiB acks=${acks}, msg/s`, t.msgsPerSec);
        add(`KafkaJS 1 KiB acks=${acks}, MB/s`, t.mbPerSec);
      }
      for (const acks of [1, -1]) {
        const t = kcatThroughput(broker.bootstrap, acks === 1 ? 'bench-3' : 'bench-4', inputFile, acks);
        add(`kcat 1 KiB acks=${acks}, msg/s`, t.msgsPerSec);
        add(`kcat 1 KiB acks=${acks}, MB/s`, t.mbPerSec);
      }
      for (const acks of [1, -1]) {
        const l = await latency(producer, 'bench-5', acks);
        add(`KafkaJS produce latency acks=${acks}, p50 ms`, l.p50);
        add(`KafkaJS produce latency acks=${acks}, p99 ms`, l.p99);
      }
      await producer.disconnect();
    } finally {
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const baseline = median(rows['disk sequential write, MB/s (baseline)']!);
  console.log(`\nproduce benchmark: ${MESSAGES} x ${MESSAGE_BYTES} B messages, medians of ${RUNS} runs, node ${process.version}\n`);
  console.log('| measurement | median | runs | vs disk |');
  console.log('|---|---|---|---|');
  for (const [name, list] of Object.entries(rows)) {
    const m = median(list);
    const ratio = name.includes('MB/s') ? `${((m / baseline) * 100).toFixed(0)}%` : '';
    const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(2));
    console.log(`| ${name} | ${fmt(m)} | ${list.map(fmt).join(', ')} | ${ratio} |`);
  }
}

await main();
