// The classic (pre-KIP-848) consumer-group coordinator of a single broker: one façade over membership and
// rebalance (membership.ts, rebalance.ts), committed offsets (offsets.ts, offset-expiry.ts) and group admin
// (group-admin.ts). It speaks in version-free terms; broker/handlers/ shapes each request version.
import type { Logger } from 'pino';
import { ErrorCode as E } from '../protocol/error-codes.js';
import { systemClock, type Clock } from './clock.js';
import { GroupAdmin, type CommittedOffset, type DescribedGroup, type GroupOverview, type ListedGroup } from './group-admin.js';
import { joinError, syncError, type JoinOutcome, type SyncOutcome } from './group.js';
import { GroupRegistry } from './group-registry.js';
import { consumerLag, type PartitionLag } from './lag.js';
import { Membership, type HeartbeatRequest, type JoinRequest, type LeaveResult, type MemberIdentity, type SyncRequest } from './membership.js';
import { MemoryOffsetStore, type OffsetStore } from './offset-store.js';
import { OffsetExpiry } from './offset-expiry.js';
import { GroupOffsets, type CommitRequest, type FetchedOffset, type PartitionError, type RequestedPartitions, type TopicResults } from './offsets.js';
import { Rebalancer } from './rebalance.js';
import { GroupTimers } from './timers.js';

export interface GroupCoordinatorOptions {
  /** This broker's node id: the coordinator of every group and transactional id. */
  nodeId: number;
  /** Where offsets are kept: the broker passes a PartitionOffsetStore (`__consumer_offsets`); default memory only. */
  offsetStore?: OffsetStore;
  /** `group.initial.rebalance.delay.ms`: how long the first rebalance of an empty group waits for more members. */
  initialRebalanceDelayMs?: number;
  /** `group.min.session.timeout.ms`; JoinGroup outside [min, max] gets INVALID_SESSION_TIMEOUT. */
  minSessionTimeoutMs?: number;
  /** `group.max.session.timeout.ms`. */
  maxSessionTimeoutMs?: number;
  /** `group.max.size`; further new members get GROUP_MAX_SIZE_REACHED. */
  maxGroupSize?: number;
  /** `offset.metadata.max.bytes`; longer commit metadata gets OFFSET_METADATA_TOO_LARGE. */
  offsetMetadataMaxBytes?: number;
  /**
   * `offsets.retention.check.interval.ms`: how often expired offsets are removed and empty groups that hold
   * no offsets are forgotten.
   */
  emptyGroupSweepIntervalMs?: number;
  /** `offsets.retention.minutes` in ms (see ExpirySettings for Kafka's rules). Default 7 days. */
  offsetsRetentionMs?: number;
  /** When given, commits and offset deletes for partitions it rejects get UNKNOWN_TOPIC_OR_PARTITION. */
  partitionExists?: (topic: string, partition: number) => boolean;
  /** Time and timers; the system clock by default, a manual one in tests. */
  clock?: Clock;
  logger?: Logger;
}

const DEFAULTS = {
  initialRebalanceDelayMs: 3000,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  maxGroupSize: Number.MAX_SAFE_INTEGER,
  offsetMetadataMaxBytes: 4096,
  emptyGroupSweepIntervalMs: 600_000,
  offsetsRetentionMs: 7 * 24 * 3600 * 1000,
};

/**
 * Runs consumer groups and offsets for the whole broker. It lives on the main thread, the only place group
 * requests arrive. That is fine: group traffic is a few small requests per consumer per heartbeat interval,
 * and its many session/rebalance timers must not sit on a partition worker's data path. All state changes
 * happen synchronously inside a call, so no locking is needed; only offset persistence awaits. In the broker
 * that persistence is a small produce to `__consumer_offsets` owned by a partition actor (see
 * partition-offset-store.ts), so group work never holds up the produce/fetch data path: the main thread never
 * touches the disk for it, and the worker handles a commit batch like any other tiny produce.
 *
 * Call `start()` (loads committed offsets) before serving requests and `close()` on shutdown.
 */
export class GroupCoordinator {
  readonly nodeId: number;
  private readonly store: OffsetStore;
  private readonly timers: GroupTimers;
  private readonly registry: GroupRegistry;
  private readonly membership: Membership;
  private readonly offsets: GroupOffsets;
  private readonly expiry: OffsetExpiry;
  private readonly admin: GroupAdmin;

