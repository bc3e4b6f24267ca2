// What every client command of the CLI shares: the --bootstrap option, argument parsers, opening and closing a
// cluster connection, and plain-text tables.
import { InvalidArgumentError, type Command } from 'commander';
import { Cluster, DEFAULT_BOOTSTRAP } from '../client/index.js';

export interface BootstrapOptions {
  bootstrap: string;
  requestTimeoutMs?: number;
}

/** Adds the options every client command takes. */
export function clientOptions(command: Command): Command {
  return command
    .option('--bootstrap <servers>', 'bootstrap broker(s), host:port[,host:port...]', DEFAULT_BOOTSTRAP)
    .option('--request-timeout-ms <ms>', 'how long a request may wait for its response', integerOption('request timeout', 1, 2_147_483_647));
}

export function integerOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

/** Repeatable key=value option collected into a record. */
export function keyValueOption(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Repeatable plain option collected into a list. */
export function listOption(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Runs `fn` with a connected cluster and always closes it. */
export async function withCluster<T>(options: BootstrapOptions, fn: (cluster: Cluster) => Promise<T>): Promise<T> {
  const cluster = await Cluster.connect({
    bootstrap: options.bootstrap,
    clientId: 'spate-cli',
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  try {
    return await fn(cluster);
  } finally {
    cluster.close();
  }
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

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
