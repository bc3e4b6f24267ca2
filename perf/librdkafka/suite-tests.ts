// The tests of librdkafka's integration suite, read from the tests[] table of its tests/test.c, grouped into the
// units the suite script runs: one test number in one scenario, each against its own fresh broker.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Scenario = 'default' | 'noautocreate';

export interface SuiteTest {
  /** As the runner prints it, e.g. 0045_subscribe_update_topic_remove. */
  name: string;
  /** The four digits TESTS= selects by. */
  number: string;
  scenarios: Scenario[];
}

export interface SuiteUnit {
  number: string;
  scenario: Scenario;
  tests: string[];
}

export interface SuiteTable {
  units: SuiteUnit[];
  /** Tests the runner itself runs without a broker (librdkafka's unit and mock-cluster tests). */
  local: string[];
  /** Tests the runner only runs when named (TEST_F_MANUAL): not part of the suite. */
  manual: string[];
}

const KNOWN_SCENARIOS: readonly Scenario[] = ['default', 'noautocreate'];

/** Parses `_TEST(name, flags, ...)` entries; the table is regular C written by hand, one entry per test. */
export function readSuiteTable(librdkafkaSource: string): SuiteTable {
  const source = readFileSync(join(librdkafkaSource, 'tests', 'test.c'), 'utf8');
  const start = source.indexOf('struct test tests[] = {');
  const end = source.indexOf('{NULL}', start);
  if (start < 0 || end < 0) throw new Error('tests/test.c has no tests[] table');
  const table = source.slice(start, end);
  const local: string[] = [];
  const manual: string[] = [];
  const tests: SuiteTest[] = [];
  for (const entry of table.split('_TEST(').slice(1)) {
    const match = /^\s*(\d{4})_(\w+)\s*,\s*([^,)]*)/.exec(entry);
    if (!match) continue;
    const number = match[1]!;
    const name = `${number}_${match[2]!}`;
    const flags = match[3]!;
    if (flags.includes('TEST_F_LOCAL')) local.push(name);
    else if (flags.includes('TEST_F_MANUAL')) manual.push(name);
    else {
      const scenario = /\.scenario\s*=\s*"([^"]*)"/.exec(entry)?.[1] ?? 'default';
      const scenarios = KNOWN_SCENARIOS.filter((s) => scenario.split(',').includes(s));
      tests.push({ name, number, scenarios });
    }
  }
  const units: SuiteUnit[] = [];
  for (const test of tests) {
    for (const scenario of test.scenarios) {
      let unit = units.find((u) => u.number === test.number && u.scenario === scenario);
      if (!unit) {
        unit = { number: test.number, scenario, tests: [] };
        units.push(unit);
      }
      unit.tests.push(test.name);
    }
  }
  return { units, local, manual };
}