  constructor(options: GroupCoordinatorOptions) {
    const log = options.logger;
    const clock = options.clock ?? systemClock;
    this.nodeId = options.nodeId;
    this.store = options.offsetStore ?? new MemoryOffsetStore();
    this.timers = new GroupTimers(clock);
    this.registry = new GroupRegistry(this.timers);
    const rebalancer = new Rebalancer(this.timers, options.initialRebalanceDelayMs ?? DEFAULTS.initialRebalanceDelayMs, log);
    this.membership = new Membership(
      this.registry,
      rebalancer,
      {
        minSessionTimeoutMs: options.minSessionTimeoutMs ?? DEFAULTS.minSessionTimeoutMs,
        maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? DEFAULTS.maxSessionTimeoutMs,
        maxGroupSize: options.maxGroupSize ?? DEFAULTS.maxGroupSize,
      },
      log,
    );
    this.offsets = new GroupOffsets(
      this.registry,
      this.store,
      rebalancer,
      { offsetMetadataMaxBytes: options.offsetMetadataMaxBytes ?? DEFAULTS.offsetMetadataMaxBytes, partitionExists: options.partitionExists },
      () => clock.now(),
      log,
    );
    this.expiry = new OffsetExpiry(
      this.registry,
      this.store,
      this.timers,
      {
        retentionMs: options.offsetsRetentionMs ?? DEFAULTS.offsetsRetentionMs,
        checkIntervalMs: options.emptyGroupSweepIntervalMs ?? DEFAULTS.emptyGroupSweepIntervalMs,
      },
      log,
    );
    this.admin = new GroupAdmin(this.registry, this.store, log);
  }

  /** Loads committed offsets. Until it resolves, requests get COORDINATOR_LOAD_IN_PROGRESS (or its equivalent). */
  async start(): Promise<void> {
    await this.offsets.load();
    this.registry.loaded = true;
    if (!this.registry.closed) this.expiry.start();
  }

  /** Stops all timers, answers parked JoinGroup/SyncGroup calls with NOT_COORDINATOR, flushes offsets. */
  async close(): Promise<void> {
    if (this.registry.closed) return;
    this.registry.closed = true;
    this.timers.stopAll();
    for (const g of this.registry.all()) {
      g.joinTimer = null;
      g.syncTimer = null;
      g.pendingMembers.clear();
      for (const m of g.members.values()) {
        m.sessionTimer = null;
        m.answerJoin(joinError(m.memberId, E.NOT_COORDINATOR));
        m.answerSync(syncError(E.NOT_COORDINATOR));
      }
    }
    await this.store.close();
  }

  /** FindCoordinator for a group (key type 0) or a transactional id (1): this broker coordinates both. */
  findCoordinator(keyType: number): { errorCode: number; errorMessage: string | null } {
    if (this.registry.closed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, errorMessage: 'coordinator is shutting down' };
    if (keyType !== 0 && keyType !== 1) return { errorCode: E.INVALID_REQUEST, errorMessage: `unknown key type ${keyType}` };
    return { errorCode: E.NONE, errorMessage: null };
  }

  // ---------------------------------------------------------------- membership

  /** Resolves once the member's join completes (it may wait for a rebalance), or at once with an error. */
  async joinGroup(request: JoinRequest): Promise<JoinOutcome> {
    return this.membership.join(request);
  }

  /** Resolves with the member's assignment; a follower waits for the leader's. */
  async syncGroup(request: SyncRequest): Promise<SyncOutcome> {
    return this.membership.sync(request);
  }

  /** The heartbeat's error code: REBALANCE_IN_PROGRESS tells the member to rejoin. */
  heartbeat(request: HeartbeatRequest): number {
    return this.membership.heartbeat(request);
  }

  leaveGroup(groupId: string, members: readonly MemberIdentity[]): LeaveResult {
    return this.membership.leave(groupId, members);
  }

  // ---------------------------------------------------------------- offsets

  commitOffsets(request: CommitRequest): Promise<TopicResults<PartitionError>[]> {
    return this.offsets.commit(request);
  }

  /** Offsets of the requested partitions; `null` asks for every partition the group committed. */
  fetchOffsets(groupId: string, topics: readonly RequestedPartitions[] | null): { errorCode: number; topics: TopicResults<FetchedOffset>[] } {
    return this.offsets.fetch(groupId, topics);
  }

  deleteOffsets(groupId: string, topics: readonly RequestedPartitions[]): Promise<{ errorCode: number; topics: TopicResults<PartitionError>[] }> {
    return this.offsets.delete(groupId, topics);
  }

  /** Applies `offsets.retention.minutes` now (the sweep does it every check interval). Returns how many expired. */
  expireOffsets(): Promise<number> {
    return this.expiry.expire();
  }

  // ---------------------------------------------------------------- group admin

  /** Live groups; `statesFilter` (case-insensitive, empty = all) keeps those in the given states. */
  listGroups(statesFilter: readonly string[] = []): { errorCode: number; groups: ListedGroup[] } {
    return this.admin.list(statesFilter);
  }

  describeGroups(groupIds: readonly string[]): DescribedGroup[] {
    return this.admin.describe(groupIds);
  }

  deleteGroups(groupIds: readonly string[]): Promise<{ groupId: string; errorCode: number }[]> {
    return this.admin.delete(groupIds);
  }

  /** Committed offsets of one group, sorted by topic then partition. */
  groupOffsets(groupId: string): CommittedOffset[] {
    return this.admin.committedOffsets(groupId);
  }

  /** Lag of one group against the given log end offsets. */
  groupLag(groupId: string, logEndOffsetOf: (topic: string, partition: number) => number | undefined): PartitionLag[] {
    return consumerLag(this.groupOffsets(groupId), logEndOffsetOf);
  }

  /** Membership snapshot, or undefined for an unknown group. */
  describeGroup(groupId: string): GroupOverview | undefined {
    return this.admin.overview(groupId);
  }
}
