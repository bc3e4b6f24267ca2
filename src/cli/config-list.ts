// kafka-configs.sh's list syntax: `--add-config k1=v1,k2=[a,b]` (a value holding commas is bracketed) and
// `--delete-config k1,k2`.
import { InvalidArgumentError } from 'commander';

/** Splits at commas outside square brackets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

export function parseConfigList(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const result = { ...previous };
  for (const entry of splitTopLevel(value)) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`expected key=value, got "${entry}"`);
    let v = entry.slice(at + 1);
    if (v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
    result[entry.slice(0, at)] = v;
  }
  return result;
}

export function parseNameList(value: string, previous: string[] = []): string[] {
  const names = splitTopLevel(value);
  if (names.length === 0) throw new InvalidArgumentError('expected one or more config names');
  return [...previous, ...names];
}
