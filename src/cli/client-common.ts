// What every client command of the CLI shares: the connection options (--bootstrap, --profile,
// --request-timeout-ms), --output, argument parsers, and opening and closing a cluster connection.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { Cluster, parseBootstrap } from '../client/index.js';
import { SpateError } from '../errors.js';
import { usageError } from './exit-codes.js';
import { parseOutputFormat, type OutputFormat } from './output.js';
import { BOOTSTRAP_ENV, PROFILE_ENV, resolveConnection } from './profile.js';

export interface BootstrapOptions {
  bootstrap?: string;
  profile?: string;
  requestTimeoutMs?: number;
  output: OutputFormat;
}

/** Adds the options every client command takes. */
export function clientOptions(command: Command): Command {
  return command
    .option('--bootstrap <servers>', `bootstrap broker(s), host:port[,host:port...] [${BOOTSTRAP_ENV}] (default: the profile's, else 127.0.0.1:9092)`)
    .option('--profile <name>', `connection profile from the CLI profile file [${PROFILE_ENV}]`)
    .option('--request-timeout-ms <ms>', 'how long a request may wait for its response', integerOption('request timeout', 1, 2_147_483_647))
    .addOption(new Option('--output <format>', 'table (for people) or json (for scripts)').argParser(parseOutputFormat).default('table'));
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
  const settings = resolveConnection(options, process.env);
  try {
    parseBootstrap(settings.bootstrap);
  } catch (error) {
    throw error instanceof SpateError ? usageError(`${error.message} (from ${settings.bootstrapSource})`) : error;
  }
  const cluster = await Cluster.connect({
    bootstrap: settings.bootstrap,
    clientId: 'spate-cli',
    ...(settings.requestTimeoutMs !== undefined ? { requestTimeoutMs: settings.requestTimeoutMs } : {}),
  });
  try {
    return await fn(cluster);
  } finally {
    cluster.close();
  }
}
