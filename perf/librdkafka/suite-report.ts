// The counts and the table of a librdkafka suite run, as Markdown next to the run's JSON.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { otherIssueOf } from './other-issues.js';
import type { TestOutcome } from './runner-output.js';
import type { SuiteUnit } from './suite-tests.js';

export interface UnitResult {
  unit: SuiteUnit;
  outcomes: TestOutcome[];
  seconds: number;
  /** Path prefix of the unit's .broker.log and .runner.log. */
  logs: string;
}

export interface SuiteRun {
  source: string;
  /** Spate's commit, and whether the work tree differed from it. */
  spate: string;
  results: UnitResult[];
  local: string[];
  manual: string[];
  seconds: number;
  parallel: number;
  timeoutMultiplier: number;
  logDir: string;
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function librdkafkaVersion(source: string): string {
  const header = readFileSync(join(source, 'src', 'rdkafka.h'), 'utf8');
  const hex = /#define RD_KAFKA_VERSION\s+0x([0-9a-fA-F]{8})/.exec(header)?.[1];
  if (!hex) return 'unknown';
  const n = Number.parseInt(hex, 16);
  return `${(n >>> 24) & 0xff}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}`;
}

function count(outcomes: readonly TestOutcome[]): Counts {
  const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  for (const o of outcomes) {
    if (o.state === 'PASSED') counts.passed++;
    else if (o.state === 'SKIPPED') counts.skipped++;
    // RUNNING (the runner's watchdog fired), NO_RESULT (it crashed or hung), NOT_STARTED: all failures.
    else counts.failed++;
  }
  return counts;
}

const ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** The commit of the Spate checkout the suite runs, marked when its tracked files differ from it. */
export function spateVersion(): string {
  const git = (args: string[]): string => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  return `${commit}${dirty ? ' (work tree)' : ''}`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

/** Writes `${out}.md` and returns its counts section. */
export function writeSuiteReport(run: SuiteRun, out: string): string {
  const all = run.results.flatMap((r) => r.outcomes.map((o) => ({ ...o, scenario: r.unit.scenario })));
  const ours = all.filter((o) => !otherIssueOf(o));
  const others = all.filter((o) => otherIssueOf(o));
  const mine = count(ours);
  const issues = [...new Set(others.map((o) => otherIssueOf(o)!.issue))].sort((a, b) => a - b);
  const summary = [
    `librdkafka ${librdkafkaVersion(run.source)} integration tests against Spate ${run.spate}: ${all.length} tests that need a broker, ${run.results.length} runs (one fresh broker each), ${run.parallel} at a time, test.timeout.multiplier=${run.timeoutMultiplier}, ${Math.round(run.seconds)} s.`,
    '',
    '| tests | passed | failed | skipped by the test itself |',
    '|---|---|---|---|',
    `| counted here (${ours.length}) | ${mine.passed} | ${mine.failed} | ${mine.skipped} |`,
    ...issues.map((issue) => {
      const c = count(others.filter((o) => otherIssueOf(o)!.issue === issue));
      const n = others.filter((o) => otherIssueOf(o)!.issue === issue).length;
      return `| need issue ${issue} (${n}), not counted | ${c.passed} | ${c.failed} | ${c.skipped} |`;
    }),
    '',
    `Not run: ${run.local.length} tests that need no broker (librdkafka's unit and mock-cluster tests, \`-L\`) and ${run.manual.length} manual ones.`,
  ].join('\n');
  const rows = all
    .filter((o) => o.state !== 'PASSED' || otherIssueOf(o))
    .map((o) => {
      const issue = otherIssueOf(o);
      const where = issue ? `issue ${issue.issue}: ${issue.why}` : 'this suite';
      return `| ${o.name} | ${o.scenario} | ${o.state} | ${cell(o.reason).slice(0, 300)} | ${where} |`;
    });
  const markdown = [
    '# librdkafka integration suite against Spate',
    '',
    summary,
    '',
    '## Every test that did not pass, and every test of another issue',
    '',
    '| test | scenario | outcome | the runner says | counted under |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Logs of this run (broker and runner, per test number): ${run.logDir}`,
    '',
  ].join('\n');
  writeFileSync(`${out}.md`, markdown);
  return summary;
}
