// Running a workload: in this process, or fanned out over --processes children (this same command forked with a
// shard index) whose raw results and HDR histograms are merged. Prints a live progress line on a TTY and a final
// summary always; writes the JSON result file when asked.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { runConsume } from './consume.js';
import { runE2e } from './e2e.js';
import { LatencyHistogram } from './histogram.js';
import { runProduce } from './produce.js';
import { ensureTopic, openCluster } from './setup.js';
import { Progress, type BenchOptions, type BenchResult, type RawResult, type Workload } from './types.js';

export async function runWorkloadRaw(workload: Workload, options: BenchOptions, progress: Progress): Promise<RawResult> {
  switch (workload) {
    case 'produce':
      return runProduce(options, progress);
    case 'consume':
      return runConsume(options, progress, { start: 'earliest', maxWaitMs: 500, ...(options.messages !== undefined ? { target: options.messages } : {}) });
    case 'e2e':
      return runE2e(options, progress);
  }
}

function share(total: number | undefined, index: number, count: number): number | undefined {
  if (total === undefined) return undefined;
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}

/** The options one child of `count` runs with. */
export function shardOptions(options: BenchOptions, index: number, count: number): BenchOptions {
  const messages = share(options.messages, index, count);
  return {
    ...options,
    ...(messages !== undefined ? { messages } : {}),
    ...(options.rate !== undefined ? { rate: options.rate / count } : {}),
    shard: { index, count },
  };
}

interface ChildMessage {
  type: 'progress' | 'result' | 'error';
  messages?: number;
  bytes?: number;
  requests?: number;
  raw?: RawResult;
  error?: string;
}

/** In a forked child: run the shard and report progress and the raw result over IPC. */
export async function runAsChild(workload: Workload, options: BenchOptions): Promise<void> {
  const progress = new Progress();
  const timer = setInterval(() => process.send?.({ type: 'progress', messages: progress.messages, bytes: progress.bytes, requests: progress.requests } satisfies ChildMessage), 500);
  try {
    const raw = await runWorkloadRaw(workload, options, progress);
    await new Promise<void>((resolve) => process.send!({ type: 'result', raw } satisfies ChildMessage, () => resolve()));
  } catch (error) {
    await new Promise<void>((resolve) => process.send!({ type: 'error', error: error instanceof Error ? error.message : String(error) } satisfies ChildMessage, () => resolve()));
  } finally {
    clearInterval(timer);
    process.disconnect?.();
  }
}

