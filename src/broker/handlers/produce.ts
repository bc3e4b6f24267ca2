// Produce: each partition's batch goes to the worker that owns the partition, copied once from the socket
// buffer into that worker's ring; the worker checks its CRC-32C and appends it from ring memory.
// With an authorizer, as Kafka: transactional batches need WRITE on their transactional id (else the whole request
// is TRANSACTIONAL_ID_AUTHORIZATION_FAILED), and each topic needs WRITE (else TOPIC_AUTHORIZATION_FAILED per
// partition, before its existence is checked, so a denied client learns nothing about which topics exist).
import type {
  ProduceRequest,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
  ProduceResponseTopicProduceResponse,
} from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ATTR_COMPRESSION_MASK, ATTR_TRANSACTIONAL, ATTRIBUTES } from '../../records/batch.js';
import { AclOperation, ResourceType } from '../../security/acl-model.js';
import { allowedNames, allows, isAllowed } from '../authorization.js';
import { isCompactPolicy, topicPropertyValue } from '../../config/topic-config.js';
import { compactedTopicRejection } from '../compacted-topic-check.js';
import type { BrokerContext } from '../context.js';
import type { RequestInfo } from '../request-dispatcher.js';
import { isInternalTopic } from '../../group/internal-topics.js';

/** Produce v7 is the first version whose clients may send zstd (KIP-110). */
const FIRST_ZSTD_PRODUCE_VERSION = 7;
/** Produce v0-2 carry legacy message sets; they are advertised (see supported-apis.ts) but never stored. */
const FIRST_RECORD_BATCH_V2_VERSION = 3;
const COMPRESSION_ZSTD = 4;

