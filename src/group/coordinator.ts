// The classic (pre-KIP-848) consumer-group coordinator of a single broker.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../protocol/generated/delete-groups.js';
import type {
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  DescribeGroupsResponseDescribedGroup,
} from '../protocol/generated/describe-groups.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../protocol/generated/find-coordinator.js';
import type { HeartbeatRequest, HeartbeatResponse } from '../protocol/generated/heartbeat.js';
import type { JoinGroupRequest, JoinGroupResponse, JoinGroupResponseMember } from '../protocol/generated/join-group.js';
import type {
  LeaveGroupRequest,
  LeaveGroupRequestMemberIdentity,
  LeaveGroupResponse,
  LeaveGroupResponseMemberResponse,
} from '../protocol/generated/leave-group.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../protocol/generated/list-groups.js';
import type {
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetCommitResponseTopic,
} from '../protocol/generated/offset-commit.js';
import type { OffsetDeleteRequest, OffsetDeleteResponse, OffsetDeleteResponseTopic } from '../protocol/generated/offset-delete.js';
import type {
  OffsetFetchRequest,
  OffsetFetchResponse,
  OffsetFetchResponsePartition,
  OffsetFetchResponseTopic,
} from '../protocol/generated/offset-fetch.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../protocol/generated/sync-group.js';
import { subscribedTopics } from './consumer-protocol.js';
import { ErrorCode as E } from '../protocol/error-codes.js';
import { Group, Member, type GroupState, type JoinOutcome, type MemberProtocol, type OffsetEntry, type SyncOutcome, type Timer } from './group.js';
import { consumerLag, type PartitionLag } from './lag.js';
import { MemoryOffsetStore, type OffsetKey, type OffsetStore, type StoredOffset } from './offset-store.js';
import { commitErrorFor } from './offsets-write-error.js';

export type { GroupState } from './group.js';

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
  /**
   * `offsets.retention.minutes` in ms: offsets of a group that has been Empty this long (counted from the later
   * of the commit and the moment the group became empty) are deleted; so are offsets of topics an active
   * consumer group no longer subscribes to, counted from the commit. Default 7 days.
   */
  offsetsRetentionMs?: number;
  /** When given, commits and offset deletes for partitions it rejects get UNKNOWN_TOPIC_OR_PARTITION. */
  partitionExists?: (topic: string, partition: number) => boolean;
  /** Clock for commit timestamps (tests). */
  now?: () => number;
  logger?: Logger;
}

/** The listener a FindCoordinator request arrived on; clients connect back to it. */
export interface CoordinatorEndpoint {
  host: string;
  port: number;
  /** Defaults to the node id given at construction. */
  nodeId?: number;
}

/** A committed offset as exposed to admin code (`groupOffsets`, `consumerLag`). */
export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

/** Snapshot of a group's membership, for admin code and tests. */
export interface GroupOverview {
  groupId: string;
  state: GroupState;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string }[];
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

