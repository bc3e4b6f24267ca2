// Who is in a classic consumer group: JoinGroup, SyncGroup, Heartbeat and LeaveGroup, in version-free terms.
// The handlers (broker/handlers/group-membership.ts) turn each request version into these calls; the state
// machine and its timers are in rebalance.ts.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode as E } from '../protocol/error-codes.js';
import { joinError, Member, syncError, type Group, type JoinOutcome, type MemberProtocol, type SyncOutcome } from './group.js';
import type { GroupRegistry } from './group-registry.js';
import type { Rebalancer } from './rebalance.js';

export interface JoinRequest {
  groupId: string;
  /** Empty for a member joining for the first time. */
  memberId: string;
  /** group.instance.id of a static member (KIP-345); null for a dynamic one. */
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  clientId: string;
  clientHost: string;
  /** A new dynamic member first gets its id with MEMBER_ID_REQUIRED and joins again with it (KIP-394). */
  requireKnownMemberId: boolean;
  /** The client understands skip_assignment: a rejoining static leader may be told to skip assigning (KIP-814). */
  supportsSkipAssignment: boolean;
}

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** When given, must match the group's (null: not checked). */
  protocolType: string | null;
  protocolName: string | null;
  /** The leader's assignment per member; empty from followers. */
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/** A member named in LeaveGroup: by member id, or (static members) by instance id with an empty member id. */
export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveResult {
  /** Set when the whole request failed (the members list is then empty). */
  errorCode: number;
  members: (MemberIdentity & { errorCode: number })[];
}

export interface MembershipLimits {
  /** `group.min.session.timeout.ms`; JoinGroup outside [min, max] gets INVALID_SESSION_TIMEOUT. */
  minSessionTimeoutMs: number;
  /** `group.max.session.timeout.ms`. */
  maxSessionTimeoutMs: number;
  /** `group.max.size`; further new members get GROUP_MAX_SIZE_REACHED. */
  maxGroupSize: number;
}

export class Membership {
  constructor(
    private readonly registry: GroupRegistry,
    private readonly rebalancer: Rebalancer,
    private readonly limits: MembershipLimits,
    private readonly log: Logger | undefined,
  ) {}

  // ---------------------------------------------------------------- JoinGroup

