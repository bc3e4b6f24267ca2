// Planning a consumer group's offset reset the way Kafka's kafka-consumer-groups.sh --reset-offsets does: the
// new offset of every partition in scope, computed from the log's earliest and latest offsets and the group's
// committed ones, without committing anything (the caller commits the plan, or only shows it).
import type { Admin, OffsetReset } from './admin.js';
import { ClientError, KafkaResponseError } from './errors.js';

export type ResetMode =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  /** The committed offset (the log end where there is none), as --to-current. */
  | { kind: 'current' }
  /** An absolute offset, clamped into the log. */
  | { kind: 'offset'; offset: number }
  /** The committed offset moved by `by` (negative: back), clamped into the log. */
  | { kind: 'shift'; by: number }
  /** The first offset at or after this time (epoch ms), the log end when there is none: --to-datetime, --by-duration. */
  | { kind: 'timestamp'; timestamp: number };

/** Every topic the group has committed offsets for, or these topics (all their partitions, or the ones named). */
export type ResetScope = 'all-topics' | ReadonlyArray<{ topic: string; partitions?: readonly number[] }>;

/** Kafka resets only inactive groups: Empty, or Dead (unknown to the coordinator). */
const INACTIVE_STATES = new Set(['Empty', 'Dead']);

function clamp(offset: number, earliest: number, latest: number): number {
  return Math.min(Math.max(offset, earliest), latest);
}

export async function planOffsetReset(admin: Admin, groupId: string, scope: ResetScope, mode: ResetMode): Promise<OffsetReset[]> {
  const group = await admin.describeGroup(groupId);
  if (!INACTIVE_STATES.has(group.state) || group.members.length > 0) {
    throw new ClientError('SPATE_CLIENT_INVALID_ARGUMENT', `assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${group.state} (${group.members.length} active member${group.members.length === 1 ? '' : 's'})`);
  }
  const committed = await admin.fetchOffsets(groupId);
  const committedOf = new Map(committed.filter((c) => c.offset >= 0).map((c) => [`${c.topic}\u0000${c.partition}`, c.offset]));
  let wanted: Array<{ topic: string; partitions: number[] }>;
  if (scope === 'all-topics') {
    const byTopic = new Map<string, number[]>();
    for (const c of committed) if (c.offset >= 0) byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), c.partition]);
    wanted = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  } else {
    wanted = [];
    for (const s of scope) {
      const [info] = await admin.describeTopics([s.topic]);
      const all = info!.partitions.map((p) => p.partition);
      for (const p of s.partitions ?? []) if (!all.includes(p)) throw new KafkaResponseError(3, `partition ${s.topic}-${p} (the topic has ${all.length})`);
      wanted.push({ topic: s.topic, partitions: [...(s.partitions ?? all)] });
    }
  }
  const plan: OffsetReset[] = [];
  for (const { topic, partitions } of wanted.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0))) {
    partitions.sort((a, b) => a - b);
    const [earliest, latest] = await Promise.all([admin.listOffsets(topic, partitions, 'earliest'), admin.listOffsets(topic, partitions, 'latest')]);
    const byTime = mode.kind === 'timestamp' ? await admin.listOffsets(topic, partitions, { timestamp: mode.timestamp }) : null;
    for (const partition of partitions) {
      const low = earliest.get(partition) ?? 0;
      const high = latest.get(partition) ?? low;
      const current = committedOf.get(`${topic}\u0000${partition}`);
      let newOffset: number;
      switch (mode.kind) {
        case 'earliest':
          newOffset = low;
          break;
        case 'latest':
          newOffset = high;
          break;
        case 'current':
          newOffset = current ?? high;
          break;
        case 'offset':
          newOffset = clamp(mode.offset, low, high);
          break;
        case 'shift':
          if (current === undefined) throw new ClientError('SPATE_CLIENT_INVALID_ARGUMENT', `cannot shift the offset of ${topic}-${partition}: group ${groupId} has no committed offset there`);
          newOffset = clamp(current + mode.by, low, high);
          break;
        case 'timestamp':
          newOffset = byTime!.get(partition) ?? high;
          break;
      }
      plan.push({ topic, partition, previousOffset: current ?? -1, newOffset });
    }
  }
  return plan;
}
