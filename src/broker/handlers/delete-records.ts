// DeleteRecords: moves each partition's log start offset up to the requested offset (-1: the high
// watermark) and deletes the segments wholly below it. Offsets below the new start stop being readable.
// Refused as Kafka refuses it (ReplicaManager.deleteRecordsOnLocalLog, Partition.deleteRecordsOnLeader): on an
// internal topic, whose records are the broker's own state (committed offsets), and on a topic whose
// cleanup.policy does not include "delete". A refused or failed partition reports low watermark -1. With an
// authorizer each topic needs DELETE (else TOPIC_AUTHORIZATION_FAILED, checked first, as in Kafka).
import type { DeleteRecordsRequest, DeleteRecordsResponse, DeleteRecordsResponseDeleteRecordsPartitionResult } from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { topicPropertyValue } from '../../config/topic-config.js';
import { isInternalTopic } from '../../group/internal-topics.js';
import type { BrokerContext } from '../context.js';
import type { TopicState } from '../topic-registry.js';
import { AclOperation, ResourceType } from '../../security/acl-model.js';
import { allowedNames, isAllowed } from '../authorization.js';
import type { RequestInfo } from '../request-dispatcher.js';

/** The offset that means "up to the high watermark". */
const HIGH_WATERMARK = -1;

/** Kafka's DeleteRecordsResponse.INVALID_LOW_WATERMARK. */
const INVALID_LOW_WATERMARK = -1;

function allowsDeletion(ctx: BrokerContext, topic: TopicState): boolean {
  return topicPropertyValue(topic.configs, ctx.config, 'cleanup.policy').split(',').includes('delete');
}

export async function handleDeleteRecords(ctx: BrokerContext, request: DeleteRecordsRequest, info: RequestInfo): Promise<DeleteRecordsResponse> {
  const pending: Array<Promise<void>> = [];
  const deletable = allowedNames(ctx.authorizer, info, AclOperation.DELETE, ResourceType.TOPIC, request.topics, (t) => t.name);
  const topics = request.topics.map((requested) => {
    const topic = ctx.registry.get(requested.name);
    return {
      name: requested.name,
      partitions: requested.partitions.map((p) => {
        const result: DeleteRecordsResponseDeleteRecordsPartitionResult = { partitionIndex: p.partitionIndex, lowWatermark: INVALID_LOW_WATERMARK, errorCode: ErrorCode.NONE };
        const partition = topic?.partitions[p.partitionIndex];
        if (!isAllowed(deletable, requested.name)) result.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        else if (isInternalTopic(requested.name)) result.errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
        else if (!topic || !partition) result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (!allowsDeletion(ctx, topic)) result.errorCode = ErrorCode.POLICY_VIOLATION;
        else if (p.offset < HIGH_WATERMARK || p.offset > partition.highWatermark) result.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
        else {
          pending.push(
            partition.deleteRecords(p.offset).then(
              (outcome) => {
                result.errorCode = outcome.errorCode;
                result.lowWatermark = outcome.errorCode === ErrorCode.NONE ? outcome.lowWatermark : INVALID_LOW_WATERMARK;
              },
              (error: unknown) => {
                result.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
                ctx.log.warn({ err: error, partition: `${requested.name}-${p.partitionIndex}` }, 'delete records failed');
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
