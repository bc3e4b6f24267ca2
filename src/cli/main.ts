#!/usr/bin/env node
// The `spate` command line.
import { Command, InvalidArgumentError } from 'commander';
import type { LevelWithSilent } from 'pino';
import { Broker } from '../broker/broker.js';
import { resolveBrokerConfig } from '../config/broker-config.js';
import { SpateError } from '../errors.js';
import { createLogger } from '../logger.js';
import { registerClientCommands } from './client-commands.js';

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

function collectProperty(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

const program = new Command();
program.name('spate').description('A Kafka-compatible event streaming broker for Node.js').showHelpAfterError();

program
  .command('start')
  .description('start a broker')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 = any free port)', integer('port', 0, 65535), 9092)
  .option('--data-dir <dir>', 'directory for partition logs and metadata', './data')
  .option('--workers <n>', 'partition worker threads (default: cores minus one, at least one)', integer('workers', 1, 256))
  .option('--config <file>', 'broker config file in Java properties format, with Kafka property names')
  .option('--override <key=value>', 'set one broker property (repeatable)', collectProperty, {})
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
  .option('--metrics-port <port>', 'HTTP port for /metrics, /health and /ready (0 = any free port, -1 = off)', integer('metrics port', -1, 65535), 9644)
  .action(async (options: { host: string; port: number; dataDir: string; workers?: number; config?: string; override: Record<string, string>; logLevel: string; metricsPort: number }) => {
    const log = createLogger(options.logLevel as LevelWithSilent);
    const config = resolveBrokerConfig({
      host: options.host,
      port: options.port,
      dataDir: options.dataDir,
      metricsPort: options.metricsPort === -1 ? undefined : options.metricsPort,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.config !== undefined ? { configFile: options.config } : {}),
      properties: options.override,
    });
    const broker = await Broker.start(config, log);
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      broker.close().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });

registerClientCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof SpateError) {
    process.stderr.write(`spate: ${error.message}\n`);
  } else {
    process.stderr.write(`spate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
