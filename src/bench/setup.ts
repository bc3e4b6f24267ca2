// What every workload needs first: the topic (created when missing), its partitions and their leaders, and the
// broker versions of the APIs the load generator speaks.
import { Admin, Cluster, Connection, KafkaResponseError, type TopicInfo } from '../client/index.js';
import type { BenchOptions } from './types.js';

const UNKNOWN_TOPIC = 3;
const TOPIC_ALREADY_EXISTS = 36;

export async function openCluster(options: BenchOptions): Promise<Cluster> {
  return Cluster.connect({ bootstrap: options.bootstrap, clientId: 'spate-bench', requestTimeoutMs: 60_000 });
}

/** The topic's metadata; creates it (with options.partitions, else the broker default) when missing. */
export async function ensureTopic(cluster: Cluster, options: BenchOptions): Promise<TopicInfo> {
  try {
    const info = await cluster.topic(options.topic, { refresh: true });
    return info;
  } catch (error) {
    if (!(error instanceof KafkaResponseError) || error.errorCode !== UNKNOWN_TOPIC) throw error;
  }
  try {
    await new Admin(cluster).createTopics([{ name: options.topic, partitions: options.partitions ?? -1, replicationFactor: -1 }]);
  } catch (error) {
    if (!(error instanceof KafkaResponseError) || error.errorCode !== TOPIC_ALREADY_EXISTS) throw error;
  }
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; attempt < 300; attempt++) {
    const info = await cluster.topic(options.topic, { refresh: true }).catch(() => null);
    if (info !== null && info.partitions.length > 0 && info.partitions.every((p) => p.leader >= 0)) return info;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`topic ${options.topic} has no leaders 30 s after it was created`);
}

/** The partitions this process works on: all of them, or its share when forked into several processes. */
export function myPartitions(info: TopicInfo, options: BenchOptions): number[] {
  const all = info.partitions.map((p) => p.partition);
  const shard = options.shard;
  if (shard === undefined || shard.count <= 1) return all;
  return all.filter((_, i) => i % shard.count === shard.index);
}

/** A lane: one connection to a partition leader and the partitions it carries. */
export interface Lane {
  connection: Connection;
  partitions: number[];
}

/** `connections` lanes per leader; each leader's partitions are dealt out over its lanes (every lane gets at least one, repeating when there are fewer partitions than lanes). */
export async function openLanes(cluster: Cluster, info: TopicInfo, partitions: readonly number[], connections: number): Promise<Lane[]> {
  const byLeader = new Map<number, number[]>();
  for (const p of partitions) {
    const leader = info.partitions.find((x) => x.partition === p)?.leader ?? -1;
    if (leader < 0) throw new Error(`partition ${info.name}-${p} has no leader`);
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
  }
  const lanes: Lane[] = [];
  for (const [leader, ps] of byLeader) {
    await cluster.metadata([]);
    const broker = cluster.brokers.find((b) => b.nodeId === leader);
    if (broker === undefined) throw new Error(`broker ${leader} is not in the metadata`);
    for (let c = 0; c < connections; c++) {
      const mine = ps.length >= connections ? ps.filter((_, i) => i % connections === c) : [ps[c % ps.length]!];
      const connection = await Connection.connect(broker.host, broker.port, { clientId: 'spate-bench', requestTimeoutMs: 60_000 });
      lanes.push({ connection, partitions: mine });
    }
  }
  return lanes;
}

export function closeLanes(lanes: readonly Lane[]): void {
  for (const lane of lanes) lane.connection.close();
}
