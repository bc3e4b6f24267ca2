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
  FileOffsetStore,
  MemoryOffsetStore,
  OFFSETS_FILE_NAME,
  type FileOffsetStoreOptions,
  type OffsetKey,
  type OffsetStore,
  type StoredOffset,
} from './offset-store.js';
export { consumerLag, type CommittedPosition, type PartitionLag } from './lag.js';
export { GroupErrorCode, type GroupErrorCodeValue } from './error-codes.js';
