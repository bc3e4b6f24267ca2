// Reading librdkafka's test-runner output: each test's outcome from the summary table it prints at the end,
// or, when a failure aborted the runner first, from that test's first failure report.

export type TestState = 'PASSED' | 'FAILED' | 'SKIPPED' | 'RUNNING' | 'NOT_STARTED' | 'NO_RESULT';

export interface TestOutcome {
  name: string;
  state: TestState;
  seconds: number;
  /** The runner's failure or skip text, or why there is no result. */
  reason: string;
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
