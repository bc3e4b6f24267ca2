// The `spate` command line: every command and its flags (src/cli/main.ts checks the Node.js version first).
// `spate start` loads the broker (and its config and logger modules) lazily, inside its action.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { StartFlags } from '../config/start-config.js';
import { SpateError } from '../errors.js';
import type { Logger } from '../logger.js';
import { registerClientCommands } from './client-commands.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { parseOutputFormat, type OutputFormat } from './output.js';

function collectProperty(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

const program = new Command();
/** The package's own version (dist/src/cli/ sits three levels below package.json, in a clone and when installed). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

program
  .name('spate')
  .description('A Kafka-compatible event streaming broker for Node.js')
  .version(packageVersion(), '-V, --version', 'print the version of spate')
  .showHelpAfterError()
  // Commander's own errors (unknown flag, bad value) are thrown to the catch below, which exits with 2.
  // Set before the commands are added: each command copies it.
  .exitOverride();

program
  .command('start')
  .description('start a broker (settings: defaults < config file < SPATE_* environment < flags; see --print-config)')
  .option('--host <host>', 'address to listen on [SPATE_HOST] (default: 127.0.0.1)')
  .option('--port <port>', 'port to listen on, 0 = any free port [SPATE_PORT] (default: 9092)')
  .option('--data-dir <dir>', 'directory for partition logs and metadata [SPATE_DATA_DIR] (default: ./data)')
  .option('--workers <n>', 'partition worker threads [SPATE_WORKERS] (default: cores minus one, at least one)')
  .option('--config <file>', 'broker config file with Kafka property names: Java properties, or YAML if it ends in .yaml/.yml [SPATE_CONFIG]')
  .option('--override <key=value>', 'set one broker property, over the file and SPATE_* variables (repeatable)', collectProperty, {})
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent [SPATE_LOG_LEVEL] (default: info)')
  .option('--log-format <format>', 'json, pretty, or auto = pretty when stdout is a terminal [SPATE_LOG_FORMAT] (default: auto)')
  .option('--metrics-port <port>', 'HTTP port for /metrics, /health and /ready, 0 = any free port, -1 = off [SPATE_METRICS_PORT] (default: 9644)')
  .option('--print-config', 'print the effective configuration and where each value came from, then exit')
  .addOption(new Option('--output <format>', 'with --print-config: table or json').argParser(parseOutputFormat).default('table'))
  .action(async (options: StartFlags & { override: Record<string, string>; printConfig?: boolean; output: OutputFormat }) => {
    // Loaded here, not at the top: client commands never load broker code.
    const { resolveStartConfig, formatStartConfig } = await import('../config/start-config.js');
    const config = resolveStartConfig(options, process.env);
    if (options.printConfig) {
      if (options.output === 'json') {
        const { describeSource } = await import('../config/start-config.js');
        process.stdout.write(`${JSON.stringify(config.entries.map((e) => ({ name: e.name, value: e.value, source: describeSource(e.source) })))}\n`);
      } else {
        process.stdout.write(formatStartConfig(config));
      }
      return;
    }
    const { createCliLogger } = await import('../logger.js');
    const log = await createCliLogger(config.logLevel, config.logFormat);
    const { Broker } = await import('../broker/broker.js');
    // Signals are handled from before the start: one that arrives while the broker is still starting (or the
    // instant its "broker started" line is out) waits for the start to finish, then shuts it down cleanly.
    const { consoleExtension } = await import('../console/extension.js');
    const starting = Broker.start(config.broker, log, { extensions: [consoleExtension] });
    handleShutdownSignals(starting, log);
    await starting;
  });

/** Repeats of the first signal within this window are the same request (npm forwards the signal it got too). */
const REPEATED_SIGNAL_WINDOW_MS = 1000;
/** Past this, a shutdown that has not finished exits non-zero anyway. */
const SHUTDOWN_DEADLINE_MS = 30_000;

/**
 * SIGTERM or SIGINT: stop accepting, let in-flight requests finish, close the logs cleanly, exit 0. A second
 * signal (later than REPEATED_SIGNAL_WINDOW_MS) forces an immediate exit with status 1.
 */
function handleShutdownSignals(starting: Promise<{ close(): Promise<void> }>, log: Logger): void {
  let firstSignalAt: number | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    const now = performance.now();
    if (firstSignalAt !== null) {
      if (now - firstSignalAt < REPEATED_SIGNAL_WINDOW_MS) return;
      log.warn({ signal, durationMs: Math.round(now - firstSignalAt) }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    firstSignalAt = now;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error({ durationMs: Math.round(performance.now() - now) }, 'shutdown did not finish in time: exiting now');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    starting.then((broker) => broker.close()).then(
      () => {
        log.info({ signal, durationMs: Math.round(performance.now() - now) }, 'shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error, durationMs: Math.round(performance.now() - now) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

registerClientCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help, or the version) already.
    process.exit(error.exitCode === 0 ? EXIT_OK : EXIT_USAGE);
  }
  if (error instanceof SpateError) {
    process.stderr.write(`spate: ${error.message}\n`);
    process.exit(error.code === 'SPATE_CLI_USAGE' ? EXIT_USAGE : EXIT_FAILURE);
  }
  process.stderr.write(`spate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(EXIT_FAILURE);
});
