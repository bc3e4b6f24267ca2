// OffsetFetch: a group's committed offsets, in the single-group shape (v1-7) or the batched one (v8+).
import { ApiKey, type OffsetFetchResponse } from '../protocol/generated/index.js';
import type { Cluster } from './cluster.js';
import { ClientError, KafkaResponseError } from './errors.js';

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** -1 when the group has no offset for the partition. */
  offset: number;
  metadata: string | null;
}

/** Committed offsets of `groupId`, for the given partitions or (null) for every partition it has committed. */
export async function fetchCommittedOffsets(
  cluster: Cluster,
  groupId: string,
  topics: ReadonlyArray<{ name: string; partitions: readonly number[] }> | null,
): Promise<CommittedOffset[]> {
  const coordinator = await cluster.coordinatorFor(groupId);
  const version = coordinator.version(ApiKey.OffsetFetch);
  if (topics === null && version < 2) {
    throw new ClientError('SPATE_CLIENT_UNSUPPORTED', `broker ${coordinator.address} cannot list all committed offsets of a group (OffsetFetch v${version})`);
  }
  const requestTopics = topics === null ? null : topics.map((t) => ({ name: t.name, partitionIndexes: [...t.partitions] }));
  const response = await coordinator.request<OffsetFetchResponse>(ApiKey.OffsetFetch, version, {
    groupId,
    topics: requestTopics,
    groups: [{ groupId, memberId: null, memberEpoch: -1, topics: requestTopics }],
    requireStable: false,
  });
  const rows: CommittedOffset[] = [];
  const collect = (name: string, partitions: ReadonlyArray<{ partitionIndex: number; committedOffset: number; metadata: string | null; errorCode: number }>): void => {
    for (const p of partitions) {
      if (p.errorCode !== 0) throw new KafkaResponseError(p.errorCode, `fetching committed offsets of group ${groupId} for ${name}-${p.partitionIndex}`);
      rows.push({ topic: name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata });
    }
  };
  if (version >= 8) {
    const group = response.groups.find((g) => g.groupId === groupId);
    if (group === undefined) throw new ClientError('SPATE_CLIENT_PROTOCOL', `OffsetFetch response left group ${groupId} out`);
    if (group.errorCode !== 0) throw new KafkaResponseError(group.errorCode, `fetching committed offsets of group ${groupId}`);
    for (const t of group.topics) collect(t.name, t.partitions);
  } else {
    if (response.errorCode !== 0) throw new KafkaResponseError(response.errorCode, `fetching committed offsets of group ${groupId}`);
    for (const t of response.topics) collect(t.name, t.partitions);
  }
  return rows.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