/** Forks `count` children running `childArgs` plus their shard index, and merges their results. */
async function runForked(count: number, childArgs: (index: number) => string[], progress: Progress, timeoutMs: number): Promise<RawResult[]> {
  const children = Array.from({ length: count }, (_, i) => fork(process.argv[1]!, childArgs(i), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const seen = children.map(() => ({ messages: 0, bytes: 0, requests: 0 }));
  const kill = (): void => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  process.once('exit', kill);
  try {
    return await Promise.all(
      children.map(
        (child, i) =>
          new Promise<RawResult>((resolve, reject) => {
            let result: RawResult | null = null;
            let failure: string | null = null;
            const timer = setTimeout(() => {
              child.kill('SIGKILL');
              reject(new Error(`bench process ${i} did not finish within ${timeoutMs} ms`));
            }, timeoutMs);
            child.on('message', (m: ChildMessage) => {
              if (m.type === 'progress') {
                progress.messages += m.messages! - seen[i]!.messages;
                progress.bytes += m.bytes! - seen[i]!.bytes;
                progress.requests += m.requests! - seen[i]!.requests;
                seen[i] = { messages: m.messages!, bytes: m.bytes!, requests: m.requests! };
              } else if (m.type === 'result') {
                result = m.raw!;
              } else {
                failure = m.error!;
              }
            });
            child.once('exit', (code) => {
              clearTimeout(timer);
              if (result !== null) resolve(result);
              else reject(new Error(`bench process ${i} failed: ${failure ?? `exit code ${code}`}`));
            });
          }),
      ),
    );
  } finally {
    kill();
    process.removeListener('exit', kill);
  }
}

export interface RunOptions {
  processes: number;
  json?: string;
  /** Arguments for a forked child, given its index (the CLI rebuilds its own command line). */
  childArgs: (index: number) => string[];
  /** Print the progress line and the summary (default true). */
  print?: boolean;
}

export function summarise(workload: Workload, options: BenchOptions, raws: readonly RawResult[], processes: number): BenchResult {
  const histogram = new LatencyHistogram();
  for (const r of raws) histogram.merge(LatencyHistogram.decode(r.histogram));
  const messages = raws.reduce((s, r) => s + r.messages, 0);
  const bytes = raws.reduce((s, r) => s + r.bytes, 0);
  const seconds = Math.max(...raws.map((r) => r.seconds));
  const { shard: _shard, bootstrap: _bootstrap, topic: _topic, ...config } = options;
  return {
    workload,
    topic: options.topic,
    messages,
    bytes,
    seconds,
    msgsPerSec: seconds > 0 ? messages / seconds : 0,
    mbPerSec: seconds > 0 ? bytes / seconds / 1e6 : 0,
    latencyMs: histogram.summary(),
    requests: raws.reduce((s, r) => s + r.requests, 0),
    processes,
    config,
  };
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

export function formatSummary(r: BenchResult): string {
  const l = r.latencyMs;
  const what = r.workload === 'e2e' ? 'end-to-end latency' : r.workload === 'consume' ? 'fetch latency' : 'produce latency';
  return (
    `${r.workload}: ${r.messages.toLocaleString('en-US')} messages, ${(r.bytes / 1e6).toFixed(1)} MB in ${r.seconds.toFixed(2)} s: ` +
    `${fmt(r.msgsPerSec)} msg/s, ${r.mbPerSec.toFixed(1)} MB/s (${r.requests} requests, ${r.processes} process${r.processes === 1 ? '' : 'es'})\n` +
    `${what} ms: p50 ${l.p50.toFixed(3)}  p95 ${l.p95.toFixed(3)}  p99 ${l.p99.toFixed(3)}  p99.9 ${l.p999.toFixed(3)}  max ${l.max.toFixed(3)}\n`
  );
}

/** Runs a workload end to end: topic setup, the load (here or forked), progress, summary and JSON. */
export async function runBench(workload: Workload, options: BenchOptions, run: RunOptions): Promise<BenchResult> {
  const print = run.print ?? true;
  if (run.processes > 1 && workload === 'e2e') throw new Error('e2e runs in one process (--processes 1): its producer and consumer share a clock and a histogram');
  const cluster = await openCluster(options);
  try {
    await ensureTopic(cluster, options);
  } finally {
    cluster.close();
  }
  const progress = new Progress();
  let ticker: NodeJS.Timeout | null = null;
  if (print && process.stderr.isTTY) {
    ticker = setInterval(() => {
      const s = (performance.now() - progress.startedAt) / 1000;
      process.stderr.write(`\r${workload}: ${progress.messages.toLocaleString('en-US')} msgs, ${fmt(progress.messages / s)} msg/s, ${(progress.bytes / s / 1e6).toFixed(1)} MB/s, ${s.toFixed(0)} s   `);
    }, 1000);
  }
  let raws: RawResult[];
  try {
    raws = run.processes > 1 ? await runForked(run.processes, run.childArgs, progress, options.timeoutMs + 30_000) : [await runWorkloadRaw(workload, options, progress)];
  } finally {
    if (ticker !== null) {
      clearInterval(ticker);
      process.stderr.write('\n');
    }
  }
  const result = summarise(workload, options, raws, run.processes);
  if (print) process.stdout.write(formatSummary(result));
  if (run.json !== undefined) writeFileSync(run.json, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
