// One broker per data directory, as Kafka's `.lock`. Node has no flock, so the lock is built from operations
// the file system makes atomic:
//
//   <data-dir>/.lock/               a directory, created once and never removed
//   <data-dir>/.lock/<pid>-<token>  one file per contender: its ProcessIdentity, written to a temporary name
//                                   first and renamed, so a reader never sees half of one
//
// A contender drops the files of holders that are certainly dead (a SIGKILLed broker leaves its file behind;
// its pid is gone, or reused by a process with another start time), adds its own, then lists the directory:
// it holds the lock only if no live contender's file is there besides its own. Of two contenders the one that
// lists second sees the other's file (it was added before that listing began), so two can never both win;
// both may see each other and both back off, and a random pause before the next round separates them.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { SpateError } from '../errors.js';
import { type ProcessIdentity, currentProcessIdentity, isProcessIdentity, liveness } from './process-identity.js';

export const LOCK_DIR = '.lock';
const TEMPORARY_PREFIX = '.tmp-';
/** Rounds of add-and-look before giving up on a contender that keeps colliding with us. */
const MAX_ROUNDS = 40;
const BACKOFF_MIN_MS = 5;
const BACKOFF_SPREAD_MS = 45;

interface HolderRecord extends ProcessIdentity {
  /** When the lock was taken (ISO 8601), for the message that names the holder. */
  since: string;
}

interface Contender {
  file: string;
  holder: HolderRecord | null;
}

function holderFileName(pid: number, token: string): string {
  return `${pid}-${token}`;
}

function readContender(lockDir: string, file: string): Contender | null {
  let text: string;
  try {
    text = fs.readFileSync(join(lockDir, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // released meanwhile
    return { file, holder: null };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (isProcessIdentity(parsed) && typeof (parsed as Partial<HolderRecord>).since === 'string') return { file, holder: parsed as HolderRecord };
  } catch {
    // An unreadable file names nobody that could be checked: it is reported, never removed.
  }
  return { file, holder: null };
}

function removeQuietly(path: string): void {
  try {
    fs.rmSync(path, { force: true });
  } catch {
    // Another contender removed it, or it cannot be removed; either way the listing decides.
  }
}

function lockedError(dataDir: string, lockDir: string, other: Contender, self: ProcessIdentity): SpateError {
  const where = join(lockDir, other.file);
  if (other.holder === null) {
    return new SpateError('SPATE_DATA_DIR_LOCKED', `data directory ${dataDir} is locked by ${where}, which cannot be read; remove it if no broker uses this directory`);
  }
  const h = other.holder;
  const who = h.pid === self.pid && h.host === self.host ? `another broker in this process (pid ${h.pid})` : `another Spate broker, pid ${h.pid} on ${h.host}`;
  return new SpateError(
    'SPATE_DATA_DIR_LOCKED',
    `data directory ${dataDir} is in use by ${who}, since ${h.since}; stop that broker first (lock file ${where})`,
  );
}

export class DataDirLock {
  readonly dataDir: string;
  readonly #file: string;
  #held = true;

  private constructor(dataDir: string, file: string) {
    this.dataDir = dataDir;
    this.#file = file;
  }

  /** Takes the lock on `dataDir` (creating the directory), or throws SPATE_DATA_DIR_LOCKED naming the holder. */
  static async acquire(dataDir: string): Promise<DataDirLock> {
    try {
      return await DataDirLock.#acquire(dataDir);
    } catch (error) {
      if (error instanceof SpateError) throw error;
      // EACCES, ENOTDIR, EROFS...: one line naming the directory, not a stack trace.
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new SpateError('SPATE_STORAGE', `cannot lock data directory ${dataDir}: ${reason} (${(error as Error).message})`, { cause: error });
    }
  }

  static async #acquire(dataDir: string): Promise<DataDirLock> {
    const lockDir = join(dataDir, LOCK_DIR);
    fs.mkdirSync(lockDir, { recursive: true });
    const self = currentProcessIdentity();
    const token = randomBytes(8).toString('hex');
    const mine = holderFileName(self.pid, token);
    const record: HolderRecord = { ...self, since: new Date().toISOString() };
    removeDeadTemporaries(lockDir, self);
    let lastSeen: Contender | null = null;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // A live contender that is there before we add ourselves holds the lock, or will: nothing to race for.
      const before = liveContenders(lockDir, mine, self);
      if (before.length > 0) throw lockedError(dataDir, lockDir, before[0]!, self);
      writeHolderFile(lockDir, mine, record);
      const after = liveContenders(lockDir, mine, self);
      if (after.length === 0) return new DataDirLock(dataDir, join(lockDir, mine));
      removeQuietly(join(lockDir, mine));
      lastSeen = after[0]!;
      await new Promise((resolve) => setTimeout(resolve, BACKOFF_MIN_MS + Math.random() * BACKOFF_SPREAD_MS));
    }
    throw lockedError(dataDir, lockDir, lastSeen!, self);
  }

  get held(): boolean {
    return this.#held;
  }

  /** Gives the lock up. Idempotent. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    removeQuietly(this.#file);
  }
}

/** Contenders other than `mine` that may be alive; files of dead ones are removed on the way. */
function liveContenders(lockDir: string, mine: string, self: ProcessIdentity): Contender[] {
  const live: Contender[] = [];
  for (const file of fs.readdirSync(lockDir)) {
    if (file === mine || file.startsWith(TEMPORARY_PREFIX)) continue;
    const contender = readContender(lockDir, file);
    if (contender === null) continue;
    if (contender.holder !== null && liveness(contender.holder, self) === 'dead') removeQuietly(join(lockDir, file));
    else live.push(contender);
  }
  return live;
}

function writeHolderFile(lockDir: string, name: string, record: HolderRecord): void {
  const temporary = join(lockDir, `${TEMPORARY_PREFIX}${name}`);
  const fd = fs.openSync(temporary, 'w', 0o644);
  try {
    fs.writeSync(fd, JSON.stringify(record));
    // Synced before the rename: after a power loss the file is whole or absent, never an empty name that
    // nobody could check and that would keep every later start out.
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, join(lockDir, name));
}

/** Temporary files left by contenders killed between writing and renaming them. */
function removeDeadTemporaries(lockDir: string, self: ProcessIdentity): void {
  for (const file of fs.readdirSync(lockDir)) {
    if (!file.startsWith(TEMPORARY_PREFIX)) continue;
    const pid = Number(file.slice(TEMPORARY_PREFIX.length).split('-')[0]);
    if (!Number.isSafeInteger(pid) || pid <= 0) continue;
    if (liveness({ pid, host: self.host, bootId: null, startTicks: null }, self) === 'dead') removeQuietly(join(lockDir, file));
  }
}
