// Errors of Spate's Kafka client. Everything thrown is a SpateError with a stable code; a broker's error code
// becomes a KafkaResponseError that also carries the Kafka error name (UNKNOWN_TOPIC_OR_PARTITION, ...).
import { SpateError, type SpateErrorCode } from '../errors.js';
import { kafkaError } from '../protocol/error-codes.js';

export function kafkaErrorName(code: number): string {
  return kafkaError(code)?.name ?? `UNKNOWN_ERROR_CODE_${code}`;
}

/** Kafka's own retriable flag: a client may retry after refreshing metadata or waiting a moment. */
export function isRetriable(code: number): boolean {
  return kafkaError(code)?.retriable ?? false;
}

export class ClientError extends SpateError {
  constructor(code: SpateErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ClientError';
  }
}

/** A broker answered with a non-zero Kafka error code. */
export class KafkaResponseError extends ClientError {
  /** The numeric Kafka error code. */
  readonly errorCode: number;
  /** Apache Kafka's name for it, e.g. UNKNOWN_TOPIC_OR_PARTITION. */
  readonly errorName: string;
  readonly retriable: boolean;

  constructor(errorCode: number, context: string, brokerMessage?: string | null) {
    const name = kafkaErrorName(errorCode);
    const detail = brokerMessage ? `: ${brokerMessage}` : '';
    super('SPATE_KAFKA_ERROR', `${context}: ${name}${detail}`);
    this.name = 'KafkaResponseError';
    this.errorCode = errorCode;
    this.errorName = name;
    this.retriable = isRetriable(errorCode);
  }
}

/** Throws a KafkaResponseError unless `errorCode` is 0. */
export function checkErrorCode(errorCode: number, context: string, brokerMessage?: string | null): void {
  if (errorCode !== 0) throw new KafkaResponseError(errorCode, context, brokerMessage);
}

export function invalidArgument(message: string): ClientError {
  return new ClientError('SPATE_CLIENT_INVALID_ARGUMENT', message);
}
