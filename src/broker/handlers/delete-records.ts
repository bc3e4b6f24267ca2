// DeleteRecords: moves each partition's log start offset up to the requested offset (-1: the high
// watermark) and deletes the segments wholly below it. Offsets below the new start stop being readable.
import type { DeleteRecordsRequest, DeleteRecordsResponse, DeleteRecordsResponseDeleteRecordsPartitionResult } from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { BrokerContext } from '../context.js';

/** The offset that means "up to the high watermark". */
const HIGH_WATERMARK = -1;

export async function handleDeleteRecords(ctx: BrokerContext, request: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
  const pending: Array<Promise<void>> = [];
  const topics = request.topics.map((requested) => {
    const topic = ctx.registry.get(requested.name);
    return {
      name: requested.name,
      partitions: requested.partitions.map((p) => {
        const result: DeleteRecordsResponseDeleteRecordsPartitionResult = { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.NONE };
        const partition = topic?.partitions[p.partitionIndex];
        if (!partition) result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (p.offset < HIGH_WATERMARK || p.offset > partition.highWatermark) {
          result.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
          result.lowWatermark = partition.logStartOffset;
        } else {
          pending.push(
            ctx.admin.deleteRecords(partition, p.offset).then(
              (outcome) => {
                result.errorCode = outcome.errorCode;
                result.lowWatermark = outcome.lowWatermark;
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
