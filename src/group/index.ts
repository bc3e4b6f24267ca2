// Consumer-group coordination (classic protocol) and committed-offset storage.
export {
  GroupCoordinator,
  type GroupCoordinatorOptions,
  type CoordinatorEndpoint,
  type CommittedOffset,
  type GroupOverview,
  type GroupState,
} from './coordinator.js';
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
