// Consumer-group coordination (classic protocol) and committed-offset storage.
export { GroupCoordinator, type GroupCoordinatorOptions } from './coordinator.js';
export { systemClock, type Clock, type Timer } from './clock.js';
export type { GroupState, JoinOutcome, MemberMetadata, MemberProtocol, SyncOutcome } from './group.js';
export type { HeartbeatRequest, JoinRequest, LeaveResult, MemberIdentity, SyncRequest } from './membership.js';
export type { CommitRequest, CommittedPartition, FetchedOffset, PartitionError, RequestedPartitions, TopicResults } from './offsets.js';
export type { CommittedOffset, DescribedGroup, DescribedMember, GroupOverview, ListedGroup } from './group-admin.js';
export {
  MemoryOffsetStore,
  type OffsetKey,
  type OffsetStore,
  type StoredOffset,
} from './offset-store.js';
export {
  PartitionOffsetStore,
  offsetsPartitionFor,
  encodeOffsetKey,
  encodeOffsetValue,
  decodeOffsetKey,
  decodeOffsetValue,
  type OffsetsTopicLog,
} from './partition-offset-store.js';
export { OFFSETS_TOPIC, isInternalTopic } from './internal-topics.js';
export { OffsetsWriteError } from './offsets-write-error.js';
export { consumerLag, type CommittedPosition, type PartitionLag } from './lag.js';
