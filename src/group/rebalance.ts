// The rebalance state machine of a classic group and the timers that drive it: member sessions, the join
// phase (with group.initial.rebalance.delay.ms for a new group), and the deadline for SyncGroup. Membership
// (membership.ts) calls in here when a request changes the group; the timers call in when a deadline passes.
import type { Logger } from 'pino';
import { ErrorCode as E } from '../protocol/error-codes.js';
import { subscribedTopics } from './consumer-protocol.js';
import { joinError, syncError, type Group, type JoinOutcome, type Member } from './group.js';
import type { GroupTimers } from './timers.js';

export class Rebalancer {
  constructor(
    private readonly timers: GroupTimers,
    /** `group.initial.rebalance.delay.ms`: how long the first rebalance of an empty group waits for more members. */
    private readonly initialRebalanceDelayMs: number,
    private readonly log: Logger | undefined,
  ) {}

  /** (Re)starts a member's session: it is removed if nothing is heard from it for its session timeout. */
  armSession(group: Group, member: Member): void {
    this.timers.cancel(member.sessionTimer);
    member.sessionTimer = this.timers.schedule(member.sessionTimeoutMs, () => {
      member.sessionTimer = null;
      if (group.members.get(member.memberId) !== member) return;
      // A parked JoinGroup/SyncGroup is itself proof of life; the rebalance/sync deadlines bound the wait.
      if (member.joinWaiter || member.syncWaiter) {
        this.armSession(group, member);
        return;
      }
      this.log?.info({ groupId: group.groupId, memberId: member.memberId }, 'member session expired');
      this.removeMember(group, member);
    });
  }

  stopSession(member: Member): void {
    member.sessionTimer = this.timers.cancel(member.sessionTimer);
  }

  /** Parks a JoinGroup until the rebalance completes; a duplicate parked call is told to retry. */
  park(member: Member): Promise<JoinOutcome> {
    member.answerJoin(joinError(member.memberId, E.REBALANCE_IN_PROGRESS));
    return new Promise((resolve) => {
      member.joinWaiter = resolve;
    });
  }

  /** A member id handed out with MEMBER_ID_REQUIRED: the join phase waits for it for one session timeout. */
  addPendingMember(group: Group, memberId: string, sessionTimeoutMs: number): void {
    const timer = this.timers.schedule(sessionTimeoutMs, () => {
      if (group.pendingMembers.delete(memberId)) this.tryCompleteJoin(group);
    });
    group.pendingMembers.set(memberId, timer);
  }

  /** Stops waiting for a pending member; false when `memberId` is not one. */
  forgetPendingMember(group: Group, memberId: string): boolean {
    const timer = group.pendingMembers.get(memberId);
    if (timer === undefined) return false;
    this.timers.cancel(timer);
    group.pendingMembers.delete(memberId);
    return true;
  }

  /** Removes a member (left, or its session expired) and rebalances the others. */
  removeMember(group: Group, member: Member): void {
    this.stopSession(member);
    member.answerJoin(joinError(member.memberId, E.UNKNOWN_MEMBER_ID));
    member.answerSync(syncError(E.UNKNOWN_MEMBER_ID));
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

  prepareRebalance(group: Group, reason: string): void {
    if (group.state === 'CompletingRebalance') {
      // The leader's assignment for this generation will never come; send waiting followers back to join.
      for (const m of group.members.values()) {
        m.assignment = Buffer.alloc(0);
        m.answerSync(syncError(E.REBALANCE_IN_PROGRESS));
      }
    }
    group.syncTimer = this.timers.cancel(group.syncTimer);
    group.pendingSync.clear();
    group.joinTimer = this.timers.cancel(group.joinTimer);
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
      group.joinTimer = this.timers.schedule(rebalanceTimeout, () => this.completeJoin(group));
    }
  }

  /** Completes the join phase now if nobody is left to wait for. */
  tryCompleteJoin(group: Group): void {
    if (group.state === 'PreparingRebalance' && !group.initialDelayActive && group.allMembersJoined()) this.completeJoin(group);
  }

  private armInitialDelay(group: Group, delayMs: number, remainingMs: number): void {
    group.joinTimer = this.timers.schedule(delayMs, () => {
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

  /** Ends the join phase: drops members that did not rejoin, starts the next generation, answers joiners. */
  private completeJoin(group: Group): void {
    group.joinTimer = this.timers.cancel(group.joinTimer);
    group.initialDelayActive = false;
    if (group.state !== 'PreparingRebalance') return;
    for (const m of [...group.members.values()]) {
      // Static members keep their place until their session expires, so a quick restart needs no rebalance.
      if (!m.joinWaiter && m.groupInstanceId === null) {
        this.log?.info({ groupId: group.groupId, memberId: m.memberId }, 'member did not rejoin in time, removing it');
        this.stopSession(m);
        m.answerSync(syncError(E.UNKNOWN_MEMBER_ID));
        group.remove(m.memberId);
      }
    }
    if (group.members.size > 0 && !group.electJoinedLeader()) {
      // Only absent static members remain: wait for them to rejoin or for their sessions to expire.
      group.joinTimer = this.timers.schedule(group.rebalanceTimeoutMs(), () => this.completeJoin(group));
      return;
    }

    group.generationId++;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.emptySince = this.timers.now();
      group.protocolName = null;
      group.subscribedTopics = null;
      this.log?.info({ groupId: group.groupId, generationId: group.generationId }, 'group is empty');
      return;
    }
    group.protocolName = group.selectProtocol();
    group.subscribedTopics = consumerSubscriptions(group);
    group.state = 'CompletingRebalance';
    this.log?.info(
      { groupId: group.groupId, generationId: group.generationId, protocol: group.protocolName, members: group.members.size },
      'group rebalanced',
    );
    const everyone = group.memberList();
    for (const m of group.members.values()) {
      if (!m.joinWaiter) continue;
      const leader = group.isLeader(m.memberId);
      m.answerJoin({
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
    this.armSyncDeadline(group);
  }

  /**
   * Members that never follow up with SyncGroup would stall the group forever; drop them after the rebalance
   * timeout and rebalance again.
   */
  private armSyncDeadline(group: Group): void {
    const generation = group.generationId;
    group.syncTimer = this.timers.schedule(group.rebalanceTimeoutMs(), () => {
      group.syncTimer = null;
      if (group.generationId !== generation || (group.state !== 'CompletingRebalance' && group.state !== 'Stable')) return;
      if (group.pendingSync.size === 0) return;
      for (const id of [...group.pendingSync]) {
        const m = group.members.get(id);
        if (!m) continue;
        this.log?.info({ groupId: group.groupId, memberId: id }, 'member did not sync in time, removing it');
        this.stopSession(m);
        m.answerSync(syncError(E.UNKNOWN_MEMBER_ID));
        group.remove(id);
      }
      this.prepareRebalance(group, 'members did not send SyncGroup in time');
      this.tryCompleteJoin(group);
    });
  }
}

/** Topics the members of a `consumer` group subscribe to; null when unknown (then treated as "all"). */
function consumerSubscriptions(group: Group): Set<string> | null {
  if (group.protocolType !== 'consumer') return null;
  const topics = new Set<string>();
  for (const m of group.members.values()) {
    const parsed = subscribedTopics(m.metadataFor(group.protocolName));
    if (parsed === null) return null;
    for (const t of parsed) topics.add(t);
  }
  return topics;
}
