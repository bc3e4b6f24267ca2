// The predicate worker's side of the conversation with src/console/predicate-filter.ts: one "ready" (or a
// compile error) after start, then one answer per slice of records.
import type { MessagePort } from 'node:worker_threads';
import { PredicateCompileError, PredicateSandbox, PredicateTimeoutError, type PredicateRecord, type SliceResult } from './predicate-sandbox.js';

export interface PredicateWorkerData {
  source: string;
  sliceTimeoutMs: number;
}

export type PredicateFailure = 'compile' | 'timeout';

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; result: SliceResult }
  | { kind: 'failed'; id: number; failure: PredicateFailure; message: string };

export interface SliceRequest {
  id: number;
  records: PredicateRecord[];
}

export function runPredicateWorker(port: MessagePort, data: PredicateWorkerData): void {
  let sandbox: PredicateSandbox;
  try {
    sandbox = new PredicateSandbox(data.source, data.sliceTimeoutMs);
  } catch (error) {
    port.postMessage({ kind: 'failed', id: -1, failure: failureOf(error), message: (error as Error).message } satisfies WorkerReply);
    return;
  }
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
  port.on('message', (request: SliceRequest) => {
    try {
      port.postMessage({ kind: 'result', id: request.id, result: sandbox.evaluate(request.records) } satisfies WorkerReply);
    } catch (error) {
      port.postMessage({ kind: 'failed', id: request.id, failure: failureOf(error), message: (error as Error).message } satisfies WorkerReply);
    }
  });
}

function failureOf(error: unknown): PredicateFailure {
  if (error instanceof PredicateTimeoutError) return 'timeout';
  if (error instanceof PredicateCompileError) return 'compile';
  return 'compile';
}
