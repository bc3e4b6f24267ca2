// The input format of `spate produce`: how one line of input becomes a message. A format string holds fields
// and the literal text between them (as rpk's `produce -f` and kcat's -K):
//   %k key   %v value   %h headers (h1:v1,h2:v2, as kafka-console-producer's parse.headers)   %p partition
//   %% a percent sign; \t and \n a tab and a newline
// A field runs up to the literal that follows it (the last one to the end of the line), so `%k\t%v` splits
// at the first tab. Without a format a line is a value; `-K SEP` is the format `%kSEP%v`.
import type { RecordHeader } from '../client/index.js';
import { usageError } from './exit-codes.js';

type Field = 'key' | 'value' | 'headers' | 'partition';
type Segment = { field: Field } | { literal: string };

export interface ParsedLine {
  key: string | null;
  value: string;
  headers: Array<{ key: string; value: string }>;
  partition?: number;
}

const FIELDS: Readonly<Record<string, Field>> = { k: 'key', v: 'value', h: 'headers', p: 'partition' };

export class InputFormat {
  readonly #segments: Segment[];

  private constructor(segments: Segment[]) {
    this.#segments = segments;
  }

  static value(): InputFormat {
    return new InputFormat([{ field: 'value' }]);
  }

  /** Compiles a format string; a usage error if it cannot be parsed unambiguously. */
  static parse(format: string): InputFormat {
    const segments: Segment[] = [];
    let literal = '';
    const seen = new Set<Field>();
    for (let i = 0; i < format.length; i++) {
      const c = format[i]!;
      if (c === '\\' && (format[i + 1] === 't' || format[i + 1] === 'n' || format[i + 1] === '\\')) {
        literal += format[i + 1] === 't' ? '\t' : format[i + 1] === 'n' ? '\n' : '\\';
        i++;
      } else if (c === '%') {
        const next = format[i + 1];
        i++;
        if (next === '%') {
          literal += '%';
          continue;
        }
        const field = next === undefined ? undefined : FIELDS[next];
        if (field === undefined) throw usageError(`input format "${format}": unknown field %${next ?? ''} (use %k, %v, %h, %p or %%)`);
        if (seen.has(field)) throw usageError(`input format "${format}": %${next} appears twice`);
        if (literal.length > 0) segments.push({ literal });
        else if (segments.length > 0) throw usageError(`input format "${format}": %${next} must be separated from the field before it by some text`);
        literal = '';
        seen.add(field);
        segments.push({ field });
      } else {
        literal += c;
      }
    }
    if (literal.length > 0) segments.push({ literal });
    if (!seen.has('value')) throw usageError(`input format "${format}" has no %v`);
    // Lines are split at newlines before parsing, so a trailing \n (as in kcat/rpk formats) is the line end.
    const last = segments.at(-1);
    if (last !== undefined && 'literal' in last && last.literal.endsWith('\n')) {
      const trimmed = last.literal.slice(0, -1);
      if (trimmed.length > 0) segments[segments.length - 1] = { literal: trimmed };
      else segments.pop();
    }
    if (segments.some((s) => 'literal' in s && s.literal.includes('\n'))) throw usageError(`input format "${format}": a newline may only end the format`);
    return new InputFormat(segments);
  }

  /** Splits one line; throws a plain Error saying what is wrong with it (the caller adds the line number). */
  parse(line: string): ParsedLine {
    const result: ParsedLine = { key: null, value: '', headers: [] };
    let pos = 0;
    for (let s = 0; s < this.#segments.length; s++) {
      const segment = this.#segments[s]!;
      if ('literal' in segment) {
        if (!line.startsWith(segment.literal, pos)) throw new Error(`expected ${JSON.stringify(segment.literal)} at column ${pos + 1}`);
        pos += segment.literal.length;
        continue;
      }
      const next = this.#segments[s + 1];
      let end = line.length;
      if (next !== undefined && 'literal' in next) {
        end = line.indexOf(next.literal, pos);
        if (end < 0) throw new Error(`no ${JSON.stringify(next.literal)} after the ${segment.field} (column ${pos + 1})`);
      }
      assign(result, segment.field, line.slice(pos, end));
      pos = end;
    }
    if (pos !== line.length) throw new Error(`unexpected text at column ${pos + 1}`);
    return result;
  }
}

function assign(result: ParsedLine, field: Field, text: string): void {
  switch (field) {
    case 'key':
      result.key = text;
      return;
    case 'value':
      result.value = text;
      return;
    case 'partition': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isInteger(n) || n < 0 || n > 2_147_483_647) throw new Error(`partition "${text}" is not a partition number`);
      result.partition = n;
      return;
    }
    case 'headers':
      result.headers = parseHeaders(text);
      return;
  }
}

/** `h1:v1,h2:v2` (an empty text: no headers). */
function parseHeaders(text: string): Array<{ key: string; value: string }> {
  if (text === '') return [];
  return text.split(',').map((pair) => {
    const at = pair.indexOf(':');
    if (at <= 0) throw new Error(`header "${pair}" is not key:value`);
    return { key: pair.slice(0, at), value: pair.slice(at + 1) };
  });
}

/** How texts become bytes or null: `-Z` makes empty keys and values null; --null-value names a marker. */
export interface NullRules {
  emptyIsNull: boolean;
  marker?: string;
}

export function toBytes(text: string | null, rules: NullRules): Buffer | null {
  if (text === null) return null;
  if (rules.marker !== undefined && text === rules.marker) return null;
  if (rules.emptyIsNull && text === '') return null;
  return Buffer.from(text, 'utf8');
}

export function toHeaders(headers: ReadonlyArray<{ key: string; value: string }>, rules: NullRules): RecordHeader[] {
  return headers.map((h) => ({ key: h.key, value: rules.marker !== undefined && h.value === rules.marker ? null : Buffer.from(h.value, 'utf8') }));
}
