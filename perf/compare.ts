// Side-by-side comparison: Spate against Redis Streams and NATS JetStream on this machine, with the machine's
// physical limits for context. Starts and stops every server itself (temp dirs, 127.0.0.1, free ports), runs the
// same workloads against each, prints a table with Spate/peer ratios, writes a Markdown report, a JSON file and an
// SVG chart under perf/results/, updates perf/RESULTS.md, and profiles the broker under the 100 B produce load.
//
//   npm run compare                 # full: medians of 3, about 15 minutes
//   npm run compare -- --quick      # reduced: one run, fewer messages and rows, about 2-3 minutes
//   options: --runs N, --no-peers, --no-profile, --no-install
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { summariseProfiles } from './profile-summary.js';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const CLI = join(ROOT, 'dist/src/cli/main.js');
const PEER = join(ROOT, 'dist/perf/peer-bench.js');
const RESULTS_DIR = join(ROOT, 'perf/results');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'no-peers': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    'no-install': { type: 'boolean', default: false },
  },
});
const QUICK = args.quick;
const RUNS = Number(args.runs ?? (QUICK ? 1 : 3));
const N_SMALL = QUICK ? 200_000 : 1_000_000;
const N_LARGE = QUICK ? 40_000 : 200_000;
const E2E_SECONDS = QUICK ? 3 : 10;
const E2E_RATE = 10_000;
const PARTITION_COUNTS = QUICK ? [1, 64, 1000] : [1, 6, 64, 1000];
const STEP_TIMEOUT_MS = (QUICK ? 1.5 : 5) * 60_000;
const PROFILE_SECONDS = QUICK ? 5 : 15;

// ---------------------------------------------------------------- processes and temp dirs, always cleaned up
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function cleanup(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}
process.on('exit', cleanup);
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
process.on('SIGTERM', () => {
  cleanup();
  process.exit(143);
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

function removeDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
  tempDirs.delete(d);
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs a command to completion (bounded), collecting output. */
function run(cmd: string, argv: string[], timeoutMs = STEP_TIMEOUT_MS): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = track(spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = netConnect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

interface Server {
  name: string;
  port: number;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess, dir: string | null): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  if (dir !== null) removeDir(dir);
}

// ---------------------------------------------------------------- servers
async function startSpate(workers: number, profileDir?: string): Promise<Server> {
  const dir = tempDir('spate-compare-');
  const node = [...(profileDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), CLI, 'start', '--port', '0', '--data-dir', dir, '--workers', String(workers), '--metrics-port', '-1', '--log-level', 'info'];
  const child = track(spawn(process.execPath, node, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const port = await new Promise<number>((resolveStart, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('spate did not start in 15 s')), 15_000);
    child.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.includes('"broker started"')) {
          clearTimeout(timer);
          resolveStart((JSON.parse(line) as { port: number }).port);
        }
      }
    });
    child.stderr!.resume();
    child.once('exit', (code) => reject(new Error(`spate exited with ${code} before it listened`)));
  });
  return { name: `spate(workers=${workers})`, port, stop: () => stopChild(child, dir) };
}

async function startRedis(fsync: 'no' | 'always'): Promise<Server> {
  const dir = tempDir('redis-compare-');
  const port = await freePort();
  const child = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', fsync, '--daemonize', 'no', '--protected-mode', 'no'], { stdio: 'ignore' }));
  await waitForPort(port);
  return { name: `redis(appendfsync ${fsync})`, port, stop: () => stopChild(child, dir) };
}

async function startNats(): Promise<Server> {
  const dir = tempDir('nats-compare-');
  const port = await freePort();
  const child = track(spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], { stdio: 'ignore' }));
  await waitForPort(port);
  return { name: 'nats', port, stop: () => stopChild(child, dir) };
}

