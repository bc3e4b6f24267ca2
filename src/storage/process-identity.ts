// Who a process is, in a form another process can check later: pid, host, boot and the pid's start time. A pid
// alone is not enough after a crash, because the kernel reuses pids: the start time (from /proc/<pid>/stat on
// Linux) tells a reused pid from the original process, and the boot id tells a pid from before a reboot.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessIdentity {
  pid: number;
  host: string;
  /** /proc/sys/kernel/random/boot_id; null where there is none (not Linux). */
  bootId: string | null;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot), as text; null where unreadable. */
  startTicks: string | null;
}

/** `alive`: the process runs (or cannot be shown not to); `dead`: it certainly does not. */
export type Liveness = 'alive' | 'dead';

function readTrimmed(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Fields 3 onwards of /proc/<pid>/stat, or null when /proc cannot tell (no such process, not Linux, hidepid). */
function statFields(pid: number): string[] | null {
  const stat = readTrimmed(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The start time of `pid`, or null when /proc cannot tell. */
export function processStartTicks(pid: number): string | null {
  // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
  return statFields(pid)?.[19] ?? null;
}

export function currentProcessIdentity(): ProcessIdentity {
  return {
    pid: process.pid,
    host: hostname(),
    bootId: readTrimmed('/proc/sys/kernel/random/boot_id'),
    startTicks: processStartTicks(process.pid),
  };
}

/**
 * Whether the process `holder` describes still runs. Anything that cannot be checked counts as alive: a
 * process on another host, or one whose pid exists but whose start time cannot be read.
 */
export function liveness(holder: ProcessIdentity, self: ProcessIdentity = currentProcessIdentity()): Liveness {
  if (holder.host !== self.host) return 'alive';
  if (holder.bootId !== null && self.bootId !== null && holder.bootId !== self.bootId) return 'dead';
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the pid exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  const fields = statFields(holder.pid);
  // A killed process its parent has not reaped yet is a zombie: its pid exists, but it holds nothing.
  if (fields?.[0] === 'Z' || fields?.[0] === 'X') return 'dead';
  if (holder.startTicks === null) return 'alive';
  const now = fields?.[19] ?? null;
  return now === null || now === holder.startTicks ? 'alive' : 'dead';
}

/** Checks that a parsed value has the shape of a ProcessIdentity. */
export function isProcessIdentity(value: unknown): value is ProcessIdentity {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(v.pid) &&
    (v.pid as number) > 0 &&
    typeof v.host === 'string' &&
    (v.bootId === null || typeof v.bootId === 'string') &&
    (v.startTicks === null || typeof v.startTicks === 'string')
  );
}