/** setTimeout cannot wait longer than this (int32 ms). */
const MAX_TIMER_MS = 2_147_483_647;
/** READ | DELETE | DESCRIBE: every ACL operation that applies to a group, since Spate has no authorizer. */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
const EMPTY = Buffer.alloc(0);

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
  private readonly initialRebalanceDelayMs: number;
  private readonly minSessionTimeoutMs: number;
  private readonly maxSessionTimeoutMs: number;
  private readonly maxGroupSize: number;
  private readonly offsetMetadataMaxBytes: number;
  private readonly emptyGroupSweepIntervalMs: number;
  private readonly offsetsRetentionMs: number;
  private readonly partitionExists: ((topic: string, partition: number) => boolean) | undefined;
  private readonly now: () => number;
  private readonly log: Logger | undefined;
  private readonly groups = new Map<string, Group>();
  private readonly timers = new Set<Timer>();
  /** Numbers offset writes (commits, removals) in the order they are issued; see in-flight-commits.ts. */
  private writeSeq = 0;
  private loaded = false;
  private closed = false;

  constructor(options: GroupCoordinatorOptions) {
    this.nodeId = options.nodeId;
    this.store = options.offsetStore ?? new MemoryOffsetStore();
    this.initialRebalanceDelayMs = options.initialRebalanceDelayMs ?? DEFAULTS.initialRebalanceDelayMs;
    this.minSessionTimeoutMs = options.minSessionTimeoutMs ?? DEFAULTS.minSessionTimeoutMs;
    this.maxSessionTimeoutMs = options.maxSessionTimeoutMs ?? DEFAULTS.maxSessionTimeoutMs;
    this.maxGroupSize = options.maxGroupSize ?? DEFAULTS.maxGroupSize;
    this.offsetMetadataMaxBytes = options.offsetMetadataMaxBytes ?? DEFAULTS.offsetMetadataMaxBytes;
    this.emptyGroupSweepIntervalMs = options.emptyGroupSweepIntervalMs ?? DEFAULTS.emptyGroupSweepIntervalMs;
    this.offsetsRetentionMs = options.offsetsRetentionMs ?? DEFAULTS.offsetsRetentionMs;
    this.partitionExists = options.partitionExists;
    this.now = options.now ?? Date.now;
    this.log = options.logger;
  }

  /** Loads committed offsets. Until it resolves, requests get COORDINATOR_LOAD_IN_PROGRESS (or its equivalent). */
  async start(): Promise<void> {
    const offsets = await this.store.load();
    for (const o of offsets) {
      // Groups that only have offsets come back Empty, as in Kafka.
      this.topicOffsets(this.getOrCreateGroup(o.groupId), o.topic).set(o.partition, {
        offset: o.offset,
        leaderEpoch: o.leaderEpoch,
        metadata: o.metadata,
        commitTimestamp: o.commitTimestamp,
        expireTimestamp: o.expireTimestamp,
      });
    }
    this.loaded = true;
    if (!this.closed) this.armSweep();
  }

  /** Stops all timers, answers parked JoinGroup/SyncGroup calls with NOT_COORDINATOR, flushes offsets. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const g of this.groups.values()) {
      g.joinTimer = null;
      g.syncTimer = null;
      g.pendingMembers.clear();
      for (const m of g.members.values()) {
        m.sessionTimer = null;
        this.resolveJoin(m, joinError(m.memberId, E.NOT_COORDINATOR));
        this.resolveSync(m, syncError(E.NOT_COORDINATOR));
      }
    }
    await this.store.close();
  }

  // ---------------------------------------------------------------- FindCoordinator

  async findCoordinator(
    req: FindCoordinatorRequest,
    version: number,
    endpoint: CoordinatorEndpoint,
  ): Promise<FindCoordinatorResponse> {
    const nodeId = endpoint.nodeId ?? this.nodeId;
    // 0 = group, 1 = transaction: a single broker coordinates both.
    const validType = req.keyType === 0 || req.keyType === 1;
    const errorCode = this.closed ? E.COORDINATOR_NOT_AVAILABLE : validType ? E.NONE : E.INVALID_REQUEST;
    const ok = errorCode === E.NONE;
    const errorMessage = ok ? null : errorCode === E.INVALID_REQUEST ? `unknown key type ${req.keyType}` : 'coordinator is shutting down';
    if (version >= 4) {
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        nodeId: 0,
        host: '',
        port: 0,
        coordinators: req.coordinatorKeys.map((key) => ({
          key,
          nodeId: ok ? nodeId : -1,
          host: ok ? endpoint.host : '',
          port: ok ? endpoint.port : -1,
          errorCode,
          errorMessage,
        })),
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      nodeId: ok ? nodeId : -1,
      host: ok ? endpoint.host : '',
      port: ok ? endpoint.port : -1,
      coordinators: [],
    };
  }

  // ---------------------------------------------------------------- JoinGroup

  async joinGroup(req: JoinGroupRequest, version: number, clientId: string, clientHost: string): Promise<JoinGroupResponse> {
    const outcome = await this.handleJoin(req, version, clientId, clientHost);
    return {
      throttleTimeMs: 0,
      errorCode: outcome.errorCode,
      generationId: outcome.generationId,
      // v7 made both nullable; before that "no protocol" is the empty string.
      protocolType: version >= 7 ? outcome.protocolType : null,
      protocolName: version >= 7 ? outcome.protocolName : (outcome.protocolName ?? ''),
      leader: outcome.leader,
      skipAssignment: version >= 9 && outcome.skipAssignment,
      memberId: outcome.memberId,
      members: outcome.members,
    };
  }

  private handleJoin(req: JoinGroupRequest, version: number, clientId: string, clientHost: string): JoinOutcome | Promise<JoinOutcome> {
    const memberId = req.memberId;
    if (this.closed) return joinError(memberId, E.NOT_COORDINATOR);
    if (!this.loaded) return joinError(memberId, E.COORDINATOR_LOAD_IN_PROGRESS);
    if (req.groupId === '') return joinError(memberId, E.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.minSessionTimeoutMs || req.sessionTimeoutMs > this.maxSessionTimeoutMs) {
      return joinError(memberId, E.INVALID_SESSION_TIMEOUT);
    }
    const params: JoinParams = {
      clientId,
      clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      // JoinGroup v0 has no rebalance timeout: the session timeout serves as both.
      rebalanceTimeoutMs: version >= 1 && req.rebalanceTimeoutMs >= 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      protocolType: req.protocolType,
      // Copied: decoded buffers may be views into the request frame, and members outlive the request.
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      groupInstanceId: version >= 5 ? req.groupInstanceId : null,
      version,
    };
    let group = this.groups.get(req.groupId);
    if (memberId === '') {
      group ??= this.getOrCreateGroup(req.groupId);
      return this.joinNewMember(group, params);
    }
    if (!group) return joinError(memberId, E.UNKNOWN_MEMBER_ID);
    return this.joinKnownMember(group, memberId, params);
  }

  private joinNewMember(group: Group, p: JoinParams): JoinOutcome | Promise<JoinOutcome> {
    if (group.state === 'Dead') return joinError('', E.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return joinError('', E.INCONSISTENT_GROUP_PROTOCOL);
    const newMemberId = `${p.groupInstanceId ?? p.clientId}-${randomUUID()}`;

    if (p.groupInstanceId !== null) {
      const oldMemberId = group.staticMembers.get(p.groupInstanceId);
      if (oldMemberId !== undefined) return this.replaceStaticMember(group, oldMemberId, newMemberId, p);
    }
    if (group.members.size + group.pendingMembers.size >= this.maxGroupSize) {
      return joinError('', E.GROUP_MAX_SIZE_REACHED);
    }
    // Only JoinGroup v4+ clients know MEMBER_ID_REQUIRED; older ones (kafka-python sends v2) get their id at once.
    if (p.groupInstanceId === null && p.version >= 4) {
      const timer = this.schedule(p.sessionTimeoutMs, () => this.expirePendingMember(group, newMemberId));
      group.pendingMembers.set(newMemberId, timer);
      return joinError(newMemberId, E.MEMBER_ID_REQUIRED);
    }
    return this.addMemberAndRebalance(group, newMemberId, p);
  }

  private joinKnownMember(group: Group, memberId: string, p: JoinParams): JoinOutcome | Promise<JoinOutcome> {
    if (group.state === 'Dead') return joinError(memberId, E.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return joinError(memberId, E.INCONSISTENT_GROUP_PROTOCOL);

    const pending = group.pendingMembers.get(memberId);
    if (pending !== undefined && p.groupInstanceId === null) {
      this.cancel(pending);
      group.pendingMembers.delete(memberId);
      if (group.members.size >= this.maxGroupSize) return joinError(memberId, E.GROUP_MAX_SIZE_REACHED);
      return this.addMemberAndRebalance(group, memberId, p);
    }

    const invalid = this.validateMember(group, memberId, p.groupInstanceId);
    if (invalid !== E.NONE) return joinError(memberId, invalid);
    const member = group.members.get(memberId)!;

    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, p);
      case 'CompletingRebalance':
        // Same metadata: the member most likely lost our JoinGroup response; hand it out again.
        if (member.matches(p.protocols)) return this.currentGeneration(group, member, group.isLeader(memberId));
        return this.updateMemberAndRebalance(group, member, p);
      case 'Stable':
        // A leader rejoining or changed metadata (e.g. a cooperative member that revoked partitions, or a
        // new subscription) starts a rebalance. A follower resending identical metadata only needs the
        // current generation, like Kafka does.
        if (group.isLeader(memberId) || !member.matches(p.protocols)) return this.updateMemberAndRebalance(group, member, p);
        this.armSession(group, member);
        return this.currentGeneration(group, member, false);
      case 'Empty':
        return joinError(memberId, E.UNKNOWN_MEMBER_ID);
    }
  }

  private replaceStaticMember(group: Group, oldMemberId: string, newMemberId: string, p: JoinParams): JoinOutcome | Promise<JoinOutcome> {
    const old = group.members.get(oldMemberId)!;
    const leaderBefore = group.leaderId;
    const wasLeader = group.isLeader(oldMemberId);
    const unchanged = old.matches(p.protocols);
    // Whoever still uses the old member id is a stale instance: fence its parked calls right away.
    this.resolveJoin(old, joinError(oldMemberId, E.FENCED_INSTANCE_ID));
    this.resolveSync(old, syncError(E.FENCED_INSTANCE_ID));
    old.sessionTimer = this.cancel(old.sessionTimer);
    const member = memberFromJoin(newMemberId, p);
    group.replaceStatic(old, member);
    this.log?.info({ groupId: group.groupId, oldMemberId, newMemberId }, 'static member rejoined with a new member id');

    if (group.state === 'Stable' && unchanged) {
      // KIP-345: a static member coming back with the same subscription keeps its assignment, no rebalance.
      // A v9+ leader is told it leads but may skip assigning (KIP-814); older leaders are shown the previous
      // leader id so they do not compute an assignment a Stable group would ignore.
      this.armSession(group, member);
      const lead = wasLeader && p.version >= 9;
      return {
        errorCode: E.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: lead ? newMemberId : (leaderBefore ?? ''),
        memberId: newMemberId,
        members: lead ? this.memberList(group) : [],
        skipAssignment: lead,
      };
    }
    const waiter = this.park(member);
    this.armSession(group, member);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group, 'static member rejoined');
    this.tryCompleteJoin(group);
    return waiter;
  }

  private addMemberAndRebalance(group: Group, memberId: string, p: JoinParams): Promise<JoinOutcome> {
    const member = memberFromJoin(memberId, p);
    const waiter = this.park(member);
    if (group.state === 'PreparingRebalance' && group.generationId === 0) group.newMemberAdded = true;
    group.add(member);
    this.armSession(group, member);
    if (group.state !== 'PreparingRebalance') this.prepareRebalance(group, `member ${memberId} joined`);
    this.tryCompleteJoin(group);
    return waiter;
  }

  private updateMemberAndRebalance(group: Group, member: Member, p: JoinParams): Promise<JoinOutcome> {
    member.protocols = p.protocols;
    member.sessionTimeoutMs = p.sessionTimeoutMs;
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    member.clientId = p.clientId;
    member.clientHost = p.clientHost;
    const waiter = this.park(member);
    this.armSession(group, member);
    if (group.state !== 'PreparingRebalance') this.prepareRebalance(group, `member ${member.memberId} rejoined`);
    this.tryCompleteJoin(group);
    return waiter;
  }

  /** Parks a JoinGroup until the rebalance completes; a duplicate parked call is told to retry. */
  private park(member: Member): Promise<JoinOutcome> {
    this.resolveJoin(member, joinError(member.memberId, E.REBALANCE_IN_PROGRESS));
    return new Promise((resolve) => {
      member.joinWaiter = resolve;
    });
  }

  private currentGeneration(group: Group, member: Member, includeMembers: boolean): JoinOutcome {
    return {
      errorCode: E.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: includeMembers ? this.memberList(group) : [],
      skipAssignment: false,
    };
  }

  private memberList(group: Group): JoinGroupResponseMember[] {
    return [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadataFor(group.protocolName),
    }));
  }

  private prepareRebalance(group: Group, reason: string): void {
    if (group.state === 'CompletingRebalance') {
      // The leader's assignment for this generation will never come; send waiting followers back to join.
      for (const m of group.members.values()) {
        m.assignment = EMPTY;
        this.resolveSync(m, syncError(E.REBALANCE_IN_PROGRESS));
      }
    }
    group.syncTimer = this.cancel(group.syncTimer);
    group.pendingSync.clear();
    group.joinTimer = this.cancel(group.joinTimer);
    const wasEmpty = group.state === 'Empty';
    group.state = 'PreparingRebalance';
    this.log?.info({ groupId: group.groupId, generationId: group.generationId, reason }, 'preparing to rebalance group');
    const rebalanceTimeout = group.rebalanceTimeoutMs();
    if (wasEmpty) {
      // group.initial.rebalance.delay.ms: let a whole fleet of new consumers arrive before the first generation.
      const delay = Math.min(this.initialRebalanceDelayMs, rebalanceTimeout);
      group.initialDelayActive = true;
      group.newMemberAdded = false;
      this.armInitialDelay(group, delay, Math.max(rebalanceTimeout - this.initialRebalanceDelayMs, 0));
    } else {
      group.initialDelayActive = false;
      group.joinTimer = this.schedule(rebalanceTimeout, () => this.completeJoin(group));
    }
  }

  private armInitialDelay(group: Group, delayMs: number, remainingMs: number): void {
    group.joinTimer = this.schedule(delayMs, () => {
      group.joinTimer = null;
      if (group.newMemberAdded && remainingMs > 0) {
        group.newMemberAdded = false;
        const delay = Math.min(this.initialRebalanceDelayMs, remainingMs);
        this.armInitialDelay(group, delay, Math.max(remainingMs - delay, 0));
        return;
      }
      group.initialDelayActive = false;
      this.completeJoin(group);
    });
  }

  private tryCompleteJoin(group: Group): void {
    if (group.state === 'PreparingRebalance' && !group.initialDelayActive && group.allMembersJoined()) this.completeJoin(group);
  }

  /** Ends the join phase: drops members that did not rejoin, starts the next generation, answers joiners. */
  private completeJoin(group: Group): void {
    group.joinTimer = this.cancel(group.joinTimer);
    group.initialDelayActive = false;
    if (group.state !== 'PreparingRebalance') return;
    for (const m of [...group.members.values()]) {
      // Static members keep their place until their session expires, so a quick restart needs no rebalance.
      if (!m.joinWaiter && m.groupInstanceId === null) {
        this.log?.info({ groupId: group.groupId, memberId: m.memberId }, 'member did not rejoin in time, removing it');
        m.sessionTimer = this.cancel(m.sessionTimer);
        this.resolveSync(m, syncError(E.UNKNOWN_MEMBER_ID));
        group.remove(m.memberId);
      }
    }
    if (group.members.size > 0 && !group.electJoinedLeader()) {
      // Only absent static members remain: wait for them to rejoin or for their sessions to expire.
      group.joinTimer = this.schedule(group.rebalanceTimeoutMs(), () => this.completeJoin(group));
      return;
    }

    group.generationId++;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.emptySince = this.now();
      group.protocolName = null;
      group.subscribedTopics = null;
      this.log?.info({ groupId: group.groupId, generationId: group.generationId }, 'group is empty');
      return;
    }
    group.protocolName = group.selectProtocol();
    group.subscribedTopics = this.computeSubscribedTopics(group);
    group.state = 'CompletingRebalance';
    this.log?.info(
      { groupId: group.groupId, generationId: group.generationId, protocol: group.protocolName, members: group.members.size },
      'group rebalanced',
    );
    const everyone = this.memberList(group);
    for (const m of group.members.values()) {
      if (!m.joinWaiter) continue;
      const leader = group.isLeader(m.memberId);
      this.resolveJoin(m, {
        errorCode: E.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId ?? '',
        memberId: m.memberId,
        members: leader ? everyone : [],
        skipAssignment: false,
      });
      group.pendingSync.add(m.memberId);
      this.armSession(group, m);
    }
    // Members that never follow up with SyncGroup would stall the group forever; drop them after the
    // rebalance timeout and rebalance again.
    const generation = group.generationId;
    group.syncTimer = this.schedule(group.rebalanceTimeoutMs(), () => {
      group.syncTimer = null;
      if (group.generationId !== generation || (group.state !== 'CompletingRebalance' && group.state !== 'Stable')) return;
      if (group.pendingSync.size === 0) return;
      for (const id of [...group.pendingSync]) {
        const m = group.members.get(id);
        if (!m) continue;
        this.log?.info({ groupId: group.groupId, memberId: id }, 'member did not sync in time, removing it');
        m.sessionTimer = this.cancel(m.sessionTimer);
        this.resolveSync(m, syncError(E.UNKNOWN_MEMBER_ID));
        group.remove(id);
      }
      this.prepareRebalance(group, 'members did not send SyncGroup in time');
      this.tryCompleteJoin(group);
    });
  }

  private computeSubscribedTopics(group: Group): Set<string> | null {
    if (group.protocolType !== 'consumer') return null;
    const topics = new Set<string>();
    for (const m of group.members.values()) {
      const parsed = subscribedTopics(m.metadataFor(group.protocolName));
      if (parsed === null) return null;
      for (const t of parsed) topics.add(t);
    }
    return topics;
  }

  // ---------------------------------------------------------------- SyncGroup

  async syncGroup(req: SyncGroupRequest, version: number): Promise<SyncGroupResponse> {
    const outcome = await this.handleSync(req, version);
    return {
      throttleTimeMs: 0,
      errorCode: outcome.errorCode,
      protocolType: outcome.protocolType,
      protocolName: outcome.protocolName,
      assignment: outcome.assignment,
    };
  }

  private handleSync(req: SyncGroupRequest, version: number): SyncOutcome | Promise<SyncOutcome> {
    if (this.closed) return syncError(E.NOT_COORDINATOR);
    // Group state is not persisted, so after loading the member must join again anyway.
    if (!this.loaded) return syncError(E.REBALANCE_IN_PROGRESS);
    if (req.groupId === '') return syncError(E.INVALID_GROUP_ID);
    const group = this.groups.get(req.groupId);
    if (!group) return syncError(E.UNKNOWN_MEMBER_ID);
    if (group.state === 'Dead') return syncError(E.COORDINATOR_NOT_AVAILABLE);
    const invalid = this.validateMember(group, req.memberId, version >= 3 ? req.groupInstanceId : null);
    if (invalid !== E.NONE) return syncError(invalid);
    if (req.generationId !== group.generationId) return syncError(E.ILLEGAL_GENERATION);
    if (
      (req.protocolType !== null && req.protocolType !== group.protocolType) ||
      (req.protocolName !== null && req.protocolName !== group.protocolName)
    ) {
      return syncError(E.INCONSISTENT_GROUP_PROTOCOL);
    }
    const member = group.members.get(req.memberId)!;
    switch (group.state) {
      case 'Empty':
        return syncError(E.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return syncError(E.REBALANCE_IN_PROGRESS);
      case 'Stable':
        group.pendingSync.delete(member.memberId);
        this.armSession(group, member);
        return this.syncSuccess(group, member.assignment);
      case 'CompletingRebalance': {
        group.pendingSync.delete(member.memberId);
        this.armSession(group, member);
        this.resolveSync(member, syncError(E.REBALANCE_IN_PROGRESS));
        const waiter = new Promise<SyncOutcome>((resolve) => {
          member.syncWaiter = resolve;
        });
        if (group.isLeader(member.memberId)) {
          const given = new Map(req.assignments.map((a) => [a.memberId, a.assignment] as const));
          for (const m of group.members.values()) {
            // Members the leader left out get an empty assignment, like Kafka.
            m.assignment = Buffer.from(given.get(m.memberId) ?? EMPTY);
            this.resolveSync(m, this.syncSuccess(group, m.assignment));
          }
          group.state = 'Stable';
          this.log?.info({ groupId: group.groupId, generationId: group.generationId }, 'group is stable');
        }
        return waiter;
      }
    }
  }

  private syncSuccess(group: Group, assignment: Buffer): SyncOutcome {
    return { errorCode: E.NONE, assignment, protocolType: group.protocolType, protocolName: group.protocolName };
  }

  // ---------------------------------------------------------------- Heartbeat

  async heartbeat(req: HeartbeatRequest, version: number): Promise<HeartbeatResponse> {
    return { throttleTimeMs: 0, errorCode: this.handleHeartbeat(req, version) };
  }

  private handleHeartbeat(req: HeartbeatRequest, version: number): number {
    if (this.closed) return E.NOT_COORDINATOR;
    // While loading, Kafka answers heartbeats blindly with success.
    if (!this.loaded) return E.NONE;
    if (req.groupId === '') return E.INVALID_GROUP_ID;
    const group = this.groups.get(req.groupId);
    if (!group) return E.UNKNOWN_MEMBER_ID;
    if (group.state === 'Dead') return E.COORDINATOR_NOT_AVAILABLE;
    const invalid = this.validateMember(group, req.memberId, version >= 3 ? req.groupInstanceId : null);
    if (invalid !== E.NONE) return invalid;
    if (req.generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    const member = group.members.get(req.memberId)!;
    switch (group.state) {
      case 'Empty':
        return E.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        this.armSession(group, member);
        return E.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
      case 'Stable':
        this.armSession(group, member);
        return E.NONE;
    }
  }

  // ---------------------------------------------------------------- LeaveGroup

  async leaveGroup(req: LeaveGroupRequest, version: number): Promise<LeaveGroupResponse> {
    // v0-2 name one member at the top level; v3+ (KIP-345) list members, possibly by instance id only.
    const identities: LeaveGroupRequestMemberIdentity[] =
      version >= 3 ? req.members : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
    let topError: number = E.NONE;
    let results: LeaveGroupResponseMemberResponse[] = [];
    if (this.closed) topError = E.NOT_COORDINATOR;
    else if (!this.loaded) topError = E.COORDINATOR_LOAD_IN_PROGRESS;
    else if (req.groupId === '') topError = E.INVALID_GROUP_ID;
    else {
      const group = this.groups.get(req.groupId);
      if (group?.state === 'Dead') topError = E.COORDINATOR_NOT_AVAILABLE;
      else {
        results = identities.map((id) => ({
          memberId: id.memberId,
          groupInstanceId: id.groupInstanceId,
          errorCode: group ? this.leaveOne(group, id) : E.UNKNOWN_MEMBER_ID,
        }));
      }
    }
    if (version >= 3) return { throttleTimeMs: 0, errorCode: topError, members: results };
    return { throttleTimeMs: 0, errorCode: topError !== E.NONE ? topError : (results[0]?.errorCode ?? E.NONE), members: [] };
  }

  private leaveOne(group: Group, id: LeaveGroupRequestMemberIdentity): number {
    if (id.memberId !== '' && this.isFenced(group, id.memberId, id.groupInstanceId)) return E.FENCED_INSTANCE_ID;
    const pending = group.pendingMembers.get(id.memberId);
    if (pending !== undefined) {
      this.cancel(pending);
      group.pendingMembers.delete(id.memberId);
      this.tryCompleteJoin(group);
      return E.NONE;
    }
    const memberId = id.groupInstanceId !== null ? group.staticMembers.get(id.groupInstanceId) : id.memberId;
    const member = memberId === undefined ? undefined : group.members.get(memberId);
    if (!member) return E.UNKNOWN_MEMBER_ID;
    this.log?.info({ groupId: group.groupId, memberId: member.memberId }, 'member left the group');
    this.removeMemberAndUpdateGroup(group, member);
    return E.NONE;
  }

  // ---------------------------------------------------------------- OffsetCommit

  async offsetCommit(req: OffsetCommitRequest, version: number): Promise<OffsetCommitResponse> {
    const generationId = version >= 1 ? req.generationIdOrMemberEpoch : -1;
    const memberId = version >= 1 ? req.memberId : '';
    const groupInstanceId = version >= 7 ? req.groupInstanceId : null;
    const groupError = this.validateCommit(req.groupId, generationId, memberId, groupInstanceId);
    const response: OffsetCommitResponseTopic[] = [];
    const records: StoredOffset[] = [];
    const results: { errorCode: number }[] = [];
    const now = this.now();
    // OffsetCommit v2-4 may set the retention of these offsets; -1 (and every other version) means the broker's.
    const retentionTimeMs = version >= 2 && version <= 4 ? req.retentionTimeMs : -1;
    const expireTimestamp = retentionTimeMs === -1 ? null : now + retentionTimeMs;
    for (const t of req.topics) {
      const partitions = t.partitions.map((p) => {
        const out = { partitionIndex: p.partitionIndex, errorCode: groupError as number };
        if (groupError !== E.NONE) return out;
        const metadata = p.committedMetadata ?? '';
        if (Buffer.byteLength(metadata, 'utf8') > this.offsetMetadataMaxBytes) {
          out.errorCode = E.OFFSET_METADATA_TOO_LARGE;
        } else if (this.partitionExists && !this.partitionExists(t.name, p.partitionIndex)) {
          out.errorCode = E.UNKNOWN_TOPIC_OR_PARTITION;
        } else {
          records.push({
            groupId: req.groupId,
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: version >= 6 ? p.committedLeaderEpoch : -1,
            metadata,
            commitTimestamp: version === 1 && p.commitTimestamp >= 0 ? p.commitTimestamp : now,
            expireTimestamp,
          });
          results.push(out);
        }
        return out;
      });
      response.push({ name: t.name, partitions });
    }
    if (records.length > 0) await this.persistCommit(req.groupId, records, results);
    return { throttleTimeMs: 0, topics: response };
  }

  /**
   * Writes one commit to the offsets topic and only then shows it to OffsetFetch, as Kafka does: a commit the
   * client was told failed must not be visible, and one it was told succeeded must survive a restart. While
   * it is being written, later writes for the same partitions (another commit, an OffsetDelete) keep their
   * effect; see in-flight-commits.ts.
   */
  private async persistCommit(groupId: string, records: StoredOffset[], results: { errorCode: number }[]): Promise<void> {
    const group = this.getOrCreateGroup(groupId);
    const seq = ++this.writeSeq;
    group.inFlight.begin(records);
    let succeeded = true;
    try {
      await this.store.append(records);
    } catch (err: unknown) {
      succeeded = false;
      const errorCode = commitErrorFor(err);
      this.log?.warn({ err, groupId, errorCode }, 'failed to persist committed offsets');
      for (const r of results) r.errorCode = errorCode;
    }
    // A group deleted meanwhile wrote tombstones after this commit: it stays deleted.
    const live = this.groups.get(groupId) === group;
    for (const r of records) {
      if (!group.inFlight.settle(r.topic, r.partition, seq, succeeded) || !live) continue;
      this.topicOffsets(group, r.topic).set(r.partition, {
        offset: r.offset,
        leaderEpoch: r.leaderEpoch,
        metadata: r.metadata,
        commitTimestamp: r.commitTimestamp,
        expireTimestamp: r.expireTimestamp,
      });
    }
  }

  private validateCommit(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
    if (this.closed) return E.NOT_COORDINATOR;
    if (!this.loaded) return E.COORDINATOR_LOAD_IN_PROGRESS;
    const group = this.groups.get(groupId);
    if (!group) {
      // No group: only a "simple consumer" (no group management) may commit; a generation means a stale member.
      return generationId < 0 ? E.NONE : E.ILLEGAL_GENERATION;
    }
    if (group.state === 'Dead') return E.COORDINATOR_NOT_AVAILABLE;
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      const invalid = this.validateMember(group, memberId, groupInstanceId);
      if (invalid !== E.NONE) return invalid;
      if (generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    } else if (group.state !== 'Empty') {
      // Once a group has members, only they may commit.
      return E.UNKNOWN_MEMBER_ID;
    }
    // The member has the new generation from JoinGroup but no assignment yet.
    if (group.state === 'CompletingRebalance') return E.REBALANCE_IN_PROGRESS;
    const member = group.members.get(memberId);
    if (member) this.armSession(group, member);
    return E.NONE;
  }

  // ---------------------------------------------------------------- OffsetFetch

  async offsetFetch(req: OffsetFetchRequest, version: number): Promise<OffsetFetchResponse> {
    if (version >= 8) {
      return {
        throttleTimeMs: 0,
        topics: [],
        errorCode: 0,
        groups: req.groups.map((g) => {
          const { errorCode, topics } = this.fetchGroupOffsets(g.groupId, g.topics);
          return { groupId: g.groupId, errorCode, topics };
        }),
      };
    }
    const { errorCode, topics } = this.fetchGroupOffsets(req.groupId, version >= 2 ? req.topics : (req.topics ?? []));
    if (version >= 2) return { throttleTimeMs: 0, topics: errorCode === E.NONE ? topics : [], errorCode, groups: [] };
    // v0/v1 have no group-level error field: report it on every requested partition.
    if (errorCode !== E.NONE) {
      const failed = (req.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({ ...noOffset(p), errorCode })),
      }));
      return { throttleTimeMs: 0, topics: failed, errorCode: 0, groups: [] };
    }
    return { throttleTimeMs: 0, topics, errorCode: 0, groups: [] };
  }

  private fetchGroupOffsets(
    groupId: string,
    requested: readonly { name: string; partitionIndexes: number[] }[] | null,
  ): { errorCode: number; topics: OffsetFetchResponseTopic[] } {
    if (this.closed) return { errorCode: E.NOT_COORDINATOR, topics: [] };
    if (!this.loaded) return { errorCode: E.COORDINATOR_LOAD_IN_PROGRESS, topics: [] };
    const group = this.groups.get(groupId);
    if (requested === null) {
      // null topics (v2+): everything the group has committed.
      const topics: OffsetFetchResponseTopic[] = [];
      for (const [topic, parts] of group?.offsets ?? []) {
        const partitions = [...parts.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([partition, e]) => committed(partition, e));
        topics.push({ name: topic, partitions });
      }
      return { errorCode: E.NONE, topics };
    }
    return {
      errorCode: E.NONE,
      topics: requested.map((t) => {
        const parts = group?.offsets.get(t.name);
        return {
          name: t.name,
          partitions: t.partitionIndexes.map((p) => {
            const e = parts?.get(p);
            return e ? committed(p, e) : noOffset(p);
          }),
        };
      }),
    };
  }

  // ---------------------------------------------------------------- ListGroups / DescribeGroups

  async listGroups(req: ListGroupsRequest, version: number): Promise<ListGroupsResponse> {
    if (this.closed) return { throttleTimeMs: 0, errorCode: E.NOT_COORDINATOR, groups: [] };
    if (!this.loaded) return { throttleTimeMs: 0, errorCode: E.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
    const filter = version >= 4 ? new Set(req.statesFilter.map((s) => s.toLowerCase())) : new Set<string>();
    const groups = [];
    for (const g of this.groups.values()) {
      if (g.state === 'Dead') continue;
      if (filter.size > 0 && !filter.has(g.state.toLowerCase())) continue;
      groups.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state });
    }
    return { throttleTimeMs: 0, errorCode: E.NONE, groups };
  }

  async describeGroups(req: DescribeGroupsRequest, version: number): Promise<DescribeGroupsResponse> {
    const operations = version >= 3 && req.includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED;
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId): DescribeGroupsResponseDescribedGroup => {
        const base = { groupId, authorizedOperations: operations };
        if (this.closed || !this.loaded) {
          return {
            ...base,
            errorCode: this.closed ? E.NOT_COORDINATOR : E.COORDINATOR_LOAD_IN_PROGRESS,
            groupState: '',
            protocolType: '',
            protocolData: '',
            members: [],
          };
        }
        const g = this.groups.get(groupId);
        if (!g || g.state === 'Dead') {
          return { ...base, errorCode: E.NONE, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
        }
        // Like Kafka, metadata and assignments are only shown once the group is Stable.
        const stable = g.state === 'Stable';
        return {
          ...base,
          errorCode: E.NONE,
          groupState: g.state,
          protocolType: g.protocolType ?? '',
          protocolData: stable ? (g.protocolName ?? '') : '',
          members: [...g.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: stable ? m.metadataFor(g.protocolName) : EMPTY,
            memberAssignment: stable ? m.assignment : EMPTY,
          })),
        };
      }),
    };
  }

  // ---------------------------------------------------------------- DeleteGroups / OffsetDelete

  async deleteGroups(req: DeleteGroupsRequest, _version: number): Promise<DeleteGroupsResponse> {
    const results: { groupId: string; errorCode: number }[] = [];
    const tombstones: OffsetKey[] = [];
    for (const groupId of req.groupsNames) {
      if (this.closed) {
        results.push({ groupId, errorCode: E.NOT_COORDINATOR });
        continue;
      }
      if (!this.loaded) {
        results.push({ groupId, errorCode: E.COORDINATOR_LOAD_IN_PROGRESS });
        continue;
      }
      const g = this.groups.get(groupId);
      if (!g || g.state === 'Dead') {
        results.push({ groupId, errorCode: E.GROUP_ID_NOT_FOUND });
        continue;
      }
      if (g.state !== 'Empty') {
        results.push({ groupId, errorCode: E.NON_EMPTY_GROUP });
        continue;
      }
      for (const [topic, parts] of g.offsets) for (const partition of parts.keys()) tombstones.push({ groupId, topic, partition });
      // A commit still being written lands in the log before these tombstones, so it is deleted too.
      for (const { topic, partition } of g.inFlight.partitions()) {
        if (!g.offsets.get(topic)?.has(partition)) tombstones.push({ groupId, topic, partition });
      }
      this.dropGroup(g);
      results.push({ groupId, errorCode: E.NONE });
    }
    if (tombstones.length > 0) {
      try {
        await this.store.remove(tombstones);
      } catch (err: unknown) {
        this.log?.warn({ err }, 'failed to persist group deletion');
        for (const r of results) if (r.errorCode === E.NONE) r.errorCode = E.COORDINATOR_NOT_AVAILABLE;
      }
    }
    return { throttleTimeMs: 0, results };
  }

  async offsetDelete(req: OffsetDeleteRequest, _version: number): Promise<OffsetDeleteResponse> {
    const fail = (errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] });
    if (this.closed) return fail(E.NOT_COORDINATOR);
    if (!this.loaded) return fail(E.COORDINATOR_LOAD_IN_PROGRESS);
    if (req.groupId === '') return fail(E.INVALID_GROUP_ID);
    const g = this.groups.get(req.groupId);
    if (!g || g.state === 'Dead') return fail(E.GROUP_ID_NOT_FOUND);
    const active = g.state !== 'Empty';
    if (active && g.protocolType !== 'consumer') return fail(E.NON_EMPTY_GROUP);
    const removed: OffsetKey[] = [];
    const removedRefs: { errorCode: number }[] = [];
    const seq = ++this.writeSeq;
    const topics: OffsetDeleteResponseTopic[] = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const out = { partitionIndex: p.partitionIndex, errorCode: E.NONE as number };
        if (this.partitionExists && !this.partitionExists(t.name, p.partitionIndex)) {
          out.errorCode = E.UNKNOWN_TOPIC_OR_PARTITION;
        } else if (active && (g.subscribedTopics === null || g.subscribedTopics.has(t.name))) {
          // Offsets of topics the group still consumes would be committed again right away.
          out.errorCode = E.GROUP_SUBSCRIBED_TO_TOPIC;
        } else {
          const parts = g.offsets.get(t.name);
          const wasCommitted = parts?.delete(p.partitionIndex) === true;
          if (parts?.size === 0) g.offsets.delete(t.name);
          // A commit still being written must not bring the offset back once it lands (its record precedes
          // the tombstone in the log).
          const beingCommitted = g.inFlight.has(t.name, p.partitionIndex);
          if (beingCommitted) g.inFlight.applied(t.name, p.partitionIndex, seq);
          if (wasCommitted || beingCommitted) {
            removed.push({ groupId: g.groupId, topic: t.name, partition: p.partitionIndex });
            removedRefs.push(out);
          }
        }
        return out;
      }),
    }));
    if (removed.length > 0) {
      try {
        await this.store.remove(removed);
      } catch (err: unknown) {
        this.log?.warn({ err, groupId: g.groupId }, 'failed to persist offset deletion');
        for (const r of removedRefs) r.errorCode = E.COORDINATOR_NOT_AVAILABLE;
      }
    }
    return { errorCode: E.NONE, throttleTimeMs: 0, topics };
  }

  // ---------------------------------------------------------------- admin / introspection

  /** Committed offsets of one group, sorted by topic then partition. */
  groupOffsets(groupId: string): CommittedOffset[] {
    const g = this.groups.get(groupId);
    const out: CommittedOffset[] = [];
    for (const [topic, parts] of g?.offsets ?? []) {
      for (const [partition, e] of parts) {
        out.push({ topic, partition, offset: e.offset, leaderEpoch: e.leaderEpoch, metadata: e.metadata, commitTimestamp: e.commitTimestamp });
      }
    }
    out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    return out;
  }

  /** Lag of one group against the given log end offsets. */
  groupLag(groupId: string, logEndOffsetOf: (topic: string, partition: number) => number | undefined): PartitionLag[] {
    return consumerLag(this.groupOffsets(groupId), logEndOffsetOf);
  }

  /** Membership snapshot, or undefined for an unknown group. */
  describeGroup(groupId: string): GroupOverview | undefined {
    const g = this.groups.get(groupId);
    if (!g) return undefined;
    return {
      groupId: g.groupId,
      state: g.state,
      generationId: g.generationId,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leaderId: g.leaderId,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
      })),
    };
  }

  // ---------------------------------------------------------------- internals

  private getOrCreateGroup(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new Group(groupId);
      this.groups.set(groupId, g);
    }
    return g;
  }

  private topicOffsets(group: Group, topic: string): Map<number, OffsetEntry> {
    let parts = group.offsets.get(topic);
    if (!parts) {
      parts = new Map();
      group.offsets.set(topic, parts);
    }
    return parts;
  }

  /** Kafka's validateCurrentMember: the instance id, when given, must map to this member id. */
  private validateMember(group: Group, memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = group.staticMembers.get(groupInstanceId);
      if (current === undefined) return E.UNKNOWN_MEMBER_ID;
      if (current !== memberId) return E.FENCED_INSTANCE_ID;
      return E.NONE;
    }
    return group.members.has(memberId) ? E.NONE : E.UNKNOWN_MEMBER_ID;
  }

  private isFenced(group: Group, memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const current = group.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  private removeMemberAndUpdateGroup(group: Group, member: Member): void {
    member.sessionTimer = this.cancel(member.sessionTimer);
    this.resolveJoin(member, joinError(member.memberId, E.UNKNOWN_MEMBER_ID));
    this.resolveSync(member, syncError(E.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.prepareRebalance(group, `member ${member.memberId} left`);
        this.tryCompleteJoin(group);
        break;
      case 'PreparingRebalance':
        this.tryCompleteJoin(group);
        break;
      case 'Empty':
      case 'Dead':
        break;
    }
  }

  private armSession(group: Group, member: Member): void {
    this.cancel(member.sessionTimer);
    member.sessionTimer = this.schedule(member.sessionTimeoutMs, () => {
      member.sessionTimer = null;
      if (group.members.get(member.memberId) !== member) return;
      // A parked JoinGroup/SyncGroup is itself proof of life; the rebalance/sync deadlines bound the wait.
      if (member.joinWaiter || member.syncWaiter) {
        this.armSession(group, member);
        return;
      }
      this.log?.info({ groupId: group.groupId, memberId: member.memberId }, 'member session expired');
      this.removeMemberAndUpdateGroup(group, member);
    });
  }

  private expirePendingMember(group: Group, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    this.tryCompleteJoin(group);
  }

  private dropGroup(g: Group): void {
    g.state = 'Dead';
    g.joinTimer = this.cancel(g.joinTimer);
    g.syncTimer = this.cancel(g.syncTimer);
    for (const t of g.pendingMembers.values()) this.cancel(t);
    g.pendingMembers.clear();
    g.offsets.clear();
    this.groups.delete(g.groupId);
  }

  /** Expires offsets and forgets empty groups without offsets, so one-off group ids do not accumulate forever. */
  private armSweep(): void {
    this.schedule(this.emptyGroupSweepIntervalMs, () => {
      void this.expireOffsets()
        .catch((err: unknown) => this.log?.warn({ err }, 'offset expiration failed'))
        .finally(() => {
          if (!this.closed) this.armSweep();
        });
    });
  }

  /**
   * Applies `offsets.retention.minutes` now (Kafka's rules, see the option): deletes expired offsets, writes
   * their tombstones, and forgets Empty groups left without offsets. Returns how many offsets expired.
   */
  async expireOffsets(): Promise<number> {
    if (this.closed || !this.loaded) return 0;
    const now = this.now();
    const tombstones: OffsetKey[] = [];
    for (const g of [...this.groups.values()]) {
      if (g.state === 'Dead') continue;
      const empty = g.state === 'Empty';
      // An active consumer group keeps the offsets of topics it subscribes to; other active groups keep all.
      const activeConsumer = !empty && g.protocolType === 'consumer' && g.subscribedTopics !== null;
      if (empty || activeConsumer) {
        for (const [topic, parts] of g.offsets) {
          if (activeConsumer && g.subscribedTopics!.has(topic)) continue;
          for (const [partition, e] of parts) {
            // As in Kafka, an offset being committed again does not expire.
            if (g.inFlight.has(topic, partition) || !this.isExpired(e, empty ? g.emptySince : null, now)) continue;
            parts.delete(partition);
            tombstones.push({ groupId: g.groupId, topic, partition });
          }
          if (parts.size === 0) g.offsets.delete(topic);
        }
      }
      if (g.state === 'Empty' && !g.hasOffsets && g.inFlight.size === 0 && g.pendingMembers.size === 0 && g.members.size === 0) this.dropGroup(g);
    }
    if (tombstones.length > 0) {
      this.log?.info({ offsets: tombstones.length }, 'expired committed offsets');
      await this.store.remove(tombstones);
    }
    return tombstones.length;
  }

  /**
   * Kafka's OffsetExpirationCondition: a commit that chose its own retention expires at its expire timestamp;
   * others `offsets.retention.minutes` after their commit, or, in an empty group, after the later of the commit
   * and the moment the group became empty.
   */
  private isExpired(e: OffsetEntry, emptySince: number | null, now: number): boolean {
    if (e.expireTimestamp !== null) return now >= e.expireTimestamp;
    return Math.max(e.commitTimestamp, emptySince ?? 0) + this.offsetsRetentionMs <= now;
  }

  private resolveJoin(member: Member, outcome: JoinOutcome): void {
    const w = member.joinWaiter;
    member.joinWaiter = null;
    w?.(outcome);
  }

  private resolveSync(member: Member, outcome: SyncOutcome): void {
    const w = member.syncWaiter;
    member.syncWaiter = null;
    w?.(outcome);
  }

  /** Unref'd so an idle broker can exit; all timers are tracked so close() can clear them. */
  private schedule(ms: number, fn: () => void): Timer {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    t.unref();
    this.timers.add(t);
    return t;
  }

  private cancel(t: Timer | null | undefined): null {
    if (t) {
      clearTimeout(t);
      this.timers.delete(t);
    }
    return null;
  }
}

interface JoinParams {
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  groupInstanceId: string | null;
  version: number;
}

function joinError(memberId: string, errorCode: number): JoinOutcome {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    memberId,
    members: [],
    skipAssignment: false,
  };
}

function syncError(errorCode: number): SyncOutcome {
  return { errorCode, assignment: EMPTY, protocolType: null, protocolName: null };
}

function committed(partition: number, e: OffsetEntry): OffsetFetchResponsePartition {
  return { partitionIndex: partition, committedOffset: e.offset, committedLeaderEpoch: e.leaderEpoch, metadata: e.metadata, errorCode: 0 };
}

function noOffset(partition: number): OffsetFetchResponsePartition {
  return { partitionIndex: partition, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 };
}

/** A member as a JoinGroup request describes it. */
function memberFromJoin(memberId: string, p: JoinParams): Member {
  return new Member({
    memberId,
    groupInstanceId: p.groupInstanceId,
    clientId: p.clientId,
    clientHost: p.clientHost,
    sessionTimeoutMs: p.sessionTimeoutMs,
    rebalanceTimeoutMs: p.rebalanceTimeoutMs,
    protocolType: p.protocolType,
    protocols: p.protocols,
  });
}
