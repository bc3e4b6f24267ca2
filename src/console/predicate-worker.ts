// The predicate process's side of the conversation with src/console/predicate-filter.ts: a "start" message with
// the source, answered by "ready" (or a compile failure), then one answer per slice of records.
import { PredicateCompileError, PredicateSandbox, PredicateTimeoutError, type PredicateRecord, type SliceResult } from './predicate-sandbox.js';

export type PredicateFailure = 'compile' | 'timeout';

export type ParentMessage = { kind: 'start'; source: string; sliceTimeoutMs: number } | { kind: 'slice'; id: number; records: PredicateRecord[] };

export type ChildReply =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; result: SliceResult }
  | { kind: 'failed'; id: number; failure: PredicateFailure; message: string };

export interface ParentChannel {
  send(message: ChildReply): void;
  onMessage(handler: (message: ParentMessage) => void): void;
}

export function runPredicateProcess(parent: ParentChannel): void {
  let sandbox: PredicateSandbox | null = null;
  parent.onMessage((message) => {
    try {
      if (message.kind === 'start') {
        sandbox = new PredicateSandbox(message.source, message.sliceTimeoutMs);
        parent.send({ kind: 'ready' });
      } else if (sandbox !== null) {
        parent.send({ kind: 'result', id: message.id, result: sandbox.evaluate(message.records) });
      }
    } catch (error) {
      parent.send({ kind: 'failed', id: message.kind === 'slice' ? message.id : -1, failure: failureOf(error), message: (error as Error).message });
    }
  });
}

function failureOf(error: unknown): PredicateFailure {
  if (error instanceof PredicateTimeoutError) return 'timeout';
  if (error instanceof PredicateCompileError) return 'compile';
  return 'compile';
}
