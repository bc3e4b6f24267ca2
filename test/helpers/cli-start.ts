// `spate start` as a child process that is expected to refuse to start: its exit code and its stderr lines.
import { CLI } from './broker.js';
import { spawnCollecting, type Spawned } from './spawn.js';

export function spawnStart(dataDir: string, extraArgs: string[] = []): Spawned {
  return spawnCollecting(process.execPath, [CLI, 'start', '--port', '0', '--data-dir', dataDir, '--workers', '1', '--metrics-port', '-1', ...extraArgs]);
}

/** The exit code, or 'still running' when the process has not exited within `ms` (it is then killed). */
export async function exitWithin(spawned: Spawned, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  const outcome = await Promise.race([spawned.exited, late]);
  clearTimeout(timer);
  if (outcome === 'still running') {
    spawned.child.kill('SIGKILL');
    await spawned.exited;
  }
  return outcome;
}

/** stderr as its non-empty lines. */
export function stderrLines(spawned: Spawned): string[] {
  return spawned.stderr.join('').split('\n').filter((line) => line.trim() !== '');
}