export async function handleProduce(ctx: BrokerContext, request: ProduceRequest, info: RequestInfo): Promise<ProduceResponse | null> {
  const acks = request.acks;
  const now = Date.now();
  const pending: Array<Promise<unknown>> = [];
  if (ctx.authorizer && hasTransactionalBatch(request)) {
    const transactionalId = request.transactionalId;
    if (transactionalId === null || !allows(ctx.authorizer, info, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
      return acks === 0 ? null : everyPartition(request, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
  }
  const writable = allowedNames(ctx.authorizer, info, AclOperation.WRITE, ResourceType.TOPIC, request.topicData, (t) => t.name);
  const responses: ProduceResponseTopicProduceResponse[] = request.topicData.map((topicData) => {
    const topic = ctx.registry.get(topicData.name);
    // Under LogAppendTime the worker stamps each batch with `now`, which the response reports (-1 otherwise).
    const appendTime = topic && topicPropertyValue(topic.configs, ctx.config, 'message.timestamp.type') === 'LogAppendTime' ? now : -1;
    // Compacted topics need a key on every record (checked here, before the worker); others skip the walk.
    const compacted = topic !== undefined && isCompactPolicy(topicPropertyValue(topic.configs, ctx.config, 'cleanup.policy'));
    const maxMessageBytes = compacted ? Number(topicPropertyValue(topic.configs, ctx.config, 'max.message.bytes')) : 0;
    return {
      name: topicData.name,
      partitionResponses: topicData.partitionData.map((data) => {
        const result = partitionResult(data.index, ErrorCode.NONE);
        const partition = topic?.partitions[data.index];
        if (info.apiVersion < FIRST_RECORD_BATCH_V2_VERSION) result.errorCode = ErrorCode.UNSUPPORTED_VERSION;
        else if (acks !== 0 && acks !== 1 && acks !== -1) result.errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
        else if (!isAllowed(writable, topicData.name)) result.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        else if (!partition) result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        // Like Kafka: only the broker appends to internal topics.
        else if (isInternalTopic(topicData.name)) result.errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
        else if (!data.records || data.records.length === 0) result.errorCode = ErrorCode.INVALID_RECORD;
        else if (info.apiVersion < FIRST_ZSTD_PRODUCE_VERSION && isZstd(data.records)) result.errorCode = ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
        else if (compacted && rejectKeyless(result, data.records, maxMessageBytes, `${topicData.name}-${data.index}`)) result.logStartOffset = partition.logStartOffset;
        else {
          pending.push(
            partition.append(data.records, now, acks).then(
              (reply) => {
                result.errorCode = reply.errorCode;
                if (reply.errorCode !== ErrorCode.NONE) {
                  result.errorMessage = describeAppendError(reply.errorCode);
                  return;
                }
                result.baseOffset = reply.baseOffset;
                result.logAppendTimeMs = appendTime;
                result.logStartOffset = reply.logStartOffset;
                ctx.metrics.produced(partition.topic, data.records!);
              },
              (error: unknown) => {
                result.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
                result.errorMessage = (error as Error).message;
              },
            ),
          );
        }
        if (result.errorCode !== ErrorCode.NONE && !result.errorMessage) result.errorMessage = describeAppendError(result.errorCode);
        return result;
      }),
    };
  });
  await Promise.all(pending);
  // acks=0: the client expects no response at all, but the writes above still happened.
  if (acks === 0) return null;
  return { responses, throttleTimeMs: 0 };
}

/** Fills `result` with the compacted topic's refusal of the batch, if it refuses it. */
function rejectKeyless(result: ProduceResponsePartitionProduceResponse, records: Buffer, maxMessageBytes: number, topicPartition: string): boolean {
  const rejection = compactedTopicRejection(records, maxMessageBytes, topicPartition);
  if (!rejection) return false;
  result.errorCode = rejection.errorCode;
  result.errorMessage = rejection.errorMessage;
  result.recordErrors = rejection.recordErrors;
  return true;
}

/** Does the first batch of any partition say it is transactional (Kafka's RequestUtils.hasTransactionalRecords)? */
function hasTransactionalBatch(request: ProduceRequest): boolean {
  for (const topic of request.topicData) {
    for (const { records } of topic.partitionData) {
      if (records && records.length > ATTRIBUTES + 1 && (records[ATTRIBUTES + 1]! & ATTR_TRANSACTIONAL) !== 0) return true;
    }
  }
  return false;
}

/** The same error for every partition of the request (Kafka's ProduceRequest.getErrorResponse). */
function everyPartition(request: ProduceRequest, errorCode: number): ProduceResponse {
  return {
    responses: request.topicData.map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => partitionResult(p.index, errorCode)) })),
    throttleTimeMs: 0,
  };
}

function partitionResult(index: number, errorCode: number): ProduceResponsePartitionProduceResponse {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null };
}

function isZstd(records: Buffer): boolean {
  return records.length > ATTRIBUTES + 1 && (records[ATTRIBUTES + 1]! & ATTR_COMPRESSION_MASK) === COMPRESSION_ZSTD;
}

function describeAppendError(errorCode: number): string | null {
  switch (errorCode) {
    case ErrorCode.CORRUPT_MESSAGE:
      return 'record batch failed its CRC-32C check or is truncated; nothing was stored';
    case ErrorCode.INVALID_RECORD:
      return 'record batch is not a single valid magic-2 batch';
    case ErrorCode.MESSAGE_TOO_LARGE:
      return 'record batch is larger than max.message.bytes';
    case ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT:
      return 'only record batch format v2 (magic 2) is accepted';
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return 'this broker does not host that topic partition';
    case ErrorCode.INVALID_REQUIRED_ACKS:
      return 'acks must be -1, 0 or 1';
    case ErrorCode.UNSUPPORTED_VERSION:
      return 'Produce v0-2 (legacy message format) is not supported; use v3 or later';
    case ErrorCode.UNSUPPORTED_COMPRESSION_TYPE:
      return 'zstd needs Produce v7 or later';
    case ErrorCode.INVALID_TOPIC_EXCEPTION:
      return 'cannot append to an internal topic';
    case ErrorCode.TOPIC_AUTHORIZATION_FAILED:
      return 'not authorized to WRITE to this topic';
    default:
      return null;
  }
}
