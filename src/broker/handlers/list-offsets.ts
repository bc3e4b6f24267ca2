// ListOffsets: earliest (-2), latest (-1), max timestamp (-3) or the first offset at or after a timestamp.
import type { ListOffsetsRequest, ListOffsetsResponse, ListOffsetsResponseListOffsetsPartitionResponse } from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { MAX_TIMESTAMP } from '../../partition/ring-messages.js';
import type { BrokerContext } from '../context.js';
import type { RequestInfo } from '../request-dispatcher.js';

/** MAX_TIMESTAMP lookups were added in ListOffsets v7 (KIP-734). */
const FIRST_MAX_TIMESTAMP_VERSION = 7;

export async function handleListOffsets(ctx: BrokerContext, request: ListOffsetsRequest, info: RequestInfo): Promise<ListOffsetsResponse> {
  const pending: Array<Promise<void>> = [];
  const topics = request.topics.map((requested) => {
    const topic = ctx.registry.get(requested.name);
    return {
      name: requested.name,
      partitions: requested.partitions.map((p) => {
        const result: ListOffsetsResponseListOffsetsPartitionResponse = {
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.NONE,
          oldStyleOffsets: [],
          timestamp: -1,
          offset: -1,
          leaderEpoch: 0,
        };
        const partition = topic?.partitions[p.partitionIndex];
        if (!partition) result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (p.timestamp === MAX_TIMESTAMP && info.apiVersion < FIRST_MAX_TIMESTAMP_VERSION) result.errorCode = ErrorCode.UNSUPPORTED_VERSION;
        else {
          pending.push(
            ctx.workers.listOffset(partition.worker, partition.id, p.timestamp).then(
              (reply) => {
                // Retention moves the log start on the worker; keep the front-end's copy current.
                if (reply.logStartOffset > partition.logStartOffset) partition.logStartOffset = reply.logStartOffset;
                result.errorCode = reply.errorCode;
                result.offset = reply.offset;
                result.timestamp = reply.timestamp;
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
