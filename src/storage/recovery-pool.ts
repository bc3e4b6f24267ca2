// Startup recovery in parallel: every segment file that needs a scan (see planRecovery) is scanned by a
// piscina pool of stateless tasks (workers/recovery-task.ts); the owning partition worker then applies
// each result (cut the file, write the rebuilt indexes) when it opens the log.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { planRecovery } from './partition-log.js';
import type { SegmentScan } from './segment-scan.js';

const TASK_SCRIPT = fileURLToPath(new URL('../../workers/recovery-task.js', import.meta.url));

export interface RecoveryTask {
  path: string;
  baseOffset: number;
  verifyCrc: boolean;
  indexIntervalBytes: number;
}

export interface PrescanInput {
  dir: string;
  recoveryPoint: number | undefined;
  indexIntervalBytes: number;
}

/** Scans, keyed by partition dir; partitions that need no scan are absent. */
export async function prescanPartitions(inputs: readonly PrescanInput[], threads = availableParallelism()): Promise<Map<string, SegmentScan[]>> {
  const tasks: Array<{ dir: string; task: RecoveryTask }> = [];
  for (const input of inputs) {
    for (const job of planRecovery(input.dir, input.recoveryPoint).scan) {
      tasks.push({ dir: input.dir, task: { ...job, indexIntervalBytes: input.indexIntervalBytes } });
    }
  }
  const result = new Map<string, SegmentScan[]>();
  if (tasks.length === 0) return result;
  const pool = new Piscina<RecoveryTask, SegmentScan>({ filename: TASK_SCRIPT, maxThreads: Math.max(1, Math.min(threads, tasks.length)) });
  try {
    const scans = await Promise.all(tasks.map(({ task }) => pool.run(task)));
    scans.forEach((scan, i) => {
      const dir = tasks[i]!.dir;
      const list = result.get(dir);
      if (list) list.push(scan);
      else result.set(dir, [scan]);
    });
  } finally {
    await pool.destroy();
  }
  return result;
}
