// Running `spate` as a child process for the operator tests, with a chosen environment.
import type { ExecutionContext } from 'ava';
import { spawnCollecting, type Spawned } from '../helpers/spawn.js';
import { CLI } from '../helpers/broker.js';
import { waitForLogLine, type LogLine } from '../helpers/raw-client.js';

/** The test's environment without any SPATE_* variable, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SPATE_')) env[k] = v;
  return { ...env, ...extra };
}

export function spawnSpate(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Spawned {
  return spawnCollecting(process.execPath, [...nodeArgs, CLI, ...args], { env: cleanEnv(env) });
}

/** Runs `spate ...args` to completion (killed after 20 s). */
export async function runSpate(
  t: ExecutionContext,
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = spawnSpate(args, env, nodeArgs);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 20_000);
  t.teardown(() => {
    clearTimeout(timer);
    run.child.kill('SIGKILL');
  });
  const code = await run.exited;
  clearTimeout(timer);
  return { code, stdout: run.stdout.join('\n'), stderr: run.stderr.join('') };
}

export interface RunningSpate extends Spawned {
  readonly port: number;
  readonly started: LogLine;
}

/** Starts `spate start ...args` (no metrics endpoint unless args say so) and waits for "broker started". */
export async function startSpate(t: ExecutionContext, args: string[], env: Record<string, string> = {}): Promise<RunningSpate> {
  const run = spawnSpate(['start', '--metrics-port', '-1', ...args], env);
  t.teardown(() => void run.child.kill('SIGKILL'));
  const started = await Promise.race([
    waitForLogLine(run.stdout, (l) => l.msg === 'broker started', 20_000),
    run.exited.then((code) => {
      throw new Error(`spate start exited with ${code}: ${run.stderr.join('')}\n${run.stdout.join('\n')}`);
    }),
  ]);
  return { ...run, port: started.port as number, started };
}

/** Parsed JSON log lines (non-JSON lines skipped). */
export function jsonLines(lines: readonly string[]): LogLine[] {
  const out: LogLine[] = [];
  for (const text of lines) {
    try {
      out.push(JSON.parse(text) as LogLine);
    } catch {
      // not a log line
    }
  }
  return out;
}

/** `spate start --print-config` output as name -> { value, source }. */
export function parsePrintedConfig(text: string): Map<string, { value: string; source: string }> {
  const result = new Map<string, { value: string; source: string }>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.startsWith('NAME ') || line.trim() === '') continue;
    const match = /^(\S+)\s+(\S+)\s+(.+)$/.exec(line);
    if (!match) throw new Error(`unexpected --print-config line: ${line}`);
    result.set(match[1]!, { value: match[2]!, source: match[3]! });
  }
  return result;
}
