// The broker's data directory must exist and be writable before anything is opened in it: a missing parent,
// a read-only file system or a file in the way becomes one line naming the directory and the cause.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpateError } from '../errors.js';

const PROBE_FILE = '.spate-write-probe';

const CAUSES: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  ENOTDIR: 'a path component is a file, not a directory',
  EEXIST: 'a file of that name is in the way',
  ENOENT: 'a parent directory cannot be created',
};

/** Creates `dir` if needed and checks a file can be written in it; throws SPATE_DATA_DIR otherwise. */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, PROBE_FILE);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const cause = CAUSES[code] ?? (error as Error).message;
    throw new SpateError('SPATE_DATA_DIR', `data dir ${dir} cannot be used: ${cause}${code ? ` (${code})` : ''}`, { cause: error });
  }
}
