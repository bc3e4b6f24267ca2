// Membership of a classic consumer group: JoinGroup (with the MEMBER_ID_REQUIRED round trip), the leader's range
// assignment, SyncGroup, a Heartbeat timer that flags when a rebalance needs a rejoin, committed offsets and
// LeaveGroup.
import {
  ApiKey,
  type HeartbeatResponse,
  type JoinGroupResponse,
  type LeaveGroupResponse,
  type OffsetCommitResponse,
  type SyncGroupResponse,
} from '../protocol/generated/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { RANGE_ASSIGNOR, decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, rangeAssign, type TopicPartitions } from './assignor.js';
import type { Cluster } from './cluster.js';
import type { Connection } from './connection.js';
import { KafkaResponseError } from './errors.js';
import { fetchCommittedOffsets } from './group-offsets.js';

export interface GroupMemberOptions {
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

const MEMBER_ID_REQUIRED = 79;
const UNKNOWN_MEMBER_ID = 25;
const ILLEGAL_GENERATION = 22;
const REBALANCE_IN_PROGRESS = 27;
const NOT_COORDINATOR = 16;
const COORDINATOR_NOT_AVAILABLE = 15;
const COORDINATOR_LOAD_IN_PROGRESS = 14;
const JOIN_ATTEMPTS = 20;
let nextChannel = 1;

export class GroupMember {
  readonly groupId: string;
  readonly topics: readonly string[];
  memberId = '';
  generationId = -1;
  /** Set by the heartbeat when the group rebalances; the owner then calls join() again. */
  needsRejoin = true;
  readonly #cluster: Cluster;
  readonly #sessionTimeoutMs: number;
  readonly #rebalanceTimeoutMs: number;
  readonly #heartbeatIntervalMs: number;
  #heartbeat: NodeJS.Timeout | null = null;
  #heartbeatError: Error | null = null;
  /** This member's own coordinator connection. */
  readonly #channel = `member-${nextChannel++}`;

  constructor(cluster: Cluster, groupId: string, topics: readonly string[], options: GroupMemberOptions = {}) {
    this.#cluster = cluster;
    this.groupId = groupId;
    this.topics = topics;
    this.#sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    this.#rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 60_000;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3_000;
  }

  /** A fatal heartbeat failure, if one happened (the owner surfaces it). */
  get heartbeatError(): Error | null {
    return this.#heartbeatError;
  }

  /** Joins (or rejoins) the group and returns this member's assignment. */
  async join(): Promise<TopicPartitions> {
    this.#stopHeartbeat();
    for (let attempt = 0; ; attempt++) {
      const coordinator = await this.#cluster.coordinatorFor(this.groupId, this.#channel);
      const outcome = await this.#joinAndSync(coordinator);
      if (outcome.assignment !== null) {
        this.needsRejoin = false;
        this.#startHeartbeat();
        return outcome.assignment;
      }
      if (attempt >= JOIN_ATTEMPTS) throw new KafkaResponseError(outcome.errorCode, `joining group ${this.groupId}`);
      if (outcome.errorCode === COORDINATOR_NOT_AVAILABLE || outcome.errorCode === NOT_COORDINATOR || outcome.errorCode === COORDINATOR_LOAD_IN_PROGRESS) {
        await sleep(100);
      }
    }
  }

