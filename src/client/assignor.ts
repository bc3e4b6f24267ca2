// The `consumer` embedded protocol (ConsumerProtocolSubscription / ConsumerProtocolAssignment, version 0, not
// flexible) and the range assignor: for each topic, its partitions are split into contiguous ranges over the
// members subscribed to it, sorted by member id, the first members taking one extra partition each.
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { ClientError } from './errors.js';

export const RANGE_ASSIGNOR = 'range';

/** topic -> partitions */
export type TopicPartitions = Map<string, number[]>;

export function encodeSubscription(topics: readonly string[]): Buffer {
  const w = new Writer(256);
  w.writeInt16(0);
  w.writeArray(false, [...topics].sort(), (wr, _a: null, t) => wr.writeString(t, false), null);
  w.writeNullableBytes(null, false);
  return w.toBuffer();
}

export function decodeSubscription(metadata: Buffer): string[] {
  try {
    const r = new Reader(metadata);
    r.readInt16();
    return r.readArray(false, (rd) => rd.readString(false), null);
  } catch (error) {
    throw new ClientError('SPATE_CLIENT_PROTOCOL', `malformed consumer subscription: ${(error as Error).message}`);
  }
}

export function encodeAssignment(assignment: TopicPartitions): Buffer {
  const w = new Writer(256);
  w.writeInt16(0);
  const topics = [...assignment.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  w.writeArray(
    false,
    topics,
    (wr, _a: null, [topic, partitions]) => {
      wr.writeString(topic, false);
      wr.writeArray(false, partitions, (pw, _b: null, p) => pw.writeInt32(p), null);
    },
    null,
  );
  w.writeNullableBytes(null, false);
  return w.toBuffer();
}

/** An empty buffer (a member with nothing assigned, or a group that never synced) decodes to no partitions. */
export function decodeAssignment(data: Buffer): TopicPartitions {
  const out: TopicPartitions = new Map();
  if (data.length === 0) return out;
  try {
    const r = new Reader(data);
    r.readInt16();
    const count = r.readArrayLength(false);
    for (let i = 0; i < count; i++) {
      const topic = r.readString(false);
      const partitions = r.readArray(false, (rd) => rd.readInt32(), null);
      out.set(topic, partitions);
    }
  } catch (error) {
    throw new ClientError('SPATE_CLIENT_PROTOCOL', `malformed consumer assignment: ${(error as Error).message}`);
  }
  return out;
}

export interface MemberSubscription {
  memberId: string;
  topics: readonly string[];
}

/** Range assignment; `partitionCounts` holds the partition count of every subscribed topic that exists. */
export function rangeAssign(members: readonly MemberSubscription[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartitions> {
  const result = new Map<string, TopicPartitions>();
  for (const m of members) result.set(m.memberId, new Map());
  const topics = new Set(members.flatMap((m) => m.topics));
  for (const topic of [...topics].sort()) {
    const count = partitionCounts.get(topic);
    if (count === undefined || count <= 0) continue;
    const subscribers = members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.memberId)
      .sort();
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((memberId, i) => {
      const n = per + (i < extra ? 1 : 0);
      if (n === 0) return;
      const partitions: number[] = [];
      for (let p = next; p < next + n; p++) partitions.push(p);
      next += n;
      result.get(memberId)!.set(topic, partitions);
    });
  }
  return result;
}
