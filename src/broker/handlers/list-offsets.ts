// ListOffsets: earliest (-2), latest (-1), max timestamp (-3), earliest local (-4: the log start, Spate keeping
// every segment locally) or the first offset at or after a timestamp. With an authorizer each topic needs
// DESCRIBE (else TOPIC_AUTHORIZATION_FAILED for its partitions, checked first, as Kafka does).
import type { ListOffsetsRequest, ListOffsetsResponse, ListOffsetsResponseListOffsetsPartitionResponse } from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { EARLIEST_TIMESTAMP, MAX_TIMESTAMP } from '../../partition/ring-messages.js';
import type { BrokerContext } from '../context.js';
import type { RequestInfo } from '../request-dispatcher.js';
import { AclOperation, ResourceType } from '../../security/acl-model.js';
import { allowedNames, isAllowed } from '../authorization.js';

/** KIP-405's earliest local offset. Without tiered storage Kafka answers it with the log start offset. */
const EARLIEST_LOCAL_TIMESTAMP = -4;

/** The version each special timestamp was added in; an older request naming it gets UNSUPPORTED_VERSION. */
const FIRST_VERSION_OF: ReadonlyMap<number, number> = new Map([
  [MAX_TIMESTAMP, 7], // KIP-734
  [EARLIEST_LOCAL_TIMESTAMP, 8], // KIP-405
]);

/** v0 has its own, older code path in Kafka, which does not look for partitions named twice. */
const FIRST_DUPLICATE_CHECK_VERSION = 1;

/** Kafka's ListOffsetsResponse.UNKNOWN_OFFSET, UNKNOWN_TIMESTAMP and UNKNOWN_EPOCH. */
const UNKNOWN = -1;

/** Kafka answers every occurrence of a partition the request names more than once with INVALID_REQUEST. */
function duplicatePartitions(request: ListOffsetsRequest): Set<string> {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const topic of request.topics) {
    for (const p of topic.partitions) {
      const key = `${topic.name}\0${p.partitionIndex}`;
      if (seen.has(key)) duplicates.add(key);
      seen.add(key);
    }
  }
  return duplicates;
}

export async function handleListOffsets(ctx: BrokerContext, request: ListOffsetsRequest, info: RequestInfo): Promise<ListOffsetsResponse> {
  const duplicates = info.apiVersion >= FIRST_DUPLICATE_CHECK_VERSION ? duplicatePartitions(request) : new Set<string>();
  const pending: Array<Promise<void>> = [];
  const describable = allowedNames(ctx.authorizer, info, AclOperation.DESCRIBE, ResourceType.TOPIC, request.topics, (t) => t.name);
  const topics = request.topics.map((requested) => {
    const topic = ctx.registry.get(requested.name);
    return {
      name: requested.name,
      partitions: requested.partitions.map((p) => {
        const result: ListOffsetsResponseListOffsetsPartitionResponse = {
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.NONE,
          oldStyleOffsets: [],
          timestamp: UNKNOWN,
          offset: UNKNOWN,
          leaderEpoch: UNKNOWN,
        };
        const partition = topic?.partitions[p.partitionIndex];
        const firstVersion = FIRST_VERSION_OF.get(p.timestamp);
        if (!isAllowed(describable, requested.name)) result.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        else if (duplicates.has(`${requested.name}\0${p.partitionIndex}`)) result.errorCode = ErrorCode.INVALID_REQUEST;
        else if (!partition) result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (firstVersion !== undefined && info.apiVersion < firstVersion) result.errorCode = ErrorCode.UNSUPPORTED_VERSION;
        else {
          const timestamp = p.timestamp === EARLIEST_LOCAL_TIMESTAMP ? EARLIEST_TIMESTAMP : p.timestamp;
          pending.push(
            partition.listOffset(timestamp).then(
              (reply) => {
                result.errorCode = reply.errorCode;
                result.offset = reply.offset;
                result.timestamp = reply.timestamp;
                // Spate's leader epoch is always 0; like Kafka, no epoch goes with an error or "no such offset".
                if (reply.errorCode === ErrorCode.NONE && reply.offset >= 0) result.leaderEpoch = 0;
                // v0 answers with a list of segment offsets; the one offset asked for is what clients use.
                if (info.apiVersion === 0 && reply.errorCode === ErrorCode.NONE && p.maxNumOffsets > 0) result.oldStyleOffsets = [reply.offset];
              },
              (error: unknown) => {
                result.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
                ctx.log.warn({ err: error }, 'list offsets failed');
              },
            ),
          );
        }
        return result;
      }),
    };
  });
  await Promise.all(pending);
  return { throttleTimeMs: 0, topics };
}
