// OffsetCommit, OffsetFetch and OffsetDelete: each request version mapped onto the coordinator's
// version-free calls, and the answer shaped for that version.
import type { FetchedOffset, GroupCoordinator, RequestedPartitions, TopicResults } from '../../group/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type {
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  OffsetFetchResponsePartition,
  OffsetFetchResponseTopic,
} from '../../protocol/generated/index.js';

export async function handleOffsetCommit(groups: GroupCoordinator, request: OffsetCommitRequest, version: number): Promise<OffsetCommitResponse> {
  const topics = await groups.commitOffsets({
    groupId: request.groupId,
    // v0 commits come from outside group management.
    generationId: version >= 1 ? request.generationIdOrMemberEpoch : -1,
    memberId: version >= 1 ? request.memberId : '',
    groupInstanceId: version >= 7 ? request.groupInstanceId : null,
    // Only v2-4 may choose the retention of their offsets; -1 (and every other version) means the broker's.
    retentionTimeMs: version >= 2 && version <= 4 ? request.retentionTimeMs : -1,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: version >= 6 ? p.committedLeaderEpoch : -1,
        metadata: p.committedMetadata,
        // Only v1 carries a client commit timestamp.
        commitTimestamp: version === 1 ? p.commitTimestamp : -1,
      })),
    })),
  });
  return { throttleTimeMs: 0, topics };
}

export function handleOffsetFetch(groups: GroupCoordinator, request: OffsetFetchRequest, version: number): OffsetFetchResponse {
  if (version >= 8) {
    // v8+ (KIP-709) asks for several groups at once and answers per group.
    return {
      throttleTimeMs: 0,
      topics: [],
      errorCode: ErrorCode.NONE,
      groups: request.groups.map((g) => {
        const { errorCode, topics } = groups.fetchOffsets(g.groupId, g.topics);
        return { groupId: g.groupId, errorCode, topics: topics.map(wireTopic) };
      }),
    };
  }
  // null topics (v2+) asks for every committed offset; v0/v1 always list them.
  const requested: readonly RequestedPartitions[] | null = version >= 2 ? request.topics : (request.topics ?? []);
  const { errorCode, topics } = groups.fetchOffsets(request.groupId, requested);
  if (version >= 2) return { throttleTimeMs: 0, topics: errorCode === ErrorCode.NONE ? topics.map(wireTopic) : [], errorCode, groups: [] };
  // v0/v1 have no group-level error field: report it on every requested partition.
  if (errorCode !== ErrorCode.NONE) {
    const failed = (request.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })),
    }));
    return { throttleTimeMs: 0, topics: failed, errorCode: ErrorCode.NONE, groups: [] };
  }
  return { throttleTimeMs: 0, topics: topics.map(wireTopic), errorCode: ErrorCode.NONE, groups: [] };
}

export async function handleOffsetDelete(groups: GroupCoordinator, request: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
  const requested = request.topics.map((t) => ({ name: t.name, partitionIndexes: t.partitions.map((p) => p.partitionIndex) }));
  const { errorCode, topics } = await groups.deleteOffsets(request.groupId, requested);
  return { errorCode, throttleTimeMs: 0, topics };
}

function wireTopic(t: TopicResults<FetchedOffset>): OffsetFetchResponseTopic {
  return { name: t.name, partitions: t.partitions.map(wirePartition) };
}

function wirePartition(p: FetchedOffset): OffsetFetchResponsePartition {
  return { partitionIndex: p.partitionIndex, committedOffset: p.offset, committedLeaderEpoch: p.leaderEpoch, metadata: p.metadata, errorCode: p.errorCode };
}