// ---------------------------------------------------------------- peers installed?
function has(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

function ensurePeers(): { redis: string | null; nats: string | null } {
  const missing = ['redis-server', 'redis-benchmark', 'nats-server'].filter((b) => !has(b));
  const notes: { redis: string | null; nats: string | null } = { redis: null, nats: null };
  if (missing.length > 0 && !args['no-install']) {
    const packages = [...new Set(missing.map((b) => (b.startsWith('redis') ? 'redis-server' : 'nats-server')))];
    for (const pkg of packages) {
      const policy = spawnSync('apt-cache', ['policy', pkg], { encoding: 'utf8', timeout: 60_000 });
      if (!/Candidate: (?!\(none\))/.test(policy.stdout ?? '')) {
        console.log(`${pkg}: no installation candidate (apt-cache policy); skipping it`);
        continue;
      }
      console.log(`installing ${pkg} ...`);
      spawnSync('apt-get', ['install', '-y', pkg], { stdio: 'ignore', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    }
  }
  if (!has('redis-server') || !has('redis-benchmark')) notes.redis = 'redis-server / redis-benchmark are not installed and could not be installed';
  if (!has('nats-server')) notes.nats = 'nats-server is not installed and could not be installed';
  return notes;
}

function versionOf(cmd: string, argv: string[]): string {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 10_000 });
  return ((r.stdout ?? '') + (r.stderr ?? '')).trim().split('\n')[0] ?? 'unknown';
}

// ---------------------------------------------------------------- machine limits
function diskWrite(dir: string, bytes: number): number {
  const path = join(dir, 'seq.bin');
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const fd = openSync(path, 'w');
  const t0 = performance.now();
  for (let w = 0; w < bytes; w += chunk.length) writeSync(fd, chunk);
  fdatasyncSync(fd);
  const mbps = bytes / ((performance.now() - t0) / 1000) / 1e6;
  closeSync(fd);
  rmSync(path);
  return mbps;
}

function fsyncLatency(dir: string, count: number): { p50: number; p99: number } {
  const path = join(dir, 'fsync.bin');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 1);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    writeSync(fd, block);
    const t0 = performance.now();
    fdatasyncSync(fd);
    samples.push(performance.now() - t0);
  }
  closeSync(fd);
  rmSync(path);
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)]!, p99: samples[Math.floor(samples.length * 0.99)]! };
}

