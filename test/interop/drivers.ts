// Drives the real Kafka clients for the interop tests: kcat (librdkafka) as a CLI, and kafka-python and
// confluent-kafka through the small driver scripts in test/interop/clients/. Every child process runs
// asynchronously with a hard timeout, so a hung client fails its test instead of hanging the run.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { RunningBroker, StartBrokerOptions } from '../../src/index.js';
import { REPO_ROOT, startTestBroker, temporaryDir } from '../helpers/broker.js';
import { requireKcat, requirePythonModule } from '../helpers/clients.js';
import { generateMessages, type ConsumedMessage, type GenerateOptions, type MessageHeader, type ProducedMessage, type TimestampType } from '../helpers/messages.js';

export const CLIENTS_DIR = join(REPO_ROOT, 'test/interop/clients');

export type ClientName = 'kcat' | 'kafka-python' | 'confluent-kafka';
export type Codec = 'gzip' | 'snappy' | 'lz4' | 'zstd';

// ------------------------------------------------------------------ processes

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  input?: Buffer | string;
  /** Kill (SIGKILL) and fail after this long; default 90 s. */
  timeoutMs?: number;
  cwd?: string;
  /** Added to the inherited environment. */
  env?: Record<string, string>;
}

/** Runs a command to completion; rejects on timeout (after killing it) or when it cannot start. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) reject(new Error(`${describeCommand(command, args)} killed after ${timeoutMs} ms; stderr:\n${tail(stderr)}`));
      else resolve({ code, signal, stdout: Buffer.concat(out), stderr });
    });
    // A child that exits early closes stdin; the EPIPE that follows is not the interesting error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** run(), and reject unless the command exited 0. */
