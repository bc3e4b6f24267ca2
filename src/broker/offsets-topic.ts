// Wiring `__consumer_offsets` into the broker: creating it on first use and giving PartitionOffsetStore its
// partitions through their Partition façades, exactly as client produce/fetch reach them.
import type { Logger } from 'pino';
import { OFFSETS_TOPIC, OffsetsWriteError, type OffsetsTopicLog } from '../group/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { Partition } from './partition.js';
import type { TopicAdmin } from './topic-admin.js';
import type { TopicRegistry, TopicState } from './topic-registry.js';

/** Kafka's offsets.topic.segment.bytes default; compact so a future cleaner keeps only the latest commits. */
export const OFFSETS_TOPIC_CONFIGS: Readonly<Record<string, string>> = { 'cleanup.policy': 'compact', 'segment.bytes': String(100 * 1024 * 1024) };

/**
 * Returns `__consumer_offsets`, creating it with `partitions` partitions when missing. An existing topic keeps
 * its partition count whatever the config says now (as in Kafka: changing it would move groups).
 */
export async function ensureOffsetsTopic(admin: TopicAdmin, registry: TopicRegistry, partitions: number, log: Logger): Promise<TopicState> {
  const existing = registry.get(OFFSETS_TOPIC);
  if (existing) {
    if (existing.partitions.length !== partitions) {
      log.warn({ existing: existing.partitions.length, configured: partitions }, `${OFFSETS_TOPIC} exists with a different partition count; keeping it`);
    }
    return existing;
  }
  const created = await admin.createTopic({ name: OFFSETS_TOPIC, partitions, replicationFactor: -1, configs: OFFSETS_TOPIC_CONFIGS, assignments: [] });
  if (created.errorCode !== ErrorCode.NONE || !created.topic) {
    throw new Error(`could not create ${OFFSETS_TOPIC}: ${created.errorMessage ?? `error ${created.errorCode}`}`);
  }
  return created.topic;
}

/**
 * The offsets topic as PartitionOffsetStore sees it, backed by the partition workers. The topic is created
 * on the first commit, not at startup (Kafka also creates it on first use): an embedded broker in a test
 * suite then starts without opening 50 partitions it may never need.
 */
export function offsetsTopicLog(
  registry: TopicRegistry,
  create: () => Promise<TopicState>,
  configuredPartitions: number,
): OffsetsTopicLog {
  const partitionOf = (index: number): Partition => {
    const p = registry.partition(OFFSETS_TOPIC, index);
    if (!p) throw new Error(`${OFFSETS_TOPIC}-${index} does not exist`);
    return p;
  };
  let creating: Promise<TopicState> | null = null;
  const ensure = (): Promise<TopicState> => {
    const existing = registry.get(OFFSETS_TOPIC);
    if (existing) return Promise.resolve(existing);
    creating ??= create().finally(() => {
      creating = null;
    });
    return creating;
  };
  return {
    // An existing topic keeps its partition count whatever the config says now (changing it would move groups).
    partitionCount: registry.get(OFFSETS_TOPIC)?.partitions.length ?? configuredPartitions,
    async append(index, batch) {
      await ensure();
      const p = partitionOf(index);
      // acks=-1: like Kafka (offsets.commit.required.acks=-1) a commit is answered once it is durable, which on
      // a single broker means once an fdatasync covers it (see Durability in the README).
      // Anyone reading the topic (monitoring tools do) is woken by the append, as for a client produce.
      const reply = await p.append(batch, Date.now(), -1);
      if (reply.errorCode !== ErrorCode.NONE) {
        throw new OffsetsWriteError(reply.errorCode, `${OFFSETS_TOPIC}-${index} refused a batch: error ${reply.errorCode}`);
      }
    },
    bounds(index) {
      // Not created yet: nothing was ever committed, so there is nothing to replay.
      const p = registry.partition(OFFSETS_TOPIC, index);
      return p ? { logStartOffset: p.logStartOffset, logEndOffset: p.logEndOffset } : { logStartOffset: 0, logEndOffset: 0 };
    },
    async read(index, offset, maxBytes) {
      const p = partitionOf(index);
      const reply = await p.read(offset, maxBytes, true);
      if (reply.errorCode !== ErrorCode.NONE) throw new Error(`reading ${OFFSETS_TOPIC}-${index} at ${offset} failed: error ${reply.errorCode}`);
      return reply.records;
    },
  };
}
