// One Spate broker as a child process (`spate start` on a free loopback port), its log lines kept in a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = resolve(fileURLToPath(new URL('../../src/cli/main.js', import.meta.url)));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface SpateBroker {
  readonly bootstrap: string;
  /** SIGTERM, then SIGKILL if it has not exited in time; removes its data dir. */
  stop(): Promise<void>;
}

export function startSpate(overrides: Record<string, string>, logPath: string): Promise<SpateBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spate-rdkafka-'));
  const args = [CLI, 'start', '--port', '0', '--data-dir', dataDir, '--metrics-port', '-1'];
  for (const [key, value] of Object.entries(overrides)) args.push('--override', `${key}=${value}`);
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logPath);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((done) => log.end(done));
    rmSync(dataDir, { recursive: true, force: true });
  };
  return new Promise((resolveStart, rejectStart) => {
    let buffered = '';
    let started = false;
    const timer = setTimeout(() => {
      void stop().then(() => rejectStart(new Error(`spate did not start in ${START_TIMEOUT_MS} ms (log: ${logPath})`)));
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (started) return;
      buffered += chunk.toString('utf8');
      const complete = buffered.split('\n').slice(0, -1);
      const line = complete.find((l) => l.includes('"broker started"'));
      if (!line) return;
      started = true;
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      resolveStart({ bootstrap: `127.0.0.1:${port}`, stop });
    });
    child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
    void exited.then(() => {
      if (started) return;
      clearTimeout(timer);
      void stop().then(() => rejectStart(new Error(`spate exited before listening (log: ${logPath})`)));
    });
  });
}