export async function runOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${describeCommand(command, args)} exited with ${result.code ?? result.signal}; stderr:\n${tail(result.stderr)}\nstdout:\n${tail(result.stdout.toString('utf8'))}`);
  }
  return result;
}

function describeCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map((a) => JSON.stringify(a)).join(' ');
}

function tail(text: string, max = 4000): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/** Runs async jobs with at most `limit` in flight; resolves in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ------------------------------------------------------------------ the JSON-lines exchange with the Python drivers

const b64 = (b: Buffer | null): string | null => (b === null ? null : b.toString('base64'));
const unb64 = (s: string | null | undefined): Buffer | null => (s === null || s === undefined ? null : Buffer.from(s, 'base64'));

/** Message specs as test/interop/clients/jsonl.py reads them. */
export function writeSpecs(path: string, messages: readonly ProducedMessage[]): void {
  const lines = messages.map((m) =>
    JSON.stringify({
      p: m.partition ?? null,
      k: b64(m.key),
      v: b64(m.value),
      h: m.headers.map((h) => [h.key, b64(h.value)]),
      ts: m.timestamp ?? null,
    }),
  );
  writeFileSync(path, lines.join('\n') + '\n');
}

interface ConsumedLine {
  p: number;
  o: number;
  k: string | null;
  v: string | null;
  h: Array<[string, string | null]>;
  ts: number;
  tt: TimestampType | 'none';
}

/** Consumed messages as test/interop/clients/jsonl.py writes them. */
export function readConsumed(path: string): ConsumedMessage[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const c = JSON.parse(line) as ConsumedLine;
      return {
        partition: c.p,
        offset: c.o,
        key: unb64(c.k),
        value: unb64(c.v),
        headers: c.h.map(([key, value]) => ({ key, value: unb64(value) })),
        timestamp: c.ts,
        timestampType: c.tt,
      };
    });
}

// ------------------------------------------------------------------ clients

export interface ProduceOptions {
  compression?: Codec;
  lingerMs?: number;
  /** Extra librdkafka properties (kcat and confluent-kafka), e.g. { 'batch.num.messages': '1' }. */
  librdkafka?: Record<string, string>;
  /** kafka-python's batch_size in bytes. */
  batchSize?: number;
}

export interface ConsumeOptions {
  /** Messages expected; Python consumers stop there (after a short drain), kcat at the end of every partition. */
  count: number;
  /** Consume as a member of this consumer group and commit at the end; default: assign all partitions. */
  group?: string;
  timeoutMs?: number;
}

export interface ConsumeResult {
  messages: ConsumedMessage[];
  /** Log end offset per partition as the consumer saw it at the end (Python clients). */
  end?: Record<string, number>;
  /** Offsets committed for the group (group consumes of the Python clients). */
  committed?: Record<string, number>;
}

export interface InteropClient {
  readonly name: ClientName;
  /** Fails the test (throws) when the client is not installed. */
  require(): void;
  produce(bootstrap: string, topic: string, messages: readonly ProducedMessage[], workDir: string, options?: ProduceOptions): Promise<void>;
  consume(bootstrap: string, topic: string, workDir: string, options: ConsumeOptions): Promise<ConsumeResult>;
}

let fileCounter = 0;
const workFile = (workDir: string, what: string): string => join(workDir, `${what}-${process.pid}-${++fileCounter}.jsonl`);

class PythonClient implements InteropClient {
  constructor(
    readonly name: 'kafka-python' | 'confluent-kafka',
    private readonly module: 'kafka' | 'confluent_kafka',
    private readonly script: string,
  ) {}

  require(): void {
    requirePythonModule(this.module);
  }

  /** Runs one driver command and returns its JSON summary line. */
  async command(args: string[], timeoutMs = 90_000): Promise<Record<string, unknown>> {
    const python = requirePythonModule(this.module);
    const timeoutS = Math.max(5, Math.floor(timeoutMs / 1000) - 15);
    const result = await runOk(python, [join(CLIENTS_DIR, this.script), ...args, '--timeout', String(timeoutS)], {
      cwd: CLIENTS_DIR,
      timeoutMs,
      // No __pycache__ next to the driver scripts in the source tree.
      env: { PYTHONDONTWRITEBYTECODE: '1' },
    });
    const lines = result.stdout.toString('utf8').trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
  }

  async createTopic(bootstrap: string, topic: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
    const configArgs = Object.entries(configs).flatMap(([k, v]) => ['--config', `${k}=${v}`]);
    await this.command(['create-topic', '--bootstrap', bootstrap, '--topic', topic, '--partitions', String(partitions), ...configArgs], 60_000);
  }

  async produce(bootstrap: string, topic: string, messages: readonly ProducedMessage[], workDir: string, options: ProduceOptions = {}): Promise<void> {
    const input = workFile(workDir, `produce-${this.name}`);
    writeSpecs(input, messages);
    const args = ['produce', '--bootstrap', bootstrap, '--topic', topic, '--input', input];
    if (options.compression) args.push('--compression', options.compression);
    if (options.lingerMs !== undefined) args.push('--linger-ms', String(options.lingerMs));
    if (this.name === 'confluent-kafka') for (const [k, v] of Object.entries(options.librdkafka ?? {})) args.push('--producer-config', `${k}=${v}`);
    else if (options.librdkafka) throw new Error('kafka-python takes no librdkafka properties');
    if (options.batchSize !== undefined) {
      if (this.name !== 'kafka-python') throw new Error('batchSize is a kafka-python option');
      args.push('--batch-size', String(options.batchSize));
    }
    const summary = await this.command(args);
    if (summary['produced'] !== messages.length) throw new Error(`${this.name} produced ${String(summary['produced'])} of ${messages.length} messages`);
  }

  async consume(bootstrap: string, topic: string, workDir: string, options: ConsumeOptions): Promise<ConsumeResult> {
    const output = workFile(workDir, `consume-${this.name}`);
    const args = ['consume', '--bootstrap', bootstrap, '--topic', topic, '--count', String(options.count), '--output', output];
    if (options.group) args.push('--group', options.group);
    const summary = await this.command(args, options.timeoutMs);
    const result: ConsumeResult = { messages: readConsumed(output) };
    if (summary['end']) result.end = summary['end'] as Record<string, number>;
    if (summary['committed']) result.committed = summary['committed'] as Record<string, number>;
    return result;
  }
}

export const kafkaPython = new PythonClient('kafka-python', 'kafka', 'kafka_python_client.py');
export const confluentKafka = new PythonClient('confluent-kafka', 'confluent_kafka', 'confluent_client.py');

// kcat reads messages from stdin split by a message delimiter, with the key split off by a key delimiter.
// Both are unbordered (no proper prefix equals a suffix) and share no byte, so as long as neither occurs
// inside a key or value, no delimiter can match across a key/value boundary.
export const KCAT_MESSAGE_DELIMITER = '\x1e[MSG]\x1f';
export const KCAT_KEY_DELIMITER = '\x1c{KEY}\x1d';
/** Pass as GenerateOptions.avoid for messages that kcat will produce. */
export const KCAT_AVOID = [KCAT_MESSAGE_DELIMITER, KCAT_KEY_DELIMITER];

export interface KcatRun {
  partition: number;
  headers: MessageHeader[];
  /** -Z: empty keys/values become null. Needed for null values; incompatible with empty keys/values. */
  nullMode: boolean;
  /** Holds an empty key or value, so it must run without -Z. */
  hasEmpty: boolean;
  messages: ProducedMessage[];
}

function sameHeaderList(a: readonly MessageHeader[], b: readonly MessageHeader[]): boolean {
  return a.length === b.length && a.every((h, i) => h.key === b[i]!.key && (h.value === null ? b[i]!.value === null : b[i]!.value !== null && h.value.equals(b[i]!.value!)));
}

/**
 * Splits messages into kcat invocations: one partition, one header set (kcat's -H applies to every message
 * of an invocation) and one null mode each, keeping the per-partition order. Throws for what kcat cannot
 * express: message timestamps, no explicit partition, null key with an empty value, empty and null mixed.
 */
export function planKcatRuns(messages: readonly ProducedMessage[]): KcatRun[] {
  const runs: KcatRun[] = [];
  const open = new Map<number, KcatRun>();
  for (const m of messages) {
    if (m.partition === undefined) throw new Error(`kcat driver: message #${m.index} needs an explicit partition`);
    if (m.timestamp !== undefined) throw new Error(`kcat driver: message #${m.index} has a timestamp; kcat cannot set one (generate with timestamps: false)`);
    const needsNull = m.value === null;
    const needsPlain = (m.key !== null && m.key.length === 0) || (m.value !== null && m.value.length === 0);
    if (m.key === null && (m.value === null || m.value.length === 0)) throw new Error(`kcat driver: message #${m.index} has a null key and a null/empty value`);
    if (needsNull && needsPlain) throw new Error(`kcat driver: message #${m.index} mixes null and empty`);
    for (const h of m.headers) {
      if (h.key.includes('=') || h.key.includes('\0')) throw new Error(`kcat driver: header name ${JSON.stringify(h.key)} cannot be passed to -H`);
      if (h.value !== null && (h.value.includes(0) || !Buffer.from(h.value.toString('utf8'), 'utf8').equals(h.value))) {
        throw new Error(`kcat driver: message #${m.index} header ${h.key} is not NUL-free UTF-8`);
      }
    }
    let current = open.get(m.partition);
    const fits = current !== undefined && sameHeaderList(current.headers, m.headers) && !(needsNull && current.hasEmpty) && !(needsPlain && current.nullMode);
    if (current === undefined || !fits) {
      current = { partition: m.partition, headers: m.headers, nullMode: false, hasEmpty: false, messages: [] };
      runs.push(current);
      open.set(m.partition, current);
    }
    if (needsNull) current.nullMode = true;
    if (needsPlain) current.hasEmpty = true;
    current.messages.push(m);
  }
  return runs;
}

