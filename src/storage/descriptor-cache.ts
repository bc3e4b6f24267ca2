// Bounded file descriptors for segment logs and their indexes. A broker with 10,000 partitions would otherwise
// hold three descriptors per partition (the active .log, .index and .timeindex), more with older segments, and
// run past a typical limit of 20,000 (or the 1,024 of many login shells), failing every later open, socket accepts
// included. Files keep their descriptor while used; past the bound the least recently used one on this thread
// is closed and reopened on its next use. Nothing is lost by closing: data written through a descriptor is in
// the page cache, and a later fdatasync through a new descriptor of the same file covers it.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface DescriptorHolder {
  /** Closes the descriptor; the holder reopens its file when next used. */
  releaseDescriptor(): void;
}

const MIN_PER_KIND = 64;
const MAX_PER_KIND = 1024;
/** Without a readable limit (not Linux), the common soft limit of a login shell. */
const FALLBACK_LIMIT = 1024;

function softOpenFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s+/)[3]);
    return Number.isSafeInteger(soft) && soft > 0 ? soft : FALLBACK_LIMIT;
  } catch {
    return FALLBACK_LIMIT;
  }
}

/**
 * Descriptors one thread may keep open for one kind of file (logs, or indexes). Every partition worker thread
 * has one cache of each kind, so the process-wide total is about 2 x workers x this: a quarter of the soft
 * limit at most when there is a worker per core, the rest staying free for sockets and the main thread.
 */
export function descriptorsPerThread(): number {
  const share = Math.floor(softOpenFileLimit() / (8 * availableParallelism()));
  return Math.max(MIN_PER_KIND, Math.min(MAX_PER_KIND, share));
}

/** Least-recently-used set of holders with an open descriptor. */
export class DescriptorCache<T extends DescriptorHolder> {
  readonly capacity: number;
  readonly #open = new Set<T>(); // iteration order = least recently used first

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#open.size;
  }

  /** `holder` has just used its descriptor; the least recently used one beyond the bound is closed. */
  touch(holder: T): void {
    this.#open.delete(holder);
    this.#open.add(holder);
    if (this.#open.size > this.capacity) {
      const oldest = this.#open.values().next().value;
      if (oldest !== undefined && oldest !== holder) oldest.releaseDescriptor();
    }
  }

  /** `holder` closed its descriptor. */
  forget(holder: T): void {
    this.#open.delete(holder);
  }
}
