// Kafka's key check for compacted topics (LogValidator.validateKey): a topic whose cleanup.policy contains
// compact refuses a batch holding any record without a key, with INVALID_RECORD and one record error per
// keyless record; nothing of that batch is stored. Only such topics pay for walking (and, when compressed,
// decompressing) the records; every other batch goes to its partition worker untouched.
import { ErrorCode } from '../protocol/error-codes.js';
import { LOG_OVERHEAD, readBatchHeader } from '../records/batch.js';
import { forEachRecord, RecordCodecError } from '../records/codec.js';
import { validateIncomingBatch } from '../records/validation.js';

/**
 * At most this many record errors are listed for one batch, so a hostile batch of millions of keyless records
 * costs a bounded answer. (Decompression is bounded by the record codec: DEFAULT_MAX_DECOMPRESSED_BYTES.)
 */
export const MAX_LISTED_RECORD_ERRORS = 10_000;

export interface BatchRejection {
  errorCode: number;
  errorMessage: string;
  recordErrors: Array<{ batchIndex: number; batchIndexErrorMessage: string | null }>;
}

/**
 * Why a compacted topic refuses `batch`, or null when it may go on to its partition worker. A batch that is
 * too large or malformed also gets null: the worker refuses it with the error Kafka checks first
 * (MESSAGE_TOO_LARGE, CORRUPT_MESSAGE, ...).
 */
export function compactedTopicRejection(batch: Buffer, maxMessageBytes: number, topicPartition: string): BatchRejection | null {
  if (batch.length > maxMessageBytes + LOG_OVERHEAD || validateIncomingBatch(batch, 0, batch.length) !== ErrorCode.NONE) return null;
  const keyless: number[] = [];
  let count = 0;
  try {
    forEachRecord(
      batch,
      0,
      readBatchHeader(batch, 0),
      (record, index) => {
        if (record.key !== null) return;
        count++;
        if (keyless.length < MAX_LISTED_RECORD_ERRORS) keyless.push(index);
      },
      { headers: false },
    );
  } catch (error) {
    if (!(error instanceof RecordCodecError)) throw error;
    const errorCode = error.failure === 'unsupported' ? ErrorCode.UNSUPPORTED_COMPRESSION_TYPE : ErrorCode.CORRUPT_MESSAGE;
    return { errorCode, errorMessage: `records of the batch cannot be read to check their keys: ${error.message}`, recordErrors: [] };
  }
  if (count === 0) return null;
  const reason = `compacted topic partition ${topicPartition} cannot accept a record without a key`;
  const listed = count > keyless.length ? ` (the first ${keyless.length} are listed)` : '';
  return {
    errorCode: ErrorCode.INVALID_RECORD,
    errorMessage: `${count} record${count === 1 ? '' : 's'} of the batch rejected${listed}, first at index ${keyless[0]}: ${reason}`,
    recordErrors: keyless.map((batchIndex) => ({ batchIndex, batchIndexErrorMessage: reason })),
  };
}
