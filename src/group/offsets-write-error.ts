// A write to `__consumer_offsets` that the partition refused, and what a committing client is told about it.
import { SpateError } from '../errors.js';
import { ErrorCode } from '../protocol/error-codes.js';

/** The offsets partition refused an append; `kafkaErrorCode` is the Produce error it answered. */
export class OffsetsWriteError extends SpateError {
  readonly kafkaErrorCode: number;

  constructor(kafkaErrorCode: number, message: string) {
    super('SPATE_STORAGE', message);
    this.name = 'OffsetsWriteError';
    this.kafkaErrorCode = kafkaErrorCode;
  }
}

/**
 * The OffsetCommit error for a commit whose append failed, mapped as Kafka's GroupMetadataManager maps the
 * append's error: a storage failure means "this coordinator cannot serve the group" (the client looks the
 * coordinator up again and retries), a batch the partition finds too large is INVALID_COMMIT_OFFSET_SIZE
 * (retrying cannot help).
 */
export function commitErrorFor(error: unknown): number {
  if (error instanceof OffsetsWriteError) {
    switch (error.kafkaErrorCode) {
      case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      case ErrorCode.NOT_LEADER_OR_FOLLOWER:
      case ErrorCode.KAFKA_STORAGE_ERROR:
        return ErrorCode.NOT_COORDINATOR;
      case ErrorCode.MESSAGE_TOO_LARGE:
      case ErrorCode.RECORD_LIST_TOO_LARGE:
      case ErrorCode.INVALID_FETCH_SIZE:
        return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
      default:
        return error.kafkaErrorCode;
    }
  }
  // A dead partition worker is Spate's storage failure; a closed store means the broker is shutting down.
  if (error instanceof SpateError && (error.code === 'SPATE_WORKER_DIED' || error.code === 'SPATE_BROKER_CLOSED')) return ErrorCode.NOT_COORDINATOR;
  return ErrorCode.COORDINATOR_NOT_AVAILABLE;
}
