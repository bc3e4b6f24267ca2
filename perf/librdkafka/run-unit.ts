// Runs one unit of librdkafka's suite (one test number, one scenario) with its tests/test-runner against a
// broker given by address; the outcomes come from the runner's output (runner-output.ts).
import { spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { outcomesFromOutput, type TestOutcome } from './runner-output.js';
import type { SuiteUnit } from './suite-tests.js';

/** The kafka-topics.sh stand-in lives in perf/librdkafka/bin, so that directory is the runner's KAFKA_PATH. */
const KAFKA_PATH = resolve(fileURLToPath(new URL('../../../perf/librdkafka', import.meta.url)));

/** Kafka version the version-gated tests are told the broker is: Spate advertises Kafka 3.7's API ranges. */
export const DEFAULT_KAFKA_VERSION = '3.7.0';

/** Far above the runner's own per-test timeouts: only a runner that hangs past its watchdog meets it. */
const UNIT_TIMEOUT_MS = 45 * 60_000;

export interface RunnerOptions {
  librdkafkaSource: string;
  timeoutMultiplier: number;
  logPath: string;
  confPath: string;
  /** TEST_KAFKA_VERSION; an older one turns off sub-tests of newer features (for triage). */
  kafkaVersion: string;
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
