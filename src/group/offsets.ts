// Committed offsets of consumer groups: OffsetCommit, OffsetFetch and OffsetDelete in version-free terms
// (broker/handlers/group-offsets.ts maps request versions onto these calls), and loading them at start.
import type { Logger } from 'pino';
import { ErrorCode as E } from '../protocol/error-codes.js';
import type { OffsetEntry } from './group.js';
import type { GroupRegistry } from './group-registry.js';
import type { OffsetKey, OffsetStore, StoredOffset } from './offset-store.js';
import { commitErrorFor } from './offsets-write-error.js';
import type { Rebalancer } from './rebalance.js';

/** Results per partition, grouped by topic in request order. */
export interface TopicResults<P> {
  name: string;
  partitions: P[];
}

export interface PartitionError {
  partitionIndex: number;
  errorCode: number;
}

export interface CommittedPartition {
  partitionIndex: number;
  offset: number;
  /** -1 when not known. */
  leaderEpoch: number;
  metadata: string | null;
  /** Epoch ms the client says it committed at; -1: now. */
  commitTimestamp: number;
}

export interface CommitRequest {
  groupId: string;
  /** -1 for a commit from outside group management (a "simple consumer"). */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** How long these offsets are kept, in ms; -1: `offsets.retention.minutes`. */
  retentionTimeMs: number;
  topics: TopicResults<CommittedPartition>[];
}

export interface FetchedOffset {
  partitionIndex: number;
  /** -1 when nothing is committed. */
  offset: number;
  leaderEpoch: number;
  metadata: string;
  errorCode: number;
}

/** Partitions asked for, by topic. */
export interface RequestedPartitions {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetLimits {
  /** `offset.metadata.max.bytes`; longer commit metadata gets OFFSET_METADATA_TOO_LARGE. */
  offsetMetadataMaxBytes: number;
  /** When given, commits and offset deletes for partitions it rejects get UNKNOWN_TOPIC_OR_PARTITION. */
  partitionExists: ((topic: string, partition: number) => boolean) | undefined;
}

export class GroupOffsets {
  /** Numbers offset writes (commits, removals) in the order they are issued; see in-flight-commits.ts. */
  private writeSeq = 0;

  constructor(
    private readonly registry: GroupRegistry,
    private readonly store: OffsetStore,
    private readonly rebalancer: Rebalancer,
    private readonly limits: OffsetLimits,
    private readonly now: () => number,
    private readonly log: Logger | undefined,
  ) {}

  /** Reads every committed offset back; groups that only have offsets come back Empty, as in Kafka. */
  async load(): Promise<void> {
    for (const o of await this.store.load()) {
      this.registry.getOrCreate(o.groupId).setOffset(o.topic, o.partition, entryOf(o));
    }
  }

  // ---------------------------------------------------------------- OffsetCommit

  async commit(req: CommitRequest): Promise<TopicResults<PartitionError>[]> {
    const groupError = this.validateCommit(req.groupId, req.generationId, req.memberId, req.groupInstanceId);
    const response: TopicResults<PartitionError>[] = [];
    const records: StoredOffset[] = [];
    const results: PartitionError[] = [];
    const now = this.now();
    const expireTimestamp = req.retentionTimeMs === -1 ? null : now + req.retentionTimeMs;
    for (const t of req.topics) {
      const partitions = t.partitions.map((p) => {
        const out: PartitionError = { partitionIndex: p.partitionIndex, errorCode: groupError };
        if (groupError !== E.NONE) return out;
        const metadata = p.metadata ?? '';
        if (Buffer.byteLength(metadata, 'utf8') > this.limits.offsetMetadataMaxBytes) {
          out.errorCode = E.OFFSET_METADATA_TOO_LARGE;
        } else if (this.limits.partitionExists && !this.limits.partitionExists(t.name, p.partitionIndex)) {
          out.errorCode = E.UNKNOWN_TOPIC_OR_PARTITION;
        } else {
          records.push({
            groupId: req.groupId,
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.offset,
            leaderEpoch: p.leaderEpoch,
            metadata,
            commitTimestamp: p.commitTimestamp >= 0 ? p.commitTimestamp : now,
            expireTimestamp,
          });
          results.push(out);
        }
        return out;
      });
      response.push({ name: t.name, partitions });
    }
    if (records.length > 0) await this.persistCommit(req.groupId, records, results);
    return response;
  }

  /**
   * Writes one commit to the offsets topic and only then shows it to OffsetFetch, as Kafka does: a commit the
   * client was told failed must not be visible, and one it was told succeeded must survive a restart. While
   * it is being written, later writes for the same partitions (another commit, an OffsetDelete) keep their
   * effect; see in-flight-commits.ts.
   */
  private async persistCommit(groupId: string, records: StoredOffset[], results: PartitionError[]): Promise<void> {
    const group = this.registry.getOrCreate(groupId);
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
    const live = this.registry.get(groupId) === group;
    for (const r of records) {
      if (!group.inFlight.settle(r.topic, r.partition, seq, succeeded) || !live) continue;
      group.setOffset(r.topic, r.partition, entryOf(r));
    }
  }

