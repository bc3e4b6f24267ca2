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
  // Another broker holds the data directory's lock.
  | 'SPATE_DATA_DIR_LOCKED'
  // spate-metadata.json exists but cannot be used, or topics cannot be rebuilt from the partition directories.
  | 'SPATE_METADATA_INVALID'
  // Spate's own Kafka client (src/client/).
  | 'SPATE_CLIENT_CONNECTION'
  | 'SPATE_CLIENT_TIMEOUT'
  | 'SPATE_CLIENT_PROTOCOL'
  | 'SPATE_CLIENT_UNSUPPORTED'
  | 'SPATE_CLIENT_INVALID_ARGUMENT'
  | 'SPATE_KAFKA_ERROR';

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
