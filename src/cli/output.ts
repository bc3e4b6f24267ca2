// What a command prints: `--output table` (the default: text for people) or `--output json` (one JSON document
// on stdout, for scripts). Commands build a plain result and hand it here with its table rendering.
import { InvalidArgumentError } from 'commander';

export type OutputFormat = 'table' | 'json';

export function parseOutputFormat(value: string): OutputFormat {
  if (value === 'table' || value === 'json') return value;
  throw new InvalidArgumentError('output must be table or json');
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Prints `result` as JSON, or as the text `table` renders from it. */
export function emit<T>(format: OutputFormat, result: T, table: (result: T) => string): void {
  if (format === 'json') {
    out(JSON.stringify(result));
    return;
  }
  const text = table(result);
  if (text.length > 0) out(text);
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** A table cell for a value that may be absent (-1, null, empty): "-". */
export function cell(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === -1 || value === '' ? '-' : String(value);
}
