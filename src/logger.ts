// Structured logs through pino: JSON lines, one logger per broker, children per component.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { service: 'spate' } });
}
