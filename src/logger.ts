// Structured logs through pino: JSON lines, one logger per broker, children per component.
// `spate start` prints them human-readable (pino-pretty) when stdout is a terminal, unless told otherwise.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { service: 'spate' } });
}

/** `auto` = pretty on a terminal, JSON lines otherwise. */
export type LogFormatChoice = 'auto' | 'json' | 'pretty';

/** Whether `format` means human-readable output on this stdout. */
export function prettyLogs(format: LogFormatChoice, stdoutIsTTY: boolean = process.stdout.isTTY === true): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTTY);
}

/**
 * The logger of the `spate` command: JSON lines on stdout, or pino-pretty's lines (loaded only then). Both
 * write synchronously, so nothing is lost when the process exits right after logging.
 */
export async function createCliLogger(level: LevelWithSilent, format: LogFormatChoice): Promise<Logger> {
  if (!prettyLogs(format)) return createLogger(level);
  const { default: pretty } = await import('pino-pretty');
  const stream = pretty({
    colorize: process.stdout.isTTY === true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    singleLine: true,
  });
  return pino({ level, base: { service: 'spate' } }, stream);
}