  /** One JoinGroup + SyncGroup round; a null assignment means "try again" (errorCode says why). */
  async #joinAndSync(coordinator: Connection): Promise<{ assignment: TopicPartitions | null; errorCode: number }> {
    const joinVersion = coordinator.version(ApiKey.JoinGroup);
    const join = await coordinator.request<JoinGroupResponse>(
      ApiKey.JoinGroup,
      joinVersion,
      {
        groupId: this.groupId,
        sessionTimeoutMs: this.#sessionTimeoutMs,
        rebalanceTimeoutMs: this.#rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: RANGE_ASSIGNOR, metadata: encodeSubscription(this.topics) }],
        reason: null,
      },
      { timeoutMs: this.#rebalanceTimeoutMs + coordinator.requestTimeoutMs },
    );
    if (join.errorCode === MEMBER_ID_REQUIRED) {
      this.memberId = join.memberId;
      return { assignment: null, errorCode: join.errorCode };
    }
    if (join.errorCode === UNKNOWN_MEMBER_ID || join.errorCode === ILLEGAL_GENERATION) {
      this.memberId = '';
      return { assignment: null, errorCode: join.errorCode };
    }
    if (join.errorCode === REBALANCE_IN_PROGRESS || join.errorCode === NOT_COORDINATOR || join.errorCode === COORDINATOR_NOT_AVAILABLE || join.errorCode === COORDINATOR_LOAD_IN_PROGRESS) {
      return { assignment: null, errorCode: join.errorCode };
    }
    if (join.errorCode !== 0) throw new KafkaResponseError(join.errorCode, `joining group ${this.groupId}`);
    this.memberId = join.memberId;
    this.generationId = join.generationId;

    let assignments: Array<{ memberId: string; assignment: Buffer }> = [];
    if (join.leader === join.memberId) {
      const members = join.members.map((m) => ({ memberId: m.memberId, topics: decodeSubscription(m.metadata) }));
      const allTopics = [...new Set(members.flatMap((m) => m.topics))];
      const md = await this.#cluster.metadata(allTopics);
      const counts = new Map(md.topics.filter((t) => t.errorCode === 0).map((t) => [t.name, t.partitions.length] as const));
      const plan = rangeAssign(members, counts);
      assignments = [...plan].map(([memberId, tp]) => ({ memberId, assignment: encodeAssignment(tp) }));
    }
    const syncVersion = coordinator.version(ApiKey.SyncGroup);
    const sync = await coordinator.request<SyncGroupResponse>(
      ApiKey.SyncGroup,
      syncVersion,
      {
        groupId: this.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: join.protocolName ?? RANGE_ASSIGNOR,
        assignments,
      },
      { timeoutMs: this.#rebalanceTimeoutMs + coordinator.requestTimeoutMs },
    );
    if (sync.errorCode === REBALANCE_IN_PROGRESS || sync.errorCode === NOT_COORDINATOR || sync.errorCode === COORDINATOR_NOT_AVAILABLE) {
      return { assignment: null, errorCode: sync.errorCode };
    }
    if (sync.errorCode === UNKNOWN_MEMBER_ID || sync.errorCode === ILLEGAL_GENERATION) {
      this.memberId = '';
      return { assignment: null, errorCode: sync.errorCode };
    }
    if (sync.errorCode !== 0) throw new KafkaResponseError(sync.errorCode, `syncing group ${this.groupId}`);
    return { assignment: decodeAssignment(sync.assignment), errorCode: 0 };
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat();
    const beat = async (): Promise<void> => {
      try {
        const coordinator = await this.#cluster.coordinatorFor(this.groupId, this.#channel);
        const response = await coordinator.request<HeartbeatResponse>(ApiKey.Heartbeat, coordinator.version(ApiKey.Heartbeat), {
          groupId: this.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: null,
        });
        if (response.errorCode === REBALANCE_IN_PROGRESS) {
          this.needsRejoin = true;
        } else if (response.errorCode === UNKNOWN_MEMBER_ID || response.errorCode === ILLEGAL_GENERATION) {
          this.memberId = response.errorCode === UNKNOWN_MEMBER_ID ? '' : this.memberId;
          this.needsRejoin = true;
        } else if (response.errorCode !== 0 && response.errorCode !== NOT_COORDINATOR && response.errorCode !== COORDINATOR_NOT_AVAILABLE) {
          this.#heartbeatError = new KafkaResponseError(response.errorCode, `heartbeat of group ${this.groupId}`);
        }
      } catch {
        // A lost connection is retried at the next beat; the session timeout bounds how long that may go on.
        if (this.#heartbeat === null) return;
      }
      if (this.#heartbeat !== null && !this.needsRejoin) this.#heartbeat = setTimeout(() => void beat(), this.#heartbeatIntervalMs);
    };
    this.#heartbeat = setTimeout(() => void beat(), this.#heartbeatIntervalMs);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== null) clearTimeout(this.#heartbeat);
    this.#heartbeat = null;
  }

  /** Commits offsets (the next offset to read, per partition) under this member's generation. */
  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await commitOffsets(this.#cluster, this.groupId, offsets, this.generationId, this.memberId, this.#channel);
  }

  /** Committed offsets of these partitions; partitions without one are left out. */
  async committed(assignment: TopicPartitions): Promise<Map<string, Map<number, number>>> {
    const topics = [...assignment].map(([name, partitions]) => ({ name, partitions }));
    const rows = await fetchCommittedOffsets(this.#cluster, this.groupId, topics);
    const out = new Map<string, Map<number, number>>();
    for (const r of rows) {
      if (r.offset < 0) continue;
      let m = out.get(r.topic);
      if (m === undefined) out.set(r.topic, (m = new Map()));
      m.set(r.partition, r.offset);
    }
    return out;
  }

  /** Leaves the group so the others rebalance at once instead of after the session timeout. */
  async leave(): Promise<void> {
    this.#stopHeartbeat();
    if (this.memberId === '') return;
    const coordinator = await this.#cluster.coordinatorFor(this.groupId, this.#channel);
    const version = coordinator.version(ApiKey.LeaveGroup);
    const response = await coordinator.request<LeaveGroupResponse>(ApiKey.LeaveGroup, version, {
      groupId: this.groupId,
      memberId: this.memberId,
      members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'the consumer is closing' }],
    });
    this.memberId = '';
    this.generationId = -1;
    const code = response.errorCode !== 0 ? response.errorCode : (response.members[0]?.errorCode ?? 0);
    if (code !== 0 && code !== UNKNOWN_MEMBER_ID) throw new KafkaResponseError(code, `leaving group ${this.groupId}`);
  }

  /** Stops the heartbeat and closes this member's coordinator connection. */
  stop(): void {
    this.#stopHeartbeat();
    this.#cluster.closeChannel(this.#channel);
  }
}

/** OffsetCommit; generation -1 and an empty member id commit as an admin would (the group must be empty). */
export async function commitOffsets(cluster: Cluster, groupId: string, offsets: readonly TopicPartitionOffset[], generationId = -1, memberId = '', channel = 'group'): Promise<void> {
  const byTopic = new Map<string, TopicPartitionOffset[]>();
  for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
  const coordinator = await cluster.coordinatorFor(groupId, channel);
  const version = coordinator.version(ApiKey.OffsetCommit);
  const response = await coordinator.request<OffsetCommitResponse>(ApiKey.OffsetCommit, version, {
    groupId,
    generationIdOrMemberEpoch: generationId,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [...byTopic].map(([name, list]) => ({
      name,
      partitions: list.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' })),
    })),
  });
  for (const t of response.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== 0) throw new KafkaResponseError(p.errorCode, `committing offsets of group ${groupId} for ${t.name}-${p.partitionIndex}`);
    }
  }
}
