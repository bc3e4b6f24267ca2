// Runs one unit of librdkafka's suite (one test number, one scenario) with its tests/test-runner against a
// broker given by address, and reads each test's outcome from the summary table the runner prints at the end.
import { spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuiteUnit } from './suite-tests.js';

/** The kafka-topics.sh stand-in lives in perf/librdkafka/bin, so that directory is the runner's KAFKA_PATH. */
const KAFKA_PATH = resolve(fileURLToPath(new URL('../../../perf/librdkafka', import.meta.url)));

/** Kafka version the version-gated tests are told the broker is: Spate advertises Kafka 3.7's API ranges. */
export const DEFAULT_KAFKA_VERSION = '3.7.0';

/** Far above the runner's own per-test timeouts: only a runner that hangs past its watchdog meets it. */
const UNIT_TIMEOUT_MS = 45 * 60_000;

export type TestState = 'PASSED' | 'FAILED' | 'SKIPPED' | 'RUNNING' | 'NOT_STARTED' | 'NO_RESULT';

export interface TestOutcome {
  name: string;
  state: TestState;
  seconds: number;
  /** The runner's failure or skip text, or why there is no result. */
  reason: string;
}

export interface RunnerOptions {
  librdkafkaSource: string;
  timeoutMultiplier: number;
  logPath: string;
  confPath: string;
  /** TEST_KAFKA_VERSION; an older one turns off sub-tests of newer features (for triage). */
  kafkaVersion: string;
}

const ANSI = /\x1b\[[0-9;]*m/g;
const SUMMARY_ROW = /^\|\s*(\d{4}_\w+)\s*\|\s*([A-Z_]+)\s*\|\s*([\d.]+)s\s*\|\s?(.*)$/;

export function parseSummary(output: string): Map<string, TestOutcome> {
  const outcomes = new Map<string, TestOutcome>();
  for (const raw of output.split('\n')) {
    const match = SUMMARY_ROW.exec(raw.replace(ANSI, '').trimEnd());
    if (!match) continue;
    outcomes.set(match[1]!, { name: match[1]!, state: match[2]! as TestState, seconds: Number(match[3]!), reason: match[4]!.trim() });
  }
  return outcomes;
}

// A failing test may abort the whole runner (an assertion in its cleanup) before the summary: its first
// failure report, `### Test "NAME (sub-test)" failed at FILE:LINE:fn() at DATE: ###` and the line after, remains.
const FAILURE_REPORT = /^### Test "(\d{4}_\w+)([^"]*)" failed at ([^ ]+) at [^#]*###\n(.*)$/gm;
// A client's fatal error (`%0|TS|FATAL|NAME#producer-1| [thrd:main]: Fatal error: ...`) often says why the test
// failed better than the assertion it leads to ("Local: Fatal error").
const CLIENT_FATAL = /^%\d\|[\d.]+\|(?:FATAL|TXNERR)\|(\d{4}_\w+)#[^|]*\| \[[^\]]*\]: (.*)$/gm;

export function parseFailureReports(output: string): Map<string, TestOutcome> {
  const text = output.replace(ANSI, '');
  const firstFatal = new Map<string, { index: number; text: string }>();
  for (const match of text.matchAll(CLIENT_FATAL)) {
    if (!firstFatal.has(match[1]!)) firstFatal.set(match[1]!, { index: match.index, text: match[2]!.trim() });
  }
  const outcomes = new Map<string, TestOutcome>();
  for (const match of text.matchAll(FAILURE_REPORT)) {
    const name = match[1]!;
    if (outcomes.has(name)) continue;
    const fatal = firstFatal.get(name);
    const cause = fatal && fatal.index < match.index ? ` (client: ${fatal.text})` : '';
    outcomes.set(name, { name, state: 'FAILED', seconds: 0, reason: `${match[2]!.trim()} ${match[3]!}: ${match[4]!.trim()}${cause}`.trim() });
  }
  return outcomes;
}

export async function runUnit(unit: SuiteUnit, bootstrap: string, options: RunnerOptions): Promise<TestOutcome[]> {
  writeFileSync(options.confPath, `bootstrap.servers=${bootstrap}\ntest.timeout.multiplier=${options.timeoutMultiplier}\n`);
  const src = options.librdkafkaSource;
  const args = ['-L', '-p1'];
  if (unit.scenario !== 'default') args.push('-s', unit.scenario);
  const log = createWriteStream(options.logPath);
  const child = spawn(join(src, 'tests', 'test-runner'), args, {
    cwd: join(src, 'tests'),
    // Its own process group, so a timeout takes down whatever the runner started too.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TESTS: unit.number,
      RDKAFKA_TEST_CONF: options.confPath,
      TEST_KAFKA_VERSION: options.kafkaVersion,
      KAFKA_PATH,
      BROKERS: bootstrap,
      // The runner links -lrdkafka by name: without this it loads Debian's older librdkafka.
      LD_LIBRARY_PATH: `${join(src, 'src')}:${join(src, 'src-cpp')}`,
    },
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    log.write(chunk);
    output += chunk.toString('utf8');
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    process.kill(-child.pid!, 'SIGKILL');
  }, UNIT_TIMEOUT_MS);
  const exit = await new Promise<string>((done) => child.once('exit', (code, signal) => done(signal ? `signal ${signal}` : `exit code ${code}`)));
  clearTimeout(timer);
  await new Promise<void>((done) => log.end(done));
  const ending = timedOut ? `runner killed after ${UNIT_TIMEOUT_MS / 60_000} min` : `runner ended (${exit}) without a summary row`;
  return outcomesFromOutput(unit.tests, output, ending);
}

/** Each test's outcome from the runner's output: its summary row, else its first failure report, else none. */
export function outcomesFromOutput(tests: readonly string[], output: string, ending: string): TestOutcome[] {
  const summary = parseSummary(output);
  const failures = parseFailureReports(output);
  return tests.map((name) => {
    const row = summary.get(name);
    if (row) return row;
    const failure = failures.get(name);
    if (failure) return { ...failure, reason: `${failure.reason} [${ending}]` };
    return { name, state: 'NO_RESULT', seconds: 0, reason: ending };
  });
}
