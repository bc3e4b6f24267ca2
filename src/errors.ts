// Coded errors raised by Spate itself (not Kafka wire error codes: those live in protocol/error-codes.ts).
// Every error carries a stable `code` so callers and tests match on it instead of on message text.

export type SpateErrorCode =
  | 'SPATE_CONFIG_INVALID'
  | 'SPATE_FRAME_INVALID'
  | 'SPATE_FRAME_TOO_LARGE'
  | 'SPATE_WORKER_DIED'
  | 'SPATE_WORKER_STARTUP'
  | 'SPATE_BROKER_CLOSED'
  | 'SPATE_STORAGE'
  // Start-up: a listener that cannot bind, a data dir that cannot be used.
  | 'SPATE_LISTEN'
  | 'SPATE_DATA_DIR'
  // Another broker holds the data directory's lock.
  | 'SPATE_DATA_DIR_LOCKED'
  // spate-metadata.json exists but cannot be used, or topics cannot be rebuilt from the partition directories.
  | 'SPATE_METADATA_INVALID'
  // spate-acls.json or spate-client-quotas.json exists but cannot be used.
  | 'SPATE_SECURITY_FILE_INVALID'
  // Spate's own Kafka client (src/client/).
  | 'SPATE_CLIENT_CONNECTION'
  | 'SPATE_CLIENT_TIMEOUT'
  | 'SPATE_CLIENT_PROTOCOL'
  | 'SPATE_CLIENT_UNSUPPORTED'
  | 'SPATE_CLIENT_INVALID_ARGUMENT'
  // The command line: a flag or argument that cannot work (exit status 2).
  | 'SPATE_CLI_USAGE'
  | 'SPATE_KAFKA_ERROR'
  // A console API request that cannot be served (bad input, a predicate over its limits, too many scans).
  | 'SPATE_CONSOLE_REQUEST';

export class SpateError extends Error {
  readonly code: SpateErrorCode;

  constructor(code: SpateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpateError';
    this.code = code;
  }
}

export function configError(message: string): SpateError {
  return new SpateError('SPATE_CONFIG_INVALID', message);
}

// A listener that cannot take its address is a start-up failure an operator fixes by hand: one line that says
// which address and why, instead of a stack trace.
const LISTEN_FAILURES: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use (another broker or program listens there)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the address does not belong to this machine',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
};

/** Turns the error of a failed listen() on host:port into a SpateError naming `what` (e.g. "Kafka listener"). */
export function listenError(what: string, host: string, port: number, error: unknown): SpateError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = LISTEN_FAILURES[code] ?? (error instanceof Error ? error.message : String(error));
  return new SpateError('SPATE_LISTEN', `cannot start the ${what} on ${host}:${port}: ${reason}${code ? ` (${code})` : ''}`, { cause: error });
}

/** A caught value as an Error (a non-Error thrown by a library becomes one carrying its text). */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
