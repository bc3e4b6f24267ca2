// In-memory state of one classic consumer group: members, generation, protocol and committed offsets.
// Group metadata is never persisted (only offsets are); after a restart members simply rejoin.
import { ErrorCode as E } from '../protocol/error-codes.js';
import type { Timer } from './clock.js';
import { InFlightCommits } from './in-flight-commits.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

/** A member's metadata for the chosen protocol, as the leader is shown it. */
export interface MemberMetadata {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

/** What a JoinGroup call resolves to, before it is shaped for the request version. */
export interface JoinOutcome {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Every member's metadata for the leader; empty for followers. */
  members: MemberMetadata[];
  skipAssignment: boolean;
}

/** What a SyncGroup call resolves to. */
export interface SyncOutcome {
  errorCode: number;
  assignment: Buffer;
  protocolType: string | null;
  protocolName: string | null;
}

export interface OffsetEntry {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Set by a commit that chose its own retention (OffsetCommit v2-4); null: offsets.retention.minutes applies. */
  expireTimestamp: number | null;
}

export class Member {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  assignment: Buffer = Buffer.alloc(0);
  /** Set while a JoinGroup from this member is parked until the rebalance completes. */
  joinWaiter: ((o: JoinOutcome) => void) | null = null;
  /** Set while a follower's SyncGroup waits for the leader's assignment. */
  syncWaiter: ((o: SyncOutcome) => void) | null = null;
  sessionTimer: Timer | null = null;

  constructor(init: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    sessionTimeoutMs: number;
    rebalanceTimeoutMs: number;
    protocolType: string;
    protocols: MemberProtocol[];
  }) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
  }

  /** Answers a parked JoinGroup, if any. */
  answerJoin(outcome: JoinOutcome): void {
    const waiter = this.joinWaiter;
    this.joinWaiter = null;
    waiter?.(outcome);
  }

  /** Answers a parked SyncGroup, if any. */
  answerSync(outcome: SyncOutcome): void {
    const waiter = this.syncWaiter;
    this.syncWaiter = null;
    waiter?.(outcome);
  }

  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  /** Same protocols, in the same order, with byte-identical metadata. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    for (let i = 0; i < protocols.length; i++) {
      const a = protocols[i]!;
      const b = this.protocols[i]!;
      if (a.name !== b.name || !a.metadata.equals(b.metadata)) return false;
    }
    return true;
  }
}

export class Group {
  readonly groupId: string;
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Insertion order matters: the first member becomes leader, the next one takes over when it leaves. */
  readonly members = new Map<string, Member>();
  /** group.instance.id -> current member id. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet used to join; the timer drops them. */
  readonly pendingMembers = new Map<string, Timer>();
  /** Members that got the JoinGroup response of this generation but have not sent SyncGroup yet. */
  readonly pendingSync = new Set<string>();
  /** Topics of the current generation's subscriptions; null when unknown (then treated as "all"). */
  subscribedTopics: Set<string> | null = null;
  /** During the initial delayed join: a member joined, so wait one more delay period. */
  newMemberAdded = false;
  /** The initial delayed join only completes on its timer, never early. */
  initialDelayActive = false;
  joinTimer: Timer | null = null;
  syncTimer: Timer | null = null;
  readonly offsets = new Map<string, Map<number, OffsetEntry>>();
  /** Commits being written to `__consumer_offsets`; `offsets` shows them only once written. */
  readonly inFlight = new InFlightCommits();
  /** When the group last became Empty (epoch ms); null if it has not since the broker started. */
  emptySince: number | null = null;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  get hasOffsets(): boolean {
    return this.offsets.size > 0;
  }

  add(member: Member): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  remove(memberId: string): void {
    const m = this.members.get(memberId);
    if (!m) return;
    this.members.delete(memberId);
    this.pendingSync.delete(memberId);
    if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === memberId) {
      this.staticMembers.delete(m.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
  }

  /** Puts a rejoining static member under its new member id, keeping its assignment and leadership. */
  replaceStatic(oldMember: Member, replacement: Member): void {
    replacement.assignment = oldMember.assignment;
    this.members.delete(oldMember.memberId);
    this.members.set(replacement.memberId, replacement);
    if (replacement.groupInstanceId !== null) this.staticMembers.set(replacement.groupInstanceId, replacement.memberId);
    if (this.leaderId === oldMember.memberId) this.leaderId = replacement.memberId;
    if (this.pendingSync.delete(oldMember.memberId)) this.pendingSync.add(replacement.memberId);
  }

  /** Kafka's validateCurrentMember: the instance id, when given, must map to this member id. */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current === undefined) return E.UNKNOWN_MEMBER_ID;
      if (current !== memberId) return E.FENCED_INSTANCE_ID;
      return E.NONE;
    }
    return this.members.has(memberId) ? E.NONE : E.UNKNOWN_MEMBER_ID;
  }

  /** Another member id holds this instance id now. */
  isFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  /** Every member's metadata for the chosen protocol, in join order. */
  memberList(): MemberMetadata[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadataFor(this.protocolName),
    }));
  }

  setOffset(topic: string, partition: number, entry: OffsetEntry): void {
    let parts = this.offsets.get(topic);
    if (!parts) {
      parts = new Map();
      this.offsets.set(topic, parts);
    }
    parts.set(partition, entry);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** Largest rebalance timeout among members: how long a rebalance may wait for them. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (!m.joinWaiter) return false;
    return true;
  }

  /** A joining member must offer a protocol that every current member supports. */
  supportsProtocols(protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    return protocols.some((p) => this.memberCountSupporting(p.name) === this.members.size);
  }

  private memberCountSupporting(name: string): number {
    let n = 0;
    for (const m of this.members.values()) if (m.protocols.some((p) => p.name === name)) n++;
    return n;
  }

  /** Among protocols every member supports, the one most members list first. */
  selectProtocol(): string | null {
    const first = this.members.values().next().value;
    if (!first) return null;
    const candidates = first.protocols.map((p) => p.name).filter((n) => this.memberCountSupporting(n) === this.members.size);
    if (candidates.length === 0) return first.protocols[0]?.name ?? null;
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => votes.has(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if ((votes.get(c) ?? 0) > (votes.get(best) ?? 0)) best = c;
    return best;
  }

  /** If the leader did not rejoin, hand leadership to a member that did. False when nobody rejoined. */
  electJoinedLeader(): boolean {
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId);
    if (leader?.joinWaiter) return true;
    for (const m of this.members.values()) {
      if (m.joinWaiter) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }
}

export function joinError(memberId: string, errorCode: number): JoinOutcome {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [], skipAssignment: false };
}

export function syncError(errorCode: number): SyncOutcome {
  return { errorCode, assignment: Buffer.alloc(0), protocolType: null, protocolName: null };
}