function kcatInput(run: KcatRun): Buffer {
  const parts: Buffer[] = [];
  const keyDelimiter = Buffer.from(KCAT_KEY_DELIMITER, 'latin1');
  const messageDelimiter = Buffer.from(KCAT_MESSAGE_DELIMITER, 'latin1');
  for (const m of run.messages) {
    for (const b of [m.key, m.value]) {
      if (b !== null && (b.includes(keyDelimiter) || b.includes(messageDelimiter))) throw new Error(`kcat driver: message #${m.index} contains a delimiter (generate with avoid: KCAT_AVOID)`);
    }
    if (m.key !== null) parts.push(m.key, keyDelimiter);
    if (m.value !== null) parts.push(m.value);
    parts.push(messageDelimiter);
  }
  return Buffer.concat(parts);
}

/** kcat -J output: strings are the raw bytes (yajl escapes only control characters), so read it as latin1. */
interface KcatJsonMessage {
  topic: string;
  partition: number;
  offset: number;
  tstype: 'create' | 'logappend' | 'unknown';
  ts: number;
  headers?: Array<string | null>;
  key: string | null;
  payload: string | null;
}

export function parseKcatJson(stdout: Buffer): ConsumedMessage[] {
  const latin1 = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, 'latin1'));
  return stdout
    .toString('latin1')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const j = JSON.parse(line) as KcatJsonMessage;
      const headers: MessageHeader[] = [];
      const flat = j.headers ?? [];
      for (let i = 0; i < flat.length; i += 2) headers.push({ key: latin1(flat[i]!)!.toString('utf8'), value: latin1(flat[i + 1] ?? null) });
      return {
        partition: j.partition,
        offset: j.offset,
        key: latin1(j.key),
        value: latin1(j.payload),
        headers,
        timestamp: j.ts,
        timestampType: j.tstype === 'create' ? 'create' : j.tstype === 'logappend' ? 'log-append' : 'none',
      };
    });
}