  private validateCommit(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
    if (this.registry.closed) return E.NOT_COORDINATOR;
    if (!this.registry.loaded) return E.COORDINATOR_LOAD_IN_PROGRESS;
    const group = this.registry.get(groupId);
    if (!group) {
      // No group: only a "simple consumer" (no group management) may commit; a generation means a stale member.
      return generationId < 0 ? E.NONE : E.ILLEGAL_GENERATION;
    }
    if (group.state === 'Dead') return E.COORDINATOR_NOT_AVAILABLE;
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      const invalid = group.validateMember(memberId, groupInstanceId);
      if (invalid !== E.NONE) return invalid;
      if (generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    } else if (group.state !== 'Empty') {
      // Once a group has members, only they may commit.
      return E.UNKNOWN_MEMBER_ID;
    }
    // The member has the new generation from JoinGroup but no assignment yet.
    if (group.state === 'CompletingRebalance') return E.REBALANCE_IN_PROGRESS;
    const member = group.members.get(memberId);
    if (member) this.rebalancer.armSession(group, member);
    return E.NONE;
  }

  // ---------------------------------------------------------------- OffsetFetch

  /** Committed offsets of the requested partitions, or (null) of every partition the group committed. */
  fetch(groupId: string, requested: readonly RequestedPartitions[] | null): { errorCode: number; topics: TopicResults<FetchedOffset>[] } {
    if (this.registry.closed) return { errorCode: E.NOT_COORDINATOR, topics: [] };
    if (!this.registry.loaded) return { errorCode: E.COORDINATOR_LOAD_IN_PROGRESS, topics: [] };
    const group = this.registry.get(groupId);
    if (requested === null) {
      const topics: TopicResults<FetchedOffset>[] = [];
      for (const [topic, parts] of group?.offsets ?? []) {
        const partitions = [...parts.entries()].sort((a, b) => a[0] - b[0]).map(([partition, e]) => committed(partition, e));
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

  // ---------------------------------------------------------------- OffsetDelete

  async delete(groupId: string, requested: readonly RequestedPartitions[]): Promise<{ errorCode: number; topics: TopicResults<PartitionError>[] }> {
    const fail = (errorCode: number): { errorCode: number; topics: TopicResults<PartitionError>[] } => ({ errorCode, topics: [] });
    if (this.registry.closed) return fail(E.NOT_COORDINATOR);
    if (!this.registry.loaded) return fail(E.COORDINATOR_LOAD_IN_PROGRESS);
    if (groupId === '') return fail(E.INVALID_GROUP_ID);
    const g = this.registry.get(groupId);
    if (!g || g.state === 'Dead') return fail(E.GROUP_ID_NOT_FOUND);
    const active = g.state !== 'Empty';
    if (active && g.protocolType !== 'consumer') return fail(E.NON_EMPTY_GROUP);
    const removed: OffsetKey[] = [];
    const removedRefs: PartitionError[] = [];
    const seq = ++this.writeSeq;
    const topics = requested.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => {
        const out: PartitionError = { partitionIndex, errorCode: E.NONE };
        if (this.limits.partitionExists && !this.limits.partitionExists(t.name, partitionIndex)) {
          out.errorCode = E.UNKNOWN_TOPIC_OR_PARTITION;
        } else if (active && (g.subscribedTopics === null || g.subscribedTopics.has(t.name))) {
          // Offsets of topics the group still consumes would be committed again right away.
          out.errorCode = E.GROUP_SUBSCRIBED_TO_TOPIC;
        } else {
          const parts = g.offsets.get(t.name);
          const wasCommitted = parts?.delete(partitionIndex) === true;
          if (parts?.size === 0) g.offsets.delete(t.name);
          // A commit still being written must not bring the offset back once it lands (its record precedes
          // the tombstone in the log).
          const beingCommitted = g.inFlight.has(t.name, partitionIndex);
          if (beingCommitted) g.inFlight.applied(t.name, partitionIndex, seq);
          if (wasCommitted || beingCommitted) {
            removed.push({ groupId: g.groupId, topic: t.name, partition: partitionIndex });
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
    return { errorCode: E.NONE, topics };
  }
}

function entryOf(o: StoredOffset): OffsetEntry {
  return { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestamp: o.commitTimestamp, expireTimestamp: o.expireTimestamp };
}

function committed(partition: number, e: OffsetEntry): FetchedOffset {
  return { partitionIndex: partition, offset: e.offset, leaderEpoch: e.leaderEpoch, metadata: e.metadata, errorCode: E.NONE };
}

function noOffset(partition: number): FetchedOffset {
  return { partitionIndex: partition, offset: -1, leaderEpoch: -1, metadata: '', errorCode: E.NONE };
}
