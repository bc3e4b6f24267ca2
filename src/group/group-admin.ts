// Looking at and removing groups: ListGroups, DescribeGroups, DeleteGroups (version-free; the handlers in
// broker/handlers/group-admin.ts shape them per version), and the snapshots admin code, the CLI and the
// metrics read.
import type { Logger } from 'pino';
import { ErrorCode as E } from '../protocol/error-codes.js';
import type { GroupState } from './group.js';
import type { GroupRegistry } from './group-registry.js';
import type { OffsetKey, OffsetStore } from './offset-store.js';

export interface ListedGroup {
  groupId: string;
  /** '' when the group never had members. */
  protocolType: string;
  state: GroupState;
}

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Metadata for the chosen protocol; empty unless the group is Stable. */
  metadata: Buffer;
  /** Empty unless the group is Stable. */
  assignment: Buffer;
}

export interface DescribedGroup {
  groupId: string;
  errorCode: number;
  /** 'Dead' for an unknown group, as in Kafka; '' when the coordinator cannot answer. */
  state: GroupState | '';
  protocolType: string;
  /** The chosen protocol, once the group is Stable. */
  protocolData: string;
  members: DescribedMember[];
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

export class GroupAdmin {
  constructor(
    private readonly registry: GroupRegistry,
    private readonly store: OffsetStore,
    private readonly log: Logger | undefined,
  ) {}

  /** Live groups, optionally only those in the given states (case-insensitive). */
  list(statesFilter: readonly string[]): { errorCode: number; groups: ListedGroup[] } {
    if (this.registry.closed) return { errorCode: E.NOT_COORDINATOR, groups: [] };
    if (!this.registry.loaded) return { errorCode: E.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
    const filter = new Set(statesFilter.map((s) => s.toLowerCase()));
    const groups: ListedGroup[] = [];
    for (const g of this.registry.all()) {
      if (g.state === 'Dead') continue;
      if (filter.size > 0 && !filter.has(g.state.toLowerCase())) continue;
      groups.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state });
    }
    return { errorCode: E.NONE, groups };
  }

  describe(groupIds: readonly string[]): DescribedGroup[] {
    return groupIds.map((groupId): DescribedGroup => {
      const nothing = { groupId, protocolType: '', protocolData: '', members: [] };
      if (this.registry.closed || !this.registry.loaded) {
        return { ...nothing, errorCode: this.registry.closed ? E.NOT_COORDINATOR : E.COORDINATOR_LOAD_IN_PROGRESS, state: '' };
      }
      const g = this.registry.get(groupId);
      if (!g || g.state === 'Dead') return { ...nothing, errorCode: E.NONE, state: 'Dead' };
      // Like Kafka, metadata and assignments are only shown once the group is Stable.
      const stable = g.state === 'Stable';
      return {
        groupId,
        errorCode: E.NONE,
        state: g.state,
        protocolType: g.protocolType ?? '',
        protocolData: stable ? (g.protocolName ?? '') : '',
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: stable ? m.metadataFor(g.protocolName) : Buffer.alloc(0),
          assignment: stable ? m.assignment : Buffer.alloc(0),
        })),
      };
    });
  }

  /** Deletes Empty groups with their offsets (tombstones in the offsets topic). */
  async delete(groupIds: readonly string[]): Promise<{ groupId: string; errorCode: number }[]> {
    const results: { groupId: string; errorCode: number }[] = [];
    const tombstones: OffsetKey[] = [];
    for (const groupId of groupIds) {
      if (this.registry.closed) {
        results.push({ groupId, errorCode: E.NOT_COORDINATOR });
        continue;
      }
      if (!this.registry.loaded) {
        results.push({ groupId, errorCode: E.COORDINATOR_LOAD_IN_PROGRESS });
        continue;
      }
      const g = this.registry.get(groupId);
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
      this.registry.drop(g);
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
    return results;
  }

  /** Committed offsets of one group, sorted by topic then partition. */
  committedOffsets(groupId: string): CommittedOffset[] {
    const g = this.registry.get(groupId);
    const out: CommittedOffset[] = [];
    for (const [topic, parts] of g?.offsets ?? []) {
      for (const [partition, e] of parts) {
        out.push({ topic, partition, offset: e.offset, leaderEpoch: e.leaderEpoch, metadata: e.metadata, commitTimestamp: e.commitTimestamp });
      }
    }
    out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    return out;
  }

  /** Membership snapshot, or undefined for an unknown group. */
  overview(groupId: string): GroupOverview | undefined {
    const g = this.registry.get(groupId);
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
}