class KcatClient implements InteropClient {
  readonly name = 'kcat' as const;

  require(): void {
    requireKcat();
  }

  async produce(bootstrap: string, topic: string, messages: readonly ProducedMessage[], _workDir: string, options: ProduceOptions = {}): Promise<void> {
    const kcat = requireKcat();
    const runs = planKcatRuns(messages);
    // Runs of one partition go one after another (their order is the partition's order); partitions in parallel.
    const byPartition = new Map<number, KcatRun[]>();
    for (const r of runs) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
    await mapLimit([...byPartition.values()], 3, async (partitionRuns) => {
      for (const r of partitionRuns) {
        const args = ['-b', bootstrap, '-P', '-t', topic, '-p', String(r.partition), '-K', KCAT_KEY_DELIMITER, '-D', KCAT_MESSAGE_DELIMITER, '-m', '30'];
        if (r.nullMode) args.push('-Z');
        for (const h of r.headers) args.push('-H', h.value === null ? h.key : `${h.key}=${h.value.toString('utf8')}`);
        if (options.compression) args.push('-z', options.compression);
        args.push('-X', `linger.ms=${options.lingerMs ?? 5}`, '-X', 'max.in.flight.requests.per.connection=1');
        for (const [k, v] of Object.entries(options.librdkafka ?? {})) args.push('-X', `${k}=${v}`);
        if (options.batchSize !== undefined) throw new Error('batchSize is a kafka-python option');
        await runOk(kcat, args, { input: kcatInput(r) });
      }
    });
  }

  async consume(bootstrap: string, topic: string, _workDir: string, options: ConsumeOptions): Promise<ConsumeResult> {
    const kcat = requireKcat();
    const args = options.group
      ? ['-b', bootstrap, '-G', options.group, '-J', '-e', '-m', '30', '-X', 'auto.offset.reset=earliest', topic]
      : ['-b', bootstrap, '-C', '-t', topic, '-J', '-e', '-o', 'beginning', '-m', '30'];
    const result = await runOk(kcat, args, { timeoutMs: options.timeoutMs ?? 90_000 });
    return { messages: parseKcatJson(result.stdout) };
  }
}

