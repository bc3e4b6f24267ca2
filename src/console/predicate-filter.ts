// Runs a message-browser predicate in a child process of its own, started for one scan and ended after it.
// The process has a small V8 heap; each slice of records has a vm timeout there and a reply deadline here. A
// predicate that loops, allocates without end or hangs therefore costs the broker's thread nothing and its
// memory a bounded amount (a worker thread is not enough: one huge allocation in a worker can abort the whole
// process, nodejs/node#47224); the scan gets an error naming the limit.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConsoleApiError } from './api-error.js';
import type { PredicateRecord, SliceResult } from './predicate-sandbox.js';
import type { ChildReply, ParentMessage } from './predicate-worker.js';

export const PREDICATE_LIMITS = {
  /** vm timeout of one slice, in the predicate process. */
  sliceTimeoutMs: 50,
  /** A slice holds at most this many records, and at most sliceBytes of key, value and header text. */
  sliceRecords: 200,
  sliceBytes: 1024 * 1024,
  /** How long the process may take to answer a slice before it is ended. */
  replyDeadlineMs: 5000,
  /** How long it may take to start and compile (a Node.js start on a busy machine). */
  startDeadlineMs: 15_000,
  /** V8 heap of the predicate process (old space; plus 4 MiB semi-spaces). */
  heapMb: 48,
  /** Predicate scans running at once (each is a process). */
  maxProcesses: 2,
} as const;

const PROCESS_SCRIPT = fileURLToPath(new URL('../../workers/console-predicate.js', import.meta.url));

export function predicateInvalid(message: string): ConsoleApiError {
  return new ConsoleApiError(400, 'PREDICATE_INVALID', message);
}

let running = 0;

export class PredicateFilter {
  readonly #child: ChildProcess;
  #nextId = 0;
  readonly #pending = new Map<number, { resolve(result: SliceResult): void; reject(error: Error): void }>();
  #ready: { resolve(): void; reject(error: Error): void } | null = null;
  #failure: Error | null = null;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (reply: ChildReply) => {
      if (reply.kind === 'ready') {
        this.#ready?.resolve();
        return;
      }
      if (reply.kind === 'failed' && reply.id === -1) {
        this.#ready?.reject(failureError(reply.failure, reply.message));
        return;
      }
      const pending = this.#pending.get(reply.id);
      if (pending === undefined) return;
      this.#pending.delete(reply.id);
      if (reply.kind === 'result') pending.resolve(reply.result);
      else pending.reject(failureError(reply.failure, reply.message));
    });
    child.on('error', (error) => this.#fail(predicateInvalid(`the predicate process failed: ${error.message}`)));
    child.on('exit', (code, signal) => {
      // V8 aborts a process that reaches its heap limit (SIGABRT, or exit code 134 through a shell).
      const outOfMemory = signal === 'SIGABRT' || code === 134;
      this.#fail(
        outOfMemory
          ? predicateInvalid(`the predicate used more than its ${PREDICATE_LIMITS.heapMb} MiB heap`)
          : predicateInvalid(`the predicate process stopped (${signal ?? `exit code ${code}`})`),
      );
    });
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#ready?.reject(this.#failure);
    for (const p of this.#pending.values()) p.reject(this.#failure);
    this.#pending.clear();
  }

  /** Starts a process and compiles `source` there; rejects with PREDICATE_INVALID when it does not compile. */
  static async start(source: string): Promise<PredicateFilter> {
    if (running >= PREDICATE_LIMITS.maxProcesses) throw new ConsoleApiError(429, 'BUSY', `${running} predicate scans are running; try again in a moment`);
    running++;
    const child = fork(PROCESS_SCRIPT, [], {
      execArgv: [`--max-old-space-size=${PREDICATE_LIMITS.heapMb}`, '--max-semi-space-size=4'],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    child.once('exit', () => running--);
    const filter = new PredicateFilter(child);
    try {
      await filter.#withDeadline(
        new Promise<void>((resolve, reject) => {
          filter.#ready = { resolve, reject };
          filter.#send({ kind: 'start', source, sliceTimeoutMs: PREDICATE_LIMITS.sliceTimeoutMs });
        }),
        'start',
      );
    } catch (error) {
      await filter.close();
      throw error;
    }
    filter.#ready = null;
    return filter;
  }

  /** Matches of `records`, evaluated in slices of bounded size. */
  async evaluate(records: readonly PredicateRecord[]): Promise<SliceResult> {
    const total: SliceResult = { matches: [], errors: 0, firstError: null };
    let start = 0;
    while (start < records.length) {
      let end = start;
      let bytes = 0;
      while (end < records.length && end - start < PREDICATE_LIMITS.sliceRecords && (end === start || bytes < PREDICATE_LIMITS.sliceBytes)) {
        bytes += recordTextBytes(records[end]!);
        end++;
      }
      const slice = await this.#evaluateSlice(records.slice(start, end));
      total.matches.push(...slice.matches);
      total.errors += slice.errors;
      total.firstError ??= slice.firstError;
      start = end;
    }
    return total;
  }

  #evaluateSlice(records: PredicateRecord[]): Promise<SliceResult> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return this.#withDeadline(
      new Promise<SliceResult>((resolve, reject) => {
        this.#pending.set(id, { resolve, reject });
        this.#send({ kind: 'slice', id, records });
      }),
      'slice',
    );
  }

  #send(message: ParentMessage): void {
    if (!this.#child.connected) return this.#fail(predicateInvalid('the predicate process is gone'));
    this.#child.send(message, (error) => {
      if (error) this.#fail(predicateInvalid(`could not send records to the predicate process: ${error.message}`));
    });
  }

  #withDeadline<T>(promise: Promise<T>, what: 'start' | 'slice'): Promise<T> {
    const deadline = what === 'start' ? PREDICATE_LIMITS.startDeadlineMs : PREDICATE_LIMITS.replyDeadlineMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error =
          what === 'start'
            ? new ConsoleApiError(503, 'BUSY', `the predicate process did not start within ${deadline} ms`)
            : new ConsoleApiError(400, 'PREDICATE_TIMEOUT', `the predicate did not answer a slice within ${deadline} ms`);
        this.#fail(error);
        this.#child.kill('SIGKILL');
        reject(error);
      }, deadline);
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /** Ends the process (at once: it holds nothing worth keeping). */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGKILL');
    await exited;
  }
}

function recordTextBytes(r: PredicateRecord): number {
  let n = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const [k, v] of Object.entries(r.headers)) n += k.length + (v?.length ?? 0);
  return n;
}

function failureError(failure: 'compile' | 'timeout', message: string): ConsoleApiError {
  return failure === 'timeout' ? new ConsoleApiError(400, 'PREDICATE_TIMEOUT', message) : predicateInvalid(message);
}