/** One TCP stream over loopback into a sink in another process, 1 MiB writes. */
async function loopback(bytes: number): Promise<number> {
  const sink = track(
    spawn(process.execPath, ['-e', "const s=require('net').createServer(c=>{c.on('data',()=>{});c.on('end',()=>{c.end();s.close()})});s.listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'ignore'] }),
  );
  const port = await new Promise<number>((r) => sink.stdout!.once('data', (c: Buffer) => r(Number(c.toString().trim()))));
  const socket = netConnect({ host: '127.0.0.1', port });
  await new Promise((r) => socket.once('connect', r));
  const chunk = Buffer.alloc(1024 * 1024, 3);
  const t0 = performance.now();
  let sent = 0;
  while (sent < bytes) {
    sent += chunk.length;
    if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
  }
  await new Promise<void>((r) => {
    socket.end();
    socket.once('close', () => r());
    socket.resume();
  });
  const mbps = bytes / ((performance.now() - t0) / 1000) / 1e6;
  await stopChild(sink, null);
  return mbps;
}

// ---------------------------------------------------------------- one measurement
interface Measure {
  msgsPerSec: number;
  mbPerSec: number;
  latencyMs: { p50: number; p95: number; p99: number; p999: number; max: number };
  messages: number;
}

const commands = new Set<string>();

async function jsonRun(cmd: string, argv: string[], label: string): Promise<Measure> {
  const dir = tempDir('compare-json-');
  const file = join(dir, 'r.json');
  try {
    const r = await run(cmd, [...argv, '--json', file]);
    if (r.code !== 0) throw new Error(`${label} failed (${r.code}): ${r.stderr.slice(-800)}`);
    return JSON.parse(readFileSync(file, 'utf8')) as Measure;
  } finally {
    removeDir(dir);
  }
}

function spateBench(port: number, workload: string, extra: string[]): Promise<Measure> {
  const argv = ['bench', workload, '--bootstrap', `127.0.0.1:${port}`, ...extra];
  commands.add(`node dist/src/cli/main.js ${argv.join(' ').replace(/127\.0\.0\.1:\d+/, '127.0.0.1:PORT')}`);
  return jsonRun(process.execPath, [CLI, ...argv], `spate bench ${workload}`);
}

function peerBench(system: string, port: number, workload: string, extra: string[]): Promise<Measure> {
  const argv = [system, workload, '--port', String(port), ...extra];
  commands.add(`node dist/perf/peer-bench.js ${argv.join(' ').replace(/--port \d+/, '--port PORT')}`);
  return jsonRun(process.execPath, [PEER, ...argv], `peer bench ${system} ${workload}`);
}

async function redisBenchmark(port: number, n: number, size: number): Promise<Measure> {
  const argv = ['-h', '127.0.0.1', '-p', String(port), '-P', '64', '-n', String(n), '-q', 'XADD', 'rb', '*', 'v', 'x'.repeat(size)];
  commands.add(`redis-benchmark -h 127.0.0.1 -p PORT -P 64 -n ${n} -q XADD rb '*' v <${size} bytes>`);
  const r = await run('redis-benchmark', argv);
  const m = /([\d.]+) requests per second/.exec(r.stdout);
  if (m === null) throw new Error(`redis-benchmark printed no rate: ${r.stdout.slice(-300)} ${r.stderr.slice(-300)}`);
  const rate = Number(m[1]);
  const p50 = /p50=([\d.]+)/.exec(r.stdout);
  const lat = p50 === null ? 0 : Number(p50[1]);
  return { msgsPerSec: rate, mbPerSec: (rate * size) / 1e6, latencyMs: { p50: lat, p95: 0, p99: 0, p999: 0, max: 0 }, messages: n };
}

// ---------------------------------------------------------------- the table
type System = 'spate' | 'redis-benchmark' | 'ioredis' | 'nats' | 'kcat';
const SYSTEMS: System[] = ['spate', 'redis-benchmark', 'ioredis', 'nats'];
const SYSTEM_LABEL: Record<System, string> = {
  spate: 'Spate (spate bench)',
  'redis-benchmark': 'Redis Streams (redis-benchmark, C)',
  ioredis: 'Redis Streams (ioredis)',
  nats: 'NATS JetStream (nats.js)',
  kcat: 'Spate (kcat)',
};

interface Row {
  name: string;
  kind: 'throughput' | 'latency';
  cells: Partial<Record<System, Measure[]>>;
  notes: string[];
}

const rows: Row[] = [];

function row(name: string, kind: Row['kind'] = 'throughput'): Row {
  let r = rows.find((x) => x.name === name);
  if (r === undefined) rows.push((r = { name, kind, cells: {}, notes: [] }));
  return r;
}

async function measure(r: Row, system: System, fn: () => Promise<Measure>): Promise<void> {
  try {
    const m = await fn();
    (r.cells[system] ??= []).push(m);
    console.log(`  ${r.name} / ${system}: ${Math.round(m.msgsPerSec).toLocaleString('en-US')} msg/s, p50 ${m.latencyMs.p50.toFixed(2)} ms, p99 ${m.latencyMs.p99.toFixed(2)} ms`);
  } catch (error) {
    const note = `${system}: ${(error as Error).message.split('\n')[0]}`;
    if (!r.notes.includes(note)) r.notes.push(note);
    console.log(`  ${r.name} / ${system}: FAILED ${note}`);
  }
}

function medianOf(list: Measure[] | undefined): Measure | undefined {
  if (list === undefined || list.length === 0) return undefined;
  const sorted = [...list].sort((a, b) => a.msgsPerSec - b.msgsPerSec);
  const mid = sorted[Math.floor(sorted.length / 2)]!;
  const byP50 = [...list].sort((a, b) => a.latencyMs.p50 - b.latencyMs.p50)[Math.floor(list.length / 2)]!;
  const byP99 = [...list].sort((a, b) => a.latencyMs.p99 - b.latencyMs.p99)[Math.floor(list.length / 2)]!;
  return { ...mid, latencyMs: { ...mid.latencyMs, p50: byP50.latencyMs.p50, p99: byP99.latencyMs.p99 } };
}

function cellText(r: Row, m: Measure | undefined): string {
  if (m === undefined) return '-';
  if (r.kind === 'latency') return `${m.latencyMs.p50.toFixed(2)} / ${m.latencyMs.p99.toFixed(2)} ms`;
  return `${(m.msgsPerSec / 1000).toFixed(0)} k (${m.mbPerSec.toFixed(0)} MB/s)`;
}

function ratioText(r: Row): string {
  const spate = medianOf(r.cells.spate);
  if (spate === undefined) return '-';
  const parts: string[] = [];
  for (const s of SYSTEMS.slice(1)) {
    const peer = medianOf(r.cells[s]);
    if (peer === undefined) continue;
    const ratio = r.kind === 'latency' ? peer.latencyMs.p99 / Math.max(spate.latencyMs.p99, 1e-9) : spate.msgsPerSec / peer.msgsPerSec;
    parts.push(`${s} ${ratio.toFixed(2)}x`);
  }
  return parts.length === 0 ? '-' : parts.join(', ');
}

function table(): string {
  const head = `| workload | ${SYSTEMS.map((s) => SYSTEM_LABEL[s]).join(' | ')} | Spate / peer |`;
  const sep = `|---|${SYSTEMS.map(() => '---').join('|')}|---|`;
  const lines = rows.map((r) => `| ${r.name} | ${SYSTEMS.map((s) => cellText(r, medianOf(r.cells[s]))).join(' | ')} | ${ratioText(r)} |`);
  return [head, sep, ...lines].join('\n');
}

function svg(): string {
  const bars = rows.filter((r) => r.kind === 'throughput');
  const colors: Record<System, string> = { spate: '#2b6cb0', 'redis-benchmark': '#c53030', ioredis: '#ed8936', nats: '#2f855a', kcat: '#805ad5' };
  const labelW = 300;
  const barW = 420;
  const barH = 12;
  const groupGap = 10;
  let y = 40;
  const parts: string[] = [];
  for (const r of bars) {
    const medians = SYSTEMS.map((s) => [s, medianOf(r.cells[s])] as const).filter(([, m]) => m !== undefined) as Array<readonly [System, Measure]>;
    const max = Math.max(1, ...medians.map(([, m]) => m.msgsPerSec));
    parts.push(`<text x="${labelW - 8}" y="${y + 10}" text-anchor="end" font-size="12">${escapeXml(r.name)}</text>`);
    for (const [s, m] of medians) {
      const w = Math.max(1, (m.msgsPerSec / max) * barW);
      parts.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${colors[s]}"/>`);
      parts.push(`<text x="${labelW + w + 4}" y="${y + 10}" font-size="10">${(m.msgsPerSec / 1000).toFixed(0)} k msg/s</text>`);
      y += barH + 2;
    }
    y += groupGap;
  }
  const legend = SYSTEMS.map((s, i) => `<rect x="${10 + i * 210}" y="10" width="10" height="10" fill="${colors[s]}"/><text x="${24 + i * 210}" y="19" font-size="11">${escapeXml(SYSTEM_LABEL[s])}</text>`).join('');
  const height = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 120}" height="${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${legend}\n${parts.join('\n')}\n</svg>\n`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---------------------------------------------------------------- the workloads
async function spateRound(): Promise<void> {
  const spate = await startSpate(1);
  try {
    const p = spate.port;
    for (const [size, n] of [[100, N_SMALL], [1024, N_LARGE]] as const) {
      for (const acks of [1, -1]) {
        const r = row(`produce ${n.toLocaleString('en-US')} x ${size === 100 ? '100 B' : '1 KiB'}, acks=${acks}`);
        await measure(r, 'spate', () => spateBench(p, 'produce', ['--topic', `p-${size}-${acks}-${Date.now()}`, '--partitions', '1', '--messages', String(n), '--size', String(size), '--acks', String(acks)]));
      }
    }
    const topic = `c-${Date.now()}`;
    await spateBench(p, 'produce', ['--topic', topic, '--partitions', '1', '--messages', String(N_SMALL), '--size', '100', '--acks', '1']);
    await measure(row(`consume ${N_SMALL.toLocaleString('en-US')} x 100 B`), 'spate', () => spateBench(p, 'consume', ['--topic', topic]));
    await measure(row(`e2e latency at ${E2E_RATE / 1000} k msg/s for ${E2E_SECONDS} s, p50 / p99`, 'latency'), 'spate', () =>
      spateBench(p, 'e2e', ['--topic', `e-${Date.now()}`, '--partitions', '1', '--rate', String(E2E_RATE), '--duration', String(E2E_SECONDS), '--size', '100']),
    );
    for (const partitions of PARTITION_COUNTS) {
      await measure(row(`partition scaling: ${partitions} partition${partitions === 1 ? '' : 's'}, 100 B acks=1`), 'spate', () =>
        spateBench(p, 'produce', ['--topic', `s-${partitions}-${Date.now()}`, '--partitions', String(partitions), '--messages', String(N_SMALL), '--size', '100', '--acks', '1', ...(partitions >= 64 ? ['--batch-bytes', '16384'] : [])]),
      );
    }
  } finally {
    await spate.stop();
  }
  for (const workers of [1, 2]) {
    const s = await startSpate(workers);
    try {
      await measure(row(`worker scaling: --workers ${workers}, 6 partitions, 100 B acks=1`), 'spate', () =>
        spateBench(s.port, 'produce', ['--topic', `w-${Date.now()}`, '--partitions', '6', '--messages', String(N_SMALL), '--size', '100', '--acks', '1']),
      );
    } finally {
      await s.stop();
    }
  }
}

async function redisRound(): Promise<void> {
  for (const fsync of ['no', 'always'] as const) {
    const acks = fsync === 'no' ? 1 : -1;
    const redis = await startRedis(fsync);
    try {
      for (const [size, n] of [[100, N_SMALL], [1024, N_LARGE]] as const) {
        const r = row(`produce ${n.toLocaleString('en-US')} x ${size === 100 ? '100 B' : '1 KiB'}, acks=${acks}`);
        await measure(r, 'redis-benchmark', () => redisBenchmark(redis.port, n, size));
        await measure(r, 'ioredis', () => peerBench('redis', redis.port, 'produce', ['--stream', `s-${size}`, '--messages', String(n), '--size', String(size)]));
      }
      if (fsync === 'no') {
        await measure(row(`consume ${N_SMALL.toLocaleString('en-US')} x 100 B`), 'ioredis', () => peerBench('redis', redis.port, 'consume', ['--stream', 's-100']));
        await measure(row(`e2e latency at ${E2E_RATE / 1000} k msg/s for ${E2E_SECONDS} s, p50 / p99`, 'latency'), 'ioredis', () =>
          peerBench('redis', redis.port, 'e2e', ['--stream', 'e2e', '--rate', String(E2E_RATE), '--duration', String(E2E_SECONDS), '--size', '100']),
        );
      }
    } finally {
      await redis.stop();
    }
  }
}

async function natsRound(): Promise<void> {
  const nats = await startNats();
  try {
    for (const [size, n] of [[100, N_SMALL], [1024, N_LARGE]] as const) {
      const r = row(`produce ${n.toLocaleString('en-US')} x ${size === 100 ? '100 B' : '1 KiB'}, acks=1`);
      await measure(r, 'nats', () => peerBench('nats', nats.port, 'produce', ['--stream', `S${size}`, '--messages', String(n), '--size', String(size), '--pipeline', '1000']));
      const durable = row(`produce ${n.toLocaleString('en-US')} x ${size === 100 ? '100 B' : '1 KiB'}, acks=-1`);
      const note = 'nats: nats-server 2.9 has no per-message fsync (sync_interval came in 2.10), so it has no acks=-1 equivalent';
      if (!durable.notes.includes(note)) durable.notes.push(note);
    }
    await measure(row(`consume ${N_SMALL.toLocaleString('en-US')} x 100 B`), 'nats', () => peerBench('nats', nats.port, 'consume', ['--stream', 'S100']));
    await measure(row(`e2e latency at ${E2E_RATE / 1000} k msg/s for ${E2E_SECONDS} s, p50 / p99`, 'latency'), 'nats', () =>
      peerBench('nats', nats.port, 'e2e', ['--stream', 'E2E', '--rate', String(E2E_RATE), '--duration', String(E2E_SECONDS), '--size', '100']),
    );
  } finally {
    await nats.stop();
  }
}

async function profileRound(): Promise<{ rows: ReturnType<typeof summariseProfiles>['rows']; totalMs: number; msgsPerSec: number } | null> {
  const profileDir = tempDir('spate-profile-');
  const spate = await startSpate(1, profileDir);
  let m: Measure;
  try {
    m = await spateBench(spate.port, 'produce', ['--topic', 'profile', '--partitions', '1', '--duration', String(PROFILE_SECONDS), '--size', '100', '--acks', '1']);
  } finally {
    await spate.stop();
  }
  const summary = summariseProfiles(profileDir, 12);
  removeDir(profileDir);
  return { ...summary, msgsPerSec: m.msgsPerSec };
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  const started = Date.now();
  const peers = args['no-peers'] ? { redis: 'skipped (--no-peers)', nats: 'skipped (--no-peers)' } : ensurePeers();
  const versions = {
    node: process.version,
    spate: spawnSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() + ' (work tree)',
    redis: peers.redis === null ? versionOf('redis-server', ['--version']) : peers.redis,
    nats: peers.nats === null ? versionOf('nats-server', ['--version']) : peers.nats,
    ioredis: (JSON.parse(readFileSync(join(ROOT, 'node_modules/ioredis/package.json'), 'utf8')) as { version: string }).version,
    natsJs: (JSON.parse(readFileSync(join(ROOT, 'node_modules/nats/package.json'), 'utf8')) as { version: string }).version,
  };
  const machine = `${cpus().length} vCPUs ${cpus()[0]?.model.trim() ?? ''}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  console.log(`compare: ${QUICK ? 'quick' : 'full'}, ${RUNS} run(s); ${machine}; node ${process.version}`);

  const limitsDir = tempDir('limits-');
  const limits = {
    diskMBps: diskWrite(limitsDir, (QUICK ? 256 : 1024) * 1024 * 1024),
    fsync: fsyncLatency(limitsDir, QUICK ? 500 : 2000),
    loopbackMBps: await loopback((QUICK ? 512 : 2048) * 1024 * 1024),
  };
  removeDir(limitsDir);
  console.log(`machine: disk ${limits.diskMBps.toFixed(0)} MB/s, fsync p50 ${limits.fsync.p50.toFixed(2)} / p99 ${limits.fsync.p99.toFixed(2)} ms, loopback ${limits.loopbackMBps.toFixed(0)} MB/s`);

  for (let i = 0; i < RUNS; i++) {
    console.log(`run ${i + 1}/${RUNS}`);
    await spateRound();
    if (peers.redis === null) await redisRound();
    if (peers.nats === null) await natsRound();
  }
  const profile = args['no-profile'] ? null : await profileRound().catch((e: unknown) => (console.log(`profile failed: ${(e as Error).message}`), null));

  const date = new Date().toISOString();
  const tableText = table();
  const notes = [
    ...(peers.redis !== null ? [`Redis: ${peers.redis}`] : []),
    ...(peers.nats !== null ? [`NATS: ${peers.nats}`] : []),
    ...rows.flatMap((r) => r.notes.map((n) => `${r.name}: ${n}`)),
  ];
  const profileText =
    profile === null
      ? 'not run'
      : `Broker under \`spate bench produce\` for ${PROFILE_SECONDS} s, 100 B, acks=1, 1 partition, --workers 1 (${Math.round(profile.msgsPerSec).toLocaleString('en-US')} msg/s with the profiler on); ` +
        `self time over the main thread and the partition worker, ${profile.totalMs.toFixed(0)} ms busy in all:\n\n| share | self ms | thread | function | where |\n|---|---|---|---|---|\n` +
        profile.rows.map((r) => `| ${(r.share * 100).toFixed(1)}% | ${r.ms.toFixed(0)} | ${r.thread} | ${r.name} | ${r.where} |`).join('\n');
  const report = [
    `# Spate vs peers, ${date.slice(0, 10)}${QUICK ? ' (quick run: reduced counts, one run)' : ` (medians of ${RUNS})`}`,
    '',
    `Machine: ${machine}. Node ${versions.node}; Spate ${versions.spate}; ${versions.redis}; ${versions.nats}; ioredis ${versions.ioredis}; nats.js ${versions.natsJs}. Took ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    '',
    '## Machine limits',
    '',
    `| limit | figure |\n|---|---|\n| sequential disk write (1 MiB writes + fdatasync) | ${limits.diskMBps.toFixed(0)} MB/s |\n| fdatasync of a 4 KiB append | p50 ${limits.fsync.p50.toFixed(3)} ms, p99 ${limits.fsync.p99.toFixed(3)} ms |\n| loopback TCP, one stream, Node to Node | ${limits.loopbackMBps.toFixed(0)} MB/s |`,
    '',
    '## Results',
    '',
    'Throughput cells: messages per second (value MB/s); latency cells: p50 / p99. Spate/peer: throughput ratio, or for latency the peer p99 over Spate p99 (above 1: Spate is faster). acks=1 rows run Redis with `appendfsync no` and NATS with its default file store; acks=-1 rows run Redis with `appendfsync always`.',
    '',
    tableText,
    '',
    ...(notes.length > 0 ? ['Notes:', '', ...notes.map((n) => `- ${n}`), ''] : []),
    '## Profile',
    '',
    profileText,
    '',
    '## Commands',
    '',
    '```',
    QUICK ? 'npm run compare -- --quick' : 'npm run compare',
    ...[...commands].sort(),
    '```',
    '',
  ].join('\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = date.replace(/[:.]/g, '-').slice(0, 19);
  const base = join(RESULTS_DIR, `compare-${stamp}${QUICK ? '-quick' : ''}`);
  writeFileSync(`${base}.md`, report);
  writeFileSync(`${base}.svg`, svg());
  writeFileSync(`${base}.json`, JSON.stringify({ date, quick: QUICK, runs: RUNS, machine, versions, limits, rows, profile, notes }, null, 2));
  updateResults(report, base);
  console.log(`\n${tableText}\n`);
  if (profile !== null) console.log(profileText);
  console.log(`\nwrote ${base}.md, .svg and .json; updated perf/RESULTS.md`);
}

/** perf/RESULTS.md keeps a hand-written head (targets, profile reading) and the latest generated report below a marker. */
function updateResults(report: string, base: string): void {
  const path = join(ROOT, 'perf/RESULTS.md');
  const marker = '<!-- generated by perf/compare.ts: everything below is replaced on each run -->';
  let head = '# Benchmark results\n\n';
  try {
    const current = readFileSync(path, 'utf8');
    const at = current.indexOf(marker);
    head = at >= 0 ? current.slice(0, at) : current + '\n';
  } catch {
    // first run
  }
  const rel = base.slice(ROOT.length + 1);
  const body = report.replace(/^# /, '## Latest comparison: ');
  writeFileSync(path, `${head}${marker}\n\n${body.replace(/^## (?!Latest)/gm, '### ')}\nChart: [${rel}.svg](${rel.replace(/^perf\//, '')}.svg)\n`);
}

try {
  await main();
} finally {
  cleanup();
}
