// Runs a message-browser predicate on a worker thread of its own, started for one scan and ended after it. The
// worker has a heap limit, each slice of records a vm timeout inside the worker and a reply deadline here, so
// a predicate that loops, allocates without end or hangs costs the broker's thread nothing and its memory a
// bounded amount; the scan gets an error naming the limit.
import { Worker } from 'node:worker_threads';
import { ConsoleApiError } from './api-error.js';
import type { PredicateRecord, SliceResult } from './predicate-sandbox.js';
import type { PredicateWorkerData, SliceRequest, WorkerReply } from './predicate-worker.js';

export const PREDICATE_LIMITS = {
  /** vm timeout of one slice, inside the worker. */
  sliceTimeoutMs: 50,
  /** A slice holds at most this many records, and at most sliceBytes of key, value and header text. */
  sliceRecords: 200,
  sliceBytes: 1024 * 1024,
  /** How long the worker may take to answer a slice (or to start) before it is ended. */
  replyDeadlineMs: 5000,
  /** The worker's V8 heap (old and young generation). */
  maxOldGenerationSizeMb: 32,
  maxYoungGenerationSizeMb: 8,
} as const;

const WORKER_SCRIPT = new URL('../../workers/console-predicate.js', import.meta.url);

export function predicateInvalid(message: string): ConsoleApiError {
  return new ConsoleApiError(400, 'PREDICATE_INVALID', message);
}

export class PredicateFilter {
  readonly #worker: Worker;
  #nextId = 0;
  readonly #pending = new Map<number, { resolve(result: SliceResult): void; reject(error: Error): void }>();
  #failure: Error | null = null;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'ready') return;
      const pending = this.#pending.get(reply.id);
      if (pending === undefined) return;
      this.#pending.delete(reply.id);
      if (reply.kind === 'result') pending.resolve(reply.result);
      else pending.reject(failureError(reply.failure, reply.message));
    });
    const fail = (error: Error): void => {
      this.#failure ??= error;
      for (const p of this.#pending.values()) p.reject(this.#failure);
      this.#pending.clear();
    };
    worker.on('error', (error: Error) => fail(workerError(error)));
    worker.on('exit', () => fail(predicateInvalid('the predicate worker stopped')));
  }

  /** Starts a worker and compiles `source` there; rejects with PREDICATE_INVALID when it does not compile. */
  static start(source: string): Promise<PredicateFilter> {
    const workerData: PredicateWorkerData = { source, sliceTimeoutMs: PREDICATE_LIMITS.sliceTimeoutMs };
    const worker = new Worker(WORKER_SCRIPT, {
      workerData,
      name: 'spate-console-predicate',
      resourceLimits: { maxOldGenerationSizeMb: PREDICATE_LIMITS.maxOldGenerationSizeMb, maxYoungGenerationSizeMb: PREDICATE_LIMITS.maxYoungGenerationSizeMb, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(predicateInvalid(`the predicate did not compile within ${PREDICATE_LIMITS.replyDeadlineMs} ms`));
      }, PREDICATE_LIMITS.replyDeadlineMs);
      const cleanUp = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      const onMessage = (reply: WorkerReply): void => {
        cleanUp();
        if (reply.kind === 'ready') resolve(new PredicateFilter(worker));
        else {
          void worker.terminate();
          reject(failureError(reply.kind === 'failed' ? reply.failure : 'compile', reply.kind === 'failed' ? reply.message : 'unexpected reply'));
        }
      };
      const onError = (error: Error): void => {
        cleanUp();
        reject(workerError(error));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
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
    return new Promise<SliceResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ConsoleApiError(400, 'PREDICATE_TIMEOUT', `the predicate did not answer a slice within ${PREDICATE_LIMITS.replyDeadlineMs} ms`));
        void this.#worker.terminate();
      }, PREDICATE_LIMITS.replyDeadlineMs);
      this.#pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#worker.postMessage({ id, records } satisfies SliceRequest);
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
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

function workerError(error: Error): ConsoleApiError {
  if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return predicateInvalid(`the predicate used more than its ${PREDICATE_LIMITS.maxOldGenerationSizeMb + PREDICATE_LIMITS.maxYoungGenerationSizeMb} MiB heap`);
  }
  return predicateInvalid(`the predicate worker failed: ${error.message}`);
}
