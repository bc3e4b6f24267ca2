// The recovery-point checkpoint: one file per data dir, in Kafka's OffsetCheckpointFile text format
//   0                      (version)
//   <entry count>
//   <topic> <partition> <offset>   (one line per partition)
// A partition's recovery point is the offset below which its segments and their indexes were fdatasynced,
// so after an unclean shutdown only segments at or past it are scanned.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDir } from './io.js';

export const RECOVERY_POINT_FILE = 'recovery-point-offset-checkpoint';

export interface CheckpointEntry {
  topic: string;
  partition: number;
  offset: number;
}

/** Entries keyed `topic-partition`; empty when the file is missing or malformed (everything is then scanned). */
export function readRecoveryCheckpoint(dataDir: string): Map<string, number> {
  const result = new Map<string, number>();
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, RECOVERY_POINT_FILE), 'utf8');
  } catch {
    return result;
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== '0') return result;
  const count = Number(lines[1]);
  if (!Number.isSafeInteger(count) || lines.length - 2 !== count) return result;
  for (const line of lines.slice(2)) {
    const parts = line.split(' ');
    const offset = Number(parts[2]);
    const partition = Number(parts[1]);
    if (parts.length !== 3 || !Number.isSafeInteger(offset) || !Number.isSafeInteger(partition)) return new Map();
    result.set(`${parts[0]}-${partition}`, offset);
  }
  return result;
}

/** Replaces the checkpoint atomically (temp file, fsync, rename, fsync dir). */
export function writeRecoveryCheckpoint(dataDir: string, entries: readonly CheckpointEntry[]): void {
  const file = path.join(dataDir, RECOVERY_POINT_FILE);
  const tmp = file + '.tmp';
  const body = ['0', String(entries.length), ...entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`)].join('\n') + '\n';
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, body);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(dataDir);
}
