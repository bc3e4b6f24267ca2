// ListOffsets: a partition's earliest or latest offset, or the first offset at or after a timestamp, each asked
// of the partition's leader.
import { ApiKey, type ListOffsetsResponse } from '../protocol/generated/index.js';
import type { Cluster } from './cluster.js';
import { KafkaResponseError } from './errors.js';

export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number };

const EARLIEST = -2;
const LATEST = -1;

function specTimestamp(spec: OffsetSpec): number {
  if (spec === 'earliest') return EARLIEST;
  if (spec === 'latest') return LATEST;
  return spec.timestamp;
}

/**
 * Offsets of `partitions` of `topic` for `spec`, by partition. A timestamp after every record resolves to the
 * log end offset, which is where a consumer asking for it should start.
 */
export async function listOffsets(cluster: Cluster, topic: string, partitions: readonly number[], spec: OffsetSpec): Promise<Map<number, number>> {
  const byLeader = new Map<number, number[]>();
  for (const p of partitions) {
    const leader = await cluster.leaderFor(topic, p);
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
  }
  const result = new Map<number, number>();
  const fallbackToLatest: number[] = [];
  await Promise.all(
    [...byLeader].map(async ([leader, ps]) => {
      const connection = await cluster.connectionTo(leader);
      const version = connection.version(ApiKey.ListOffsets);
      const response = await connection.request<ListOffsetsResponse>(ApiKey.ListOffsets, version, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: ps.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp: specTimestamp(spec), maxNumOffsets: 1 })) }],
      });
      for (const t of response.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) {
            if (p.errorCode === 6 || p.errorCode === 3) cluster.invalidate(topic);
            throw new KafkaResponseError(p.errorCode, `listing offsets of ${topic}-${p.partitionIndex}`);
          }
          if (p.offset >= 0) result.set(p.partitionIndex, p.offset);
          else if (typeof spec === 'object') fallbackToLatest.push(p.partitionIndex);
          else throw new KafkaResponseError(78, `listing offsets of ${topic}-${p.partitionIndex}`);
        }
      }
    }),
  );
  if (fallbackToLatest.length > 0) {
    for (const [p, offset] of await listOffsets(cluster, topic, fallbackToLatest, 'latest')) result.set(p, offset);
  }
  return result;
}