  join(req: JoinRequest): JoinOutcome | Promise<JoinOutcome> {
    const memberId = req.memberId;
    if (this.registry.closed) return joinError(memberId, E.NOT_COORDINATOR);
    if (!this.registry.loaded) return joinError(memberId, E.COORDINATOR_LOAD_IN_PROGRESS);
    if (req.groupId === '') return joinError(memberId, E.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.limits.minSessionTimeoutMs || req.sessionTimeoutMs > this.limits.maxSessionTimeoutMs) {
      return joinError(memberId, E.INVALID_SESSION_TIMEOUT);
    }
    // Copied: decoded buffers may be views into the request frame, and members outlive the request.
    const joining: JoinRequest = { ...req, protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })) };
    let group = this.registry.get(req.groupId);
    if (memberId === '') {
      group ??= this.registry.getOrCreate(req.groupId);
      return this.joinNewMember(group, joining);
    }
    if (!group) return joinError(memberId, E.UNKNOWN_MEMBER_ID);
    return this.joinKnownMember(group, memberId, joining);
  }

  private joinNewMember(group: Group, p: JoinRequest): JoinOutcome | Promise<JoinOutcome> {
    if (group.state === 'Dead') return joinError('', E.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return joinError('', E.INCONSISTENT_GROUP_PROTOCOL);
    const newMemberId = `${p.groupInstanceId ?? p.clientId}-${randomUUID()}`;

    if (p.groupInstanceId !== null) {
      const oldMemberId = group.staticMembers.get(p.groupInstanceId);
      if (oldMemberId !== undefined) return this.replaceStaticMember(group, oldMemberId, newMemberId, p);
    }
    if (group.members.size + group.pendingMembers.size >= this.limits.maxGroupSize) {
      return joinError('', E.GROUP_MAX_SIZE_REACHED);
    }
    // Only clients that know MEMBER_ID_REQUIRED get it; older ones (kafka-python sends v2) get their id at once.
    if (p.groupInstanceId === null && p.requireKnownMemberId) {
      this.rebalancer.addPendingMember(group, newMemberId, p.sessionTimeoutMs);
      return joinError(newMemberId, E.MEMBER_ID_REQUIRED);
    }
    return this.addMemberAndRebalance(group, newMemberId, p);
  }

  private joinKnownMember(group: Group, memberId: string, p: JoinRequest): JoinOutcome | Promise<JoinOutcome> {
    if (group.state === 'Dead') return joinError(memberId, E.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return joinError(memberId, E.INCONSISTENT_GROUP_PROTOCOL);

    if (p.groupInstanceId === null && this.rebalancer.forgetPendingMember(group, memberId)) {
      if (group.members.size >= this.limits.maxGroupSize) return joinError(memberId, E.GROUP_MAX_SIZE_REACHED);
      return this.addMemberAndRebalance(group, memberId, p);
    }

    const invalid = group.validateMember(memberId, p.groupInstanceId);
    if (invalid !== E.NONE) return joinError(memberId, invalid);
    const member = group.members.get(memberId)!;

    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, p);
      case 'CompletingRebalance':
        // Same metadata: the member most likely lost our JoinGroup response; hand it out again.
        if (member.matches(p.protocols)) return currentGeneration(group, member, group.isLeader(memberId));
        return this.updateMemberAndRebalance(group, member, p);
      case 'Stable':
        // A leader rejoining or changed metadata (e.g. a cooperative member that revoked partitions, or a
        // new subscription) starts a rebalance. A follower resending identical metadata only needs the
        // current generation, like Kafka does.
        if (group.isLeader(memberId) || !member.matches(p.protocols)) return this.updateMemberAndRebalance(group, member, p);
        this.rebalancer.armSession(group, member);
        return currentGeneration(group, member, false);
      case 'Empty':
        return joinError(memberId, E.UNKNOWN_MEMBER_ID);
    }
  }

  private replaceStaticMember(group: Group, oldMemberId: string, newMemberId: string, p: JoinRequest): JoinOutcome | Promise<JoinOutcome> {
    const old = group.members.get(oldMemberId)!;
    const leaderBefore = group.leaderId;
    const wasLeader = group.isLeader(oldMemberId);
    const unchanged = old.matches(p.protocols);
    // Whoever still uses the old member id is a stale instance: fence its parked calls right away.
    old.answerJoin(joinError(oldMemberId, E.FENCED_INSTANCE_ID));
    old.answerSync(syncError(E.FENCED_INSTANCE_ID));
    this.rebalancer.stopSession(old);
    const member = memberFromJoin(newMemberId, p);
    group.replaceStatic(old, member);
    this.log?.info({ groupId: group.groupId, oldMemberId, newMemberId }, 'static member rejoined with a new member id');

    if (group.state === 'Stable' && unchanged) {
      // KIP-345: a static member coming back with the same subscription keeps its assignment, no rebalance.
      // A leader that supports it is told it leads but may skip assigning (KIP-814); older leaders are shown
      // the previous leader id so they do not compute an assignment a Stable group would ignore.
      this.rebalancer.armSession(group, member);
      const lead = wasLeader && p.supportsSkipAssignment;
      return {
        errorCode: E.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: lead ? newMemberId : (leaderBefore ?? ''),
        memberId: newMemberId,
        members: lead ? group.memberList() : [],
        skipAssignment: lead,
      };
    }
    const waiter = this.rebalancer.park(member);
    this.rebalancer.armSession(group, member);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.rebalancer.prepareRebalance(group, 'static member rejoined');
    this.rebalancer.tryCompleteJoin(group);
    return waiter;
  }

  private addMemberAndRebalance(group: Group, memberId: string, p: JoinRequest): Promise<JoinOutcome> {
    const member = memberFromJoin(memberId, p);
    const waiter = this.rebalancer.park(member);
    if (group.state === 'PreparingRebalance' && group.generationId === 0) group.newMemberAdded = true;
    group.add(member);
    this.rebalancer.armSession(group, member);
    if (group.state !== 'PreparingRebalance') this.rebalancer.prepareRebalance(group, `member ${memberId} joined`);
    this.rebalancer.tryCompleteJoin(group);
    return waiter;
  }

  private updateMemberAndRebalance(group: Group, member: Member, p: JoinRequest): Promise<JoinOutcome> {
    member.protocols = p.protocols;
    member.sessionTimeoutMs = p.sessionTimeoutMs;
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    member.clientId = p.clientId;
    member.clientHost = p.clientHost;
    const waiter = this.rebalancer.park(member);
    this.rebalancer.armSession(group, member);
    if (group.state !== 'PreparingRebalance') this.rebalancer.prepareRebalance(group, `member ${member.memberId} rejoined`);
    this.rebalancer.tryCompleteJoin(group);
    return waiter;
  }

  // ---------------------------------------------------------------- SyncGroup

  sync(req: SyncRequest): SyncOutcome | Promise<SyncOutcome> {
    if (this.registry.closed) return syncError(E.NOT_COORDINATOR);
    // Group state is not persisted, so after loading the member must join again anyway.
    if (!this.registry.loaded) return syncError(E.REBALANCE_IN_PROGRESS);
    if (req.groupId === '') return syncError(E.INVALID_GROUP_ID);
    const group = this.registry.get(req.groupId);
    if (!group) return syncError(E.UNKNOWN_MEMBER_ID);
    if (group.state === 'Dead') return syncError(E.COORDINATOR_NOT_AVAILABLE);
    const invalid = group.validateMember(req.memberId, req.groupInstanceId);
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
        this.rebalancer.armSession(group, member);
        return syncSuccess(group, member.assignment);
      case 'CompletingRebalance': {
        group.pendingSync.delete(member.memberId);
        this.rebalancer.armSession(group, member);
        member.answerSync(syncError(E.REBALANCE_IN_PROGRESS));
        const waiter = new Promise<SyncOutcome>((resolve) => {
          member.syncWaiter = resolve;
        });
        if (group.isLeader(member.memberId)) {
          const given = new Map(req.assignments.map((a) => [a.memberId, a.assignment] as const));
          for (const m of group.members.values()) {
            // Members the leader left out get an empty assignment, like Kafka. Copied, like join metadata.
            m.assignment = Buffer.from(given.get(m.memberId) ?? Buffer.alloc(0));
            m.answerSync(syncSuccess(group, m.assignment));
          }
          group.state = 'Stable';
          this.log?.info({ groupId: group.groupId, generationId: group.generationId }, 'group is stable');
        }
        return waiter;
      }
    }
  }

  // ---------------------------------------------------------------- Heartbeat

  heartbeat(req: HeartbeatRequest): number {
    if (this.registry.closed) return E.NOT_COORDINATOR;
    // While loading, Kafka answers heartbeats blindly with success.
    if (!this.registry.loaded) return E.NONE;
    if (req.groupId === '') return E.INVALID_GROUP_ID;
    const group = this.registry.get(req.groupId);
    if (!group) return E.UNKNOWN_MEMBER_ID;
    if (group.state === 'Dead') return E.COORDINATOR_NOT_AVAILABLE;
    const invalid = group.validateMember(req.memberId, req.groupInstanceId);
    if (invalid !== E.NONE) return invalid;
    if (req.generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    const member = group.members.get(req.memberId)!;
    switch (group.state) {
      case 'Empty':
        return E.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        this.rebalancer.armSession(group, member);
        return E.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
      case 'Stable':
        this.rebalancer.armSession(group, member);
        return E.NONE;
    }
  }

  // ---------------------------------------------------------------- LeaveGroup

  leave(groupId: string, identities: readonly MemberIdentity[]): LeaveResult {
    if (this.registry.closed) return { errorCode: E.NOT_COORDINATOR, members: [] };
    if (!this.registry.loaded) return { errorCode: E.COORDINATOR_LOAD_IN_PROGRESS, members: [] };
    if (groupId === '') return { errorCode: E.INVALID_GROUP_ID, members: [] };
    const group = this.registry.get(groupId);
    if (group?.state === 'Dead') return { errorCode: E.COORDINATOR_NOT_AVAILABLE, members: [] };
    return {
      errorCode: E.NONE,
      members: identities.map((id) => ({
        memberId: id.memberId,
        groupInstanceId: id.groupInstanceId,
        errorCode: group ? this.leaveOne(group, id) : E.UNKNOWN_MEMBER_ID,
      })),
    };
  }

  private leaveOne(group: Group, id: MemberIdentity): number {
    if (id.memberId !== '' && group.isFenced(id.memberId, id.groupInstanceId)) return E.FENCED_INSTANCE_ID;
    if (this.rebalancer.forgetPendingMember(group, id.memberId)) {
      this.rebalancer.tryCompleteJoin(group);
      return E.NONE;
    }
    const memberId = id.groupInstanceId !== null ? group.staticMembers.get(id.groupInstanceId) : id.memberId;
    const member = memberId === undefined ? undefined : group.members.get(memberId);
    if (!member) return E.UNKNOWN_MEMBER_ID;
    this.log?.info({ groupId: group.groupId, memberId: member.memberId }, 'member left the group');
    this.rebalancer.removeMember(group, member);
    return E.NONE;
  }
}

function currentGeneration(group: Group, member: Member, includeMembers: boolean): JoinOutcome {
  return {
    errorCode: E.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    memberId: member.memberId,
    members: includeMembers ? group.memberList() : [],
    skipAssignment: false,
  };
}

function syncSuccess(group: Group, assignment: Buffer): SyncOutcome {
  return { errorCode: E.NONE, assignment, protocolType: group.protocolType, protocolName: group.protocolName };
}

/** A member as a JoinGroup request describes it. */
function memberFromJoin(memberId: string, p: JoinRequest): Member {
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
