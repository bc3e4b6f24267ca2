// The output format of `spate consume`: `value` (the value, "null" for none, one per line), `json` (one JSON
// object per message), or a kcat -f style format string:
//   %t topic  %p partition  %o offset  %T timestamp (ms)  %k key  %K key length  %s value  %S value length
//   %h headers (k1=v1,k2=v2)  %% a percent sign;  \n \t \r \\ escapes
// A null key or value prints as nothing (kcat's way), or as NULL with -Z; its length prints as -1.
import type { Message } from '../client/index.js';
import { usageError } from './exit-codes.js';

export type Renderer = (m: Message) => string;

function text(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}

function renderJson(m: Message): string {
  const headers: Record<string, string | null> = {};
  for (const h of m.headers) headers[h.key] = text(h.value);
  return `${JSON.stringify({ topic: m.topic, partition: m.partition, offset: m.offset, timestamp: m.timestamp, key: text(m.key), value: text(m.value), headers })}\n`;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };

function compile(format: string, nullText: string): Renderer {
  const parts: Array<string | Renderer> = [];
  let literal = '';
  const nullable = (b: Buffer | null): string => (b === null ? nullText : b.toString('utf8'));
  const length = (b: Buffer | null): string => (b === null ? '-1' : String(b.length));
  const fields: Readonly<Record<string, Renderer>> = {
    t: (m) => m.topic,
    p: (m) => String(m.partition),
    o: (m) => String(m.offset),
    T: (m) => String(m.timestamp),
    k: (m) => nullable(m.key),
    K: (m) => length(m.key),
    s: (m) => nullable(m.value),
    S: (m) => length(m.value),
    h: (m) => m.headers.map((h) => `${h.key}=${nullable(h.value)}`).join(','),
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    const next = format[i + 1];
    if (c === '\\' && next !== undefined && ESCAPES[next] !== undefined) {
      literal += ESCAPES[next];
      i++;
    } else if (c === '%') {
      i++;
      if (next === '%') {
        literal += '%';
        continue;
      }
      const field = next === undefined ? undefined : fields[next];
      if (field === undefined) throw usageError(`format "${format}": unknown field %${next ?? ''} (use %t %p %o %T %k %K %s %S %h or %%)`);
      if (literal.length > 0) parts.push(literal);
      literal = '';
      parts.push(field);
    } else {
      literal += c;
    }
  }
  if (literal.length > 0) parts.push(literal);
  return (m) => parts.map((p) => (typeof p === 'string' ? p : p(m))).join('');
}

/** The renderer for --format (value, json or a format string); `nullAsNull` is -Z. */
export function outputRenderer(format: string, nullAsNull: boolean): Renderer {
  if (format === 'value') return (m) => `${text(m.value) ?? 'null'}\n`;
  if (format === 'json') return renderJson;
  return compile(format, nullAsNull ? 'NULL' : '');
}
