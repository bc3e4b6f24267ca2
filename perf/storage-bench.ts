// Storage benchmark: PartitionLog append throughput with 1 KiB and 1 MiB batches against the raw sequential
// write speed of the same disk measured in the same run, printed as a ratio (medians of 3 runs).
// acks=1 vs acks=-1 produce throughput through the broker is measured by perf/produce-bench.ts.
//
//   npm run build && node dist/perf/storage-bench.js [--mib 512]
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PartitionLog } from '../src/storage/partition-log.js';
import { simpleBatch } from '../test/helpers/batch-builder.js';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '512' }, runs: { type: 'string', default: '3' } } });
const TOTAL = Number(values.mib) * 1024 * 1024;
const RUNS = Number(values.runs);

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** MB/s writing `TOTAL` bytes in `chunk`-sized writes, one fdatasync at the end. */
function raw(dir: string, chunk: number): number {
  const path = join(dir, 'raw.bin');
  const buf = Buffer.alloc(chunk, 7);
  const fd = openSync(path, 'w');
  const started = performance.now();
  for (let done = 0; done < TOTAL; done += chunk) writeSync(fd, buf);
  fdatasyncSync(fd);
  const s = (performance.now() - started) / 1000;
  closeSync(fd);
  rmSync(path);
  return TOTAL / s / 1e6;
}

/** MB/s appending batches of about `batchBytes` to a PartitionLog, one flush at the end. */
function append(dir: string, batchBytes: number): number {
  const logDir = join(dir, 'bench-0');
  const batch = simpleBatch(1, { valueBytes: batchBytes - 80 });
  const log = PartitionLog.open(logDir, { segmentBytes: 1024 * 1024 * 1024, segmentMs: 7 * 24 * 3600 * 1000 });
  const started = performance.now();
  let done = 0;
  for (; done < TOTAL; done += batch.length) log.append(batch, 0, batch.length);
  log.flush();
  const s = (performance.now() - started) / 1000;
  log.delete();
  return done / s / 1e6;
}

const dir = mkdtempSync(join(tmpdir(), 'spate-storage-bench-'));
try {
  console.log('| batch | raw write MB/s | PartitionLog append MB/s | ratio |');
  console.log('|---|---|---|---|');
  for (const size of [1024, 1024 * 1024]) {
    const r: number[] = [];
    const a: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      r.push(raw(dir, size));
      a.push(append(dir, size));
    }
    const rm = median(r);
    const am = median(a);
    console.log(`| ${size === 1024 ? '1 KiB' : '1 MiB'} | ${rm.toFixed(0)} | ${am.toFixed(0)} | ${(am / rm).toFixed(2)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
