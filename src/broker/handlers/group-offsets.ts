// OffsetCommit, OffsetFetch and OffsetDelete: each request version mapped onto the coordinator's
// version-free calls, and the answer shaped for that version. With an authorizer, as in Kafka: committing needs
// READ on the group and on each topic, fetching DESCRIBE on the group and on each topic (a topic the client may
// not describe is left out of an all-topics answer), deleting DELETE on the group and READ on each topic. A group
// refused is GROUP_AUTHORIZATION_FAILED, a topic refused TOPIC_AUTHORIZATION_FAILED for its partitions.
import type { FetchedOffset, GroupCoordinator, PartitionError, RequestedPartitions, TopicResults } from '../../group/index.js';
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
import { AclOperation, ResourceType } from '../../security/acl-model.js';
import { accessAllows, allowsGroup, type RequestAccess } from '../authorization.js';

/** Splits topics into those the operation is allowed on and those it is not. */
function byTopicAccess<T extends { name: string }>(access: RequestAccess, operation: number, topics: readonly T[]): { allowed: T[]; denied: T[] } {
  if (access === null) return { allowed: [...topics], denied: [] };
  const allowed: T[] = [];
  const denied: T[] = [];
  for (const topic of topics) (accessAllows(access, operation, ResourceType.TOPIC, topic.name) ? allowed : denied).push(topic);
  return { allowed, denied };
}

function failedPartitions(name: string, partitionIndexes: readonly number[], errorCode: number): TopicResults<PartitionError> {
  return { name, partitions: partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })) };
}

export async function handleOffsetCommit(groups: GroupCoordinator, request: OffsetCommitRequest, version: number, access: RequestAccess): Promise<OffsetCommitResponse> {
  const partitionsOf = (t: OffsetCommitRequest['topics'][number]): number[] => t.partitions.map((p) => p.partitionIndex);
  if (!allowsGroup(access, AclOperation.READ, request.groupId)) {
    return { throttleTimeMs: 0, topics: request.topics.map((t) => failedPartitions(t.name, partitionsOf(t), ErrorCode.GROUP_AUTHORIZATION_FAILED)) };
  }
  const { allowed, denied } = byTopicAccess(access, AclOperation.READ, request.topics);
  const refused = denied.map((t) => failedPartitions(t.name, partitionsOf(t), ErrorCode.TOPIC_AUTHORIZATION_FAILED));
  if (allowed.length === 0 && refused.length > 0) return { throttleTimeMs: 0, topics: refused };
  const topics = await groups.commitOffsets({
    groupId: request.groupId,
    // v0 commits come from outside group management.
    generationId: version >= 1 ? request.generationIdOrMemberEpoch : -1,
    memberId: version >= 1 ? request.memberId : '',
    groupInstanceId: version >= 7 ? request.groupInstanceId : null,
    // Only v2-4 may choose the retention of their offsets; -1 (and every other version) means the broker's.
    retentionTimeMs: version >= 2 && version <= 4 ? request.retentionTimeMs : -1,
    topics: allowed.map((t) => ({
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
  return { throttleTimeMs: 0, topics: [...topics, ...refused] };
}

/** The coordinator's answer restricted to what the client may see: the group's, then each topic's DESCRIBE. */
function fetchVisible(
  groups: GroupCoordinator,
  groupId: string,
  requested: readonly RequestedPartitions[] | null,
  access: RequestAccess,
): { errorCode: number; topics: TopicResults<FetchedOffset>[] } {
  if (!allowsGroup(access, AclOperation.DESCRIBE, groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
  if (requested === null) {
    const all = groups.fetchOffsets(groupId, null);
    return { errorCode: all.errorCode, topics: byTopicAccess(access, AclOperation.DESCRIBE, all.topics).allowed };
  }
  const { allowed, denied } = byTopicAccess(access, AclOperation.DESCRIBE, requested);
  const fetched = groups.fetchOffsets(groupId, allowed);
  if (fetched.errorCode !== ErrorCode.NONE) return fetched;
  const unauthorized = denied.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })),
  }));
  return { errorCode: fetched.errorCode, topics: [...fetched.topics, ...unauthorized] };
}

export function handleOffsetFetch(groups: GroupCoordinator, request: OffsetFetchRequest, version: number, access: RequestAccess): OffsetFetchResponse {
  if (version >= 8) {
    // v8+ (KIP-709) asks for several groups at once and answers per group.
    return {
      throttleTimeMs: 0,
      topics: [],
      errorCode: ErrorCode.NONE,
      groups: request.groups.map((g) => {
        const { errorCode, topics } = fetchVisible(groups, g.groupId, g.topics, access);
        return { groupId: g.groupId, errorCode, topics: topics.map(wireTopic) };
      }),
    };
  }
  // null topics (v2+) asks for every committed offset; v0/v1 always list them.
  const requested: readonly RequestedPartitions[] | null = version >= 2 ? request.topics : (request.topics ?? []);
  const { errorCode, topics } = fetchVisible(groups, request.groupId, requested, access);
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

export async function handleOffsetDelete(groups: GroupCoordinator, request: OffsetDeleteRequest, access: RequestAccess): Promise<OffsetDeleteResponse> {
  if (!allowsGroup(access, AclOperation.DELETE, request.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
  const requested = request.topics.map((t) => ({ name: t.name, partitionIndexes: t.partitions.map((p) => p.partitionIndex) }));
  const { allowed, denied } = byTopicAccess(access, AclOperation.READ, requested);
  const refused = denied.map((t) => failedPartitions(t.name, t.partitionIndexes, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
  if (allowed.length === 0 && refused.length > 0) return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics: refused };
  const { errorCode, topics } = await groups.deleteOffsets(request.groupId, allowed);
  return { errorCode, throttleTimeMs: 0, topics: errorCode === ErrorCode.NONE ? [...topics, ...refused] : topics };
}

function wireTopic(t: TopicResults<FetchedOffset>): OffsetFetchResponseTopic {
  return { name: t.name, partitions: t.partitions.map(wirePartition) };
}

function wirePartition(p: FetchedOffset): OffsetFetchResponsePartition {
  return { partitionIndex: p.partitionIndex, committedOffset: p.offset, committedLeaderEpoch: p.leaderEpoch, metadata: p.metadata, errorCode: p.errorCode };
}
