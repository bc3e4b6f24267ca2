// Runs librdkafka's own integration test suite (its tests/ directory, built from source) against Spate: every
// test that needs a broker, one test number per fresh broker and data dir, and writes the outcome of each test.
// Usage: node dist/perf/librdkafka/run-suite.js --librdkafka-src DIR [--tests 0001,0081] [--parallel N] [--out PREFIX]
//        [--kafka-version 3.7.0] [--timeout-multiplier 2]
//        node dist/perf/librdkafka/run-suite.js --reparse PREFIX.json   (re-reads an earlier run's kept logs)
// (perf/librdkafka-suite.sh builds librdkafka and Spate first, then runs this.) Environment variables the
// runner knows, such as SUBTESTS=do_test_DeleteRecords, pass through to it.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { otherIssueOf } from './other-issues.js';
import { DEFAULT_KAFKA_VERSION, runUnit } from './run-unit.js';
import { outcomesFromOutput, type TestOutcome } from './runner-output.js';
import { startSpate } from './spate-broker.js';
import { readSuiteTable, type SuiteUnit } from './suite-tests.js';
import { spateVersion, writeSuiteReport, type SuiteRun, type UnitResult } from './suite-report.js';

const ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** What librdkafka's own test brokers set; everything else stays at Kafka's (and Spate's) defaults. */
const BROKER_OVERRIDES: Readonly<Record<string, string>> = { 'num.partitions': '4' };
const NO_AUTO_CREATE: Readonly<Record<string, string>> = { 'auto.create.topics.enable': 'false' };

const { values } = parseArgs({
  options: {
    'librdkafka-src': { type: 'string', default: process.env.LIBRDKAFKA_SRC ?? '' },
    tests: { type: 'string', default: process.env.TESTS ?? '' },
    parallel: { type: 'string', default: '1' },
    'timeout-multiplier': { type: 'string', default: '2' },
    'kafka-version': { type: 'string', default: DEFAULT_KAFKA_VERSION },
    out: { type: 'string' },
    reparse: { type: 'string' },
  },
});

interface RunOptions {
  source: string;
  timeoutMultiplier: number;
  logDir: string;
}

async function runOne(unit: SuiteUnit, options: RunOptions): Promise<UnitResult> {
  const base = join(options.logDir, `${unit.number}-${unit.scenario}`);
  const overrides = unit.scenario === 'noautocreate' ? { ...BROKER_OVERRIDES, ...NO_AUTO_CREATE } : BROKER_OVERRIDES;
  const started = Date.now();
  let outcomes: TestOutcome[];
  try {
    const broker = await startSpate(overrides, `${base}.broker.log`);
    try {
      outcomes = await runUnit(unit, broker.bootstrap, {
        librdkafkaSource: options.source,
        timeoutMultiplier: options.timeoutMultiplier,
        logPath: `${base}.runner.log`,
        confPath: `${base}.conf`,
        kafkaVersion: values['kafka-version'],
      });
    } finally {
      await broker.stop();
    }
  } catch (error: unknown) {
    const reason = `no broker: ${error instanceof Error ? error.message : String(error)}`;
    outcomes = unit.tests.map((name) => ({ name, state: 'NO_RESULT', seconds: 0, reason }));
  }
  for (const o of outcomes) {
    const issue = otherIssueOf(o);
    console.log(`${o.state.padEnd(11)} ${o.name} [${unit.scenario}] ${o.seconds.toFixed(1)} s${issue ? ` (issue ${issue.issue})` : ''}${o.state === 'PASSED' ? '' : `: ${o.reason}`}`);
  }
  return { unit, outcomes, seconds: (Date.now() - started) / 1000, logs: base };
}

async function runSuite(): Promise<void> {
  if (!values['librdkafka-src']) throw new Error('give --librdkafka-src DIR (or LIBRDKAFKA_SRC)');
  const source = resolve(values['librdkafka-src']);
  const parallel = Math.max(1, Number.parseInt(values.parallel, 10));
  const timeoutMultiplier = Number(values['timeout-multiplier']);
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');
  const out = values.out ?? join(ROOT, 'perf', 'results', `librdkafka-${stamp}`);
  const logDir = mkdtempSync(join(tmpdir(), 'spate-librdkafka-logs-'));
  const table = readSuiteTable(source);
  const wanted = values.tests.split(/[\s,]+/).filter((t) => t.length > 0);
  const units = wanted.length === 0 ? table.units : table.units.filter((u) => wanted.includes(u.number));

  console.log(`librdkafka suite: ${units.length} units from ${source}, ${parallel} at a time; logs in ${logDir}`);
  const spate = spateVersion();
  const started = Date.now();
  const results: UnitResult[] = [];
  let next = 0;
  const lanes = Array.from({ length: parallel }, async () => {
    while (next < units.length) {
      const unit = units[next++]!;
      results.push(await runOne(unit, { source, timeoutMultiplier, logDir }));
    }
  });
  await Promise.all(lanes);
  results.sort((a, b) => units.indexOf(a.unit) - units.indexOf(b.unit));
  const run: SuiteRun = { source, spate, results, local: table.local, manual: table.manual, seconds: (Date.now() - started) / 1000, parallel, timeoutMultiplier, logDir };
  mkdirSync(resolve(out, '..'), { recursive: true });
  console.log(writeSuiteReport(run, out));
  writeFileSync(`${out}.json`, JSON.stringify(run, null, 2));
  console.log(`written: ${out}.md, ${out}.json`);
}

function reparse(path: string): void {
  const run = JSON.parse(readFileSync(path, 'utf8')) as SuiteRun;
  for (const result of run.results) {
    const output = readFileSync(`${result.logs}.runner.log`, 'utf8');
    result.outcomes = outcomesFromOutput(result.unit.tests, output, 'runner ended without a summary row');
  }
  const out = values.out ?? path.replace(/\.json$/, '');
  console.log(writeSuiteReport(run, out));
  writeFileSync(`${out}.json`, JSON.stringify(run, null, 2));
}

if (values.reparse) reparse(values.reparse);
else await runSuite();
