// Errors of the console's JSON API: each carries the HTTP status and the machine-readable code of the answer.
// A Kafka error from the broker keeps its Kafka name and code, with the HTTP status that fits it.
import { SpateError } from '../errors.js';
import { ClientError, KafkaResponseError } from '../client/index.js';
import type { ApiErrorBody } from './api-types.js';

export type ConsoleErrorCode =
  | 'INVALID_REQUEST'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'FORBIDDEN'
  | 'PREDICATE_INVALID'
  | 'PREDICATE_TIMEOUT'
  | 'BUSY'
  | 'BROKER_UNAVAILABLE'
  | 'INTERNAL';

export class ConsoleApiError extends SpateError {
  readonly status: number;
  readonly reason: ConsoleErrorCode;

  constructor(status: number, reason: ConsoleErrorCode, message: string, options?: { cause?: unknown }) {
    super('SPATE_CONSOLE_REQUEST', message, options);
    this.name = 'ConsoleApiError';
    this.status = status;
    this.reason = reason;
  }
}

export function badRequest(message: string): ConsoleApiError {
  return new ConsoleApiError(400, 'INVALID_REQUEST', message);
}

export function notFound(message: string): ConsoleApiError {
  return new ConsoleApiError(404, 'NOT_FOUND', message);
}

/** HTTP statuses for the Kafka errors the console's calls can meet; others are 400 (or 503 when retriable). */
const KAFKA_STATUS: Readonly<Record<number, number>> = {
  3: 404, // UNKNOWN_TOPIC_OR_PARTITION
  36: 409, // TOPIC_ALREADY_EXISTS
  68: 409, // NON_EMPTY_GROUP
  69: 404, // GROUP_ID_NOT_FOUND
  73: 403, // TOPIC_DELETION_DISABLED
  29: 403, // TOPIC_AUTHORIZATION_FAILED
  30: 403, // GROUP_AUTHORIZATION_FAILED
  31: 403, // CLUSTER_AUTHORIZATION_FAILED
  25: 409, // UNKNOWN_MEMBER_ID (the group is active)
  10: 413, // MESSAGE_TOO_LARGE
  18: 413, // RECORD_LIST_TOO_LARGE
};

/** The HTTP status and JSON body answering `error`. */
export function errorResponse(error: unknown): { status: number; body: ApiErrorBody } {
  if (error instanceof ConsoleApiError) return { status: error.status, body: { error: { code: error.reason, message: error.message } } };
  if (error instanceof KafkaResponseError) {
    const status = KAFKA_STATUS[error.errorCode] ?? (error.retriable ? 503 : 400);
    return { status, body: { error: { code: error.errorName, message: error.message, kafkaErrorCode: error.errorCode } } };
  }
  if (error instanceof ClientError) {
    if (error.code === 'SPATE_CLIENT_INVALID_ARGUMENT') return { status: 400, body: { error: { code: 'INVALID_REQUEST', message: error.message } } };
    if (error.code === 'SPATE_CLIENT_CONNECTION' || error.code === 'SPATE_CLIENT_TIMEOUT') {
      return { status: 503, body: { error: { code: 'BROKER_UNAVAILABLE', message: error.message } } };
    }
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) } } };
}
