// Starting real brokers for tests: in-process (fast, for most tests) or as a child process (for restarts and kills).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker, type RunningBroker, type StartBrokerOptions } from '../../src/index.js';

/** Repository root (tests run from dist/test/...). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');

/** Test defaults: no initial rebalance delay, so group tests do not idle 3 s per join. */
export function startTestBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  return startBroker({
    logLevel: 'silent',
    ...options,
    config: { 'group.initial.rebalance.delay.ms': 0, ...options.config },
  });
}

export function temporaryDir(prefix = 'spate-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface BrokerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly bootstrap: string;
  /** Every log line the broker printed so far (JSON lines from pino). */
  readonly logs: string[];
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/** Runs `spate start` as a child process on an ephemeral port and resolves once it listens. */
export function startBrokerProcess(dataDir: string, extraArgs: string[] = [], port = 0): Promise<BrokerProcess> {
  const child = spawn(
    process.execPath,
    // No metrics endpoint unless a test asks (extraArgs come later and win): parallel brokers would share 9644.
    [CLI, 'start', '--port', String(port), '--data-dir', dataDir, '--workers', '1', '--override', 'group.initial.rebalance.delay.ms=0', '--metrics-port', '-1', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return new Promise((resolveStart, rejectStart) => {
    let buffered = '';
    const timer = setTimeout(() => rejectStart(new Error(`broker did not start in 15 s; logs:\n${logs.join('\n')}`)), 15_000);
    const onLine = (line: string): void => {
      logs.push(line);
      if (!line.includes('"broker started"')) return;
      clearTimeout(timer);
      const listening = JSON.parse(line) as { port: number };
      resolveStart({
        child,
        port: listening.port,
        bootstrap: `127.0.0.1:${listening.port}`,
        logs,
        async stop() {
          child.kill('SIGTERM');
          return exited;
        },
        async kill() {
          child.kill('SIGKILL');
          await exited;
        },
      });
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString('utf8')));
    void exited.then((code) => {
      clearTimeout(timer);
      rejectStart(new Error(`broker exited with ${code} before listening; logs:\n${logs.join('\n')}`));
    });
  });
}
