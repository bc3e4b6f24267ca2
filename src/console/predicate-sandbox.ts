// The message browser's JavaScript predicate, compiled and run in a node:vm context of its own: no require, no
// process, no timers, no eval or new Function (code generation from strings is off), records handed over as
// JSON text and parsed inside the context (so no object of the host realm is reachable from the predicate),
// and every slice of records evaluated under a vm timeout. This runs inside a worker thread with a heap
// limit (workers/console-predicate.ts), so neither an endless loop nor a runaway allocation reaches the
// broker's thread.
import { createContext, Script, type Context } from 'node:vm';

/** What a predicate sees of a record; it is written as an expression over these names. */
export interface PredicateRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  /** UTF-8 text of the key and value, null for null. */
  key: string | null;
  value: string | null;
  headers: Record<string, string | null>;
}

export interface SliceResult {
  matches: boolean[];
  /** Records on which the predicate threw (counted as not matching). */
  errors: number;
  firstError: string | null;
}

export const MAX_PREDICATE_LENGTH = 4096;

export class PredicateCompileError extends Error {}
export class PredicateTimeoutError extends Error {}

const ERROR_TEXT_LIMIT = 300;

export class PredicateSandbox {
  readonly #context: Context;
  readonly #runner: Script;
  readonly #timeoutMs: number;

  /** Compiles `source`, an expression such as `json?.amount > 100 && headers.type === "order"`. */
  constructor(source: string, timeoutMs: number) {
    if (source.length > MAX_PREDICATE_LENGTH) throw new PredicateCompileError(`the predicate is ${source.length} characters; at most ${MAX_PREDICATE_LENGTH}`);
    this.#timeoutMs = timeoutMs;
    this.#context = createContext(Object.create(null) as object, {
      name: 'spate-console-predicate',
      codeGeneration: { strings: false, wasm: false },
      microtaskMode: 'afterEvaluate',
    });
    // `json` (the value parsed as JSON, undefined when it is not JSON) is parsed only when the source names it.
    const parsesJson = /\bjson\b/.test(source);
    const wrapper =
      `"use strict"; const __predicate = function (r) { const { topic, partition, offset, timestamp, key, value, headers } = r;` +
      (parsesJson ? ' let json; try { json = value === null ? undefined : JSON.parse(value); } catch { json = undefined; }' : '') +
      ` return (${source}\n); };`;
    try {
      new Script(wrapper, { filename: 'predicate.js' }).runInContext(this.#context, { timeout: timeoutMs });
    } catch (error) {
      if (isTimeout(error)) throw new PredicateTimeoutError(`compiling the predicate took over ${timeoutMs} ms`);
      throw new PredicateCompileError(`the predicate does not compile: ${errorText(error)}`);
    }
    this.#runner = new Script(
      `(function (input) {
        const records = JSON.parse(input);
        const out = [];
        let errors = 0;
        let first = null;
        for (let i = 0; i < records.length; i++) {
          let matched = false;
          try { matched = Boolean(__predicate(records[i])); } catch (e) { errors++; if (first === null) { try { first = String(e && e.message !== undefined ? e.message : e); } catch { first = 'an error that cannot be shown'; } } }
          out.push(matched ? 1 : 0);
        }
        return JSON.stringify({ out, errors, first });
      })(__input)`,
      { filename: 'predicate-runner.js' },
    );
  }

  /** Evaluates the predicate on every record of the slice; throws PredicateTimeoutError past the timeout. */
  evaluate(records: readonly PredicateRecord[]): SliceResult {
    (this.#context as Record<string, unknown>)['__input'] = JSON.stringify(records);
    let text: unknown;
    try {
      text = this.#runner.runInContext(this.#context, { timeout: this.#timeoutMs });
    } catch (error) {
      if (isTimeout(error)) throw new PredicateTimeoutError(`the predicate ran over its ${this.#timeoutMs} ms limit on a slice of ${records.length} record(s)`);
      throw new PredicateCompileError(`the predicate failed: ${errorText(error)}`);
    } finally {
      (this.#context as Record<string, unknown>)['__input'] = undefined;
    }
    if (typeof text !== 'string') throw new PredicateCompileError('the predicate replaced the console\'s runner');
    const parsed = JSON.parse(text) as { out: number[]; errors: number; first: string | null };
    return { matches: parsed.out.map((m) => m === 1), errors: parsed.errors, firstError: parsed.first === null ? null : parsed.first.slice(0, ERROR_TEXT_LIMIT) };
  }
}

function isTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

/** Never calls into the predicate's own objects (a thrown object's toString could loop outside the vm timeout). */
function errorText(error: unknown): string {
  if (error instanceof Error) return error.message.slice(0, ERROR_TEXT_LIMIT);
  if (typeof error === 'object' && error !== null) return 'it threw an object that is not an Error';
  if (typeof error === 'function') return 'it threw a function';
  return String(error).slice(0, ERROR_TEXT_LIMIT);
}
