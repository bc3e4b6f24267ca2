// Child processes for tests: stdout collected line by line, stderr as text, and the exit code as a promise.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Spawned {
  readonly child: ChildProcess;
  /** stdout, one entry per line. */
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
}

export function spawnCollecting(command: string, args: string[], options: Pick<SpawnOptions, 'cwd' | 'detached' | 'env'> = {}): Spawned {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop()!;
    stdout.push(...lines);
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      if (partial) stdout.push(partial);
      resolve(code);
    }),
  );
  return { child, stdout, stderr, exited };
}