export const kcat = new KcatClient();

export const CLIENTS: Record<ClientName, InteropClient> = {
  kcat,
  'kafka-python': kafkaPython,
  'confluent-kafka': confluentKafka,
};

// ------------------------------------------------------------------ kcat metadata and offset queries

export interface KcatMetadata {
  brokers: Array<{ id: number; name: string }>;
  topics: Array<{ topic: string; error?: string; partitions: Array<{ partition: number; leader: number; replicas: Array<{ id: number }>; isrs: Array<{ id: number }> }> }>;
}

export async function kcatMetadata(bootstrap: string, topic?: string): Promise<KcatMetadata> {
  const args = ['-b', bootstrap, '-L', '-J', '-m', '30', ...(topic ? ['-t', topic] : [])];
  const result = await runOk(requireKcat(), args);
  return JSON.parse(result.stdout.toString('utf8')) as KcatMetadata;
}

/** `kcat -Q`: the offset of the first message at or after each timestamp (ListOffsets), per partition. */
export async function kcatOffsetsForTimes(bootstrap: string, topic: string, queries: ReadonlyArray<{ partition: number; timestamp: number }>): Promise<Map<number, number>> {
  const args = ['-b', bootstrap, '-Q', '-J', '-m', '30', ...queries.flatMap((q) => ['-t', `${topic}:${q.partition}:${q.timestamp}`])];
  const result = await runOk(requireKcat(), args);
  const parsed = JSON.parse(result.stdout.toString('utf8')) as Record<string, Record<string, { partition: number; offset: number } | string>>;
  const offsets = new Map<number, number>();
  for (const [key, entry] of Object.entries(parsed[topic] ?? {})) {
    if (key === 'topic' || typeof entry === 'string') continue;
    offsets.set(entry.partition, entry.offset);
  }
  return offsets;
}

// ------------------------------------------------------------------ test scaffolding

/** Messages a given client can produce faithfully, from generateMessages(). */
export function generateFor(producer: ClientName, options: GenerateOptions): ProducedMessage[] {
  switch (producer) {
    case 'kcat':
      // kcat fixes headers and null handling per invocation, cannot set timestamps and splits stdin on delimiters.
      return generateMessages({ ...options, headers: { segments: 4 }, timestamps: false, avoid: [...(options.avoid ?? []), ...KCAT_AVOID] });
    case 'kafka-python':
      // KafkaProducer.send() insists on bytes for every header value.
      return generateMessages({ ...options, nullHeaderValues: false });
    case 'confluent-kafka':
      return generateMessages(options);
  }
}

export interface InteropContext {
  broker: RunningBroker;
  /** Scratch directory for spec and output files, removed at teardown. */
  dir: string;
}

/** A fresh in-process broker and scratch directory for one test, both gone at teardown. */
export async function interopBroker(t: ExecutionContext, options: StartBrokerOptions = {}): Promise<InteropContext> {
  const broker = await startTestBroker(options);
  const dir = temporaryDir('spate-interop-');
  t.teardown(async () => {
    await broker.close();
    dir.remove();
  });
  return { broker, dir: dir.path };
}

/** Consumed-per-partition counts must match the committed offsets and log end offsets the consumer reported. */
export function offsetProblems(result: ConsumeResult, perPartition: Record<number, number>, expectCommitted: boolean): string[] {
  const problems: string[] = [];
  for (const [partition, count] of Object.entries(perPartition)) {
    if (result.end && result.end[partition] !== count) problems.push(`partition ${partition}: log end offset ${result.end[partition]}, consumed ${count}`);
    if (expectCommitted && result.committed?.[partition] !== count) problems.push(`partition ${partition}: committed ${result.committed?.[partition]}, consumed ${count}`);
  }
  if (expectCommitted && !result.committed) problems.push('the consumer reported no committed offsets');
  return problems;
}
