// The client's view of a cluster: bootstrap, Metadata, partition leaders, group coordinators and one connection
// per broker, opened on first use and reopened after it closes.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiKey,
  type FindCoordinatorResponse,
  type MetadataRequest,
  type MetadataResponse,
} from '../protocol/generated/index.js';
import { ZERO_UUID } from '../protocol/reader.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { ClientError, KafkaResponseError, invalidArgument, isRetriable } from './errors.js';

export interface ClusterOptions extends ConnectionOptions {
  /** "host:port" or "host1:port1,host2:port2" (IPv6 as "[::1]:9092"), or a list of those. */
  bootstrap: string | readonly string[];
}

export interface BrokerAddress {
  host: string;
  port: number;
}

export interface BrokerInfo extends BrokerAddress {
  nodeId: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  topicId: string;
  isInternal: boolean;
  errorCode: number;
  partitions: PartitionInfo[];
}

export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
  topics: TopicInfo[];
}

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';
const COORDINATOR_RETRIES = 20;

/** Parses a bootstrap list; throws SPATE_CLIENT_INVALID_ARGUMENT on a malformed entry. */
export function parseBootstrap(bootstrap: string | readonly string[]): BrokerAddress[] {
  const entries = (typeof bootstrap === 'string' ? [bootstrap] : bootstrap)
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (entries.length === 0) throw invalidArgument('bootstrap server list is empty');
  return entries.map((entry) => {
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(entry);
    const port = match ? Number(match[3]) : NaN;
    if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw invalidArgument(`bad bootstrap server "${entry}": expected host:port`);
    }
    return { host: (match[1] ?? match[2])!, port };
  });
}

export class Cluster {
  readonly options: ConnectionOptions;
  readonly #bootstrap: BrokerAddress[];
  readonly #brokers = new Map<number, BrokerInfo>();
  /**
   * Keyed by channel and node id. Brokers answer a connection's requests in order, so a parked JoinGroup or Fetch
   * would hold up everything behind it: data, admin and each group member use connections of their own.
   */
  readonly #connections = new Map<string, Promise<Connection>>();
  readonly #topics = new Map<string, TopicInfo>();
  #seed: Connection;
  #closed = false;

  private constructor(seed: Connection, bootstrap: BrokerAddress[], options: ConnectionOptions) {
    this.#seed = seed;
    this.#bootstrap = bootstrap;
    this.options = options;
  }

  /** Connects to the first reachable bootstrap broker. */
  static async connect(options: ClusterOptions): Promise<Cluster> {
    const bootstrap = parseBootstrap(options.bootstrap);
    const { bootstrap: _ignored, ...connectionOptions } = options;
    const seed = await connectAny(bootstrap, connectionOptions);
    return new Cluster(seed, bootstrap, connectionOptions);
  }

  /** A connection to some broker (the bootstrap one, reopened if it closed). */
  async anyConnection(): Promise<Connection> {
    this.#checkOpen();
    if (this.#seed.closed) this.#seed = await connectAny(this.#bootstrap, this.options);
    return this.#seed;
  }

  /**
   * Metadata for `topics` (null: every topic). Unknown topics come back with their error code set;
   * `allowAutoTopicCreation` is false unless asked for.
   */
  async metadata(topics: readonly string[] | null, allowAutoTopicCreation = false): Promise<ClusterMetadata> {
    const connection = await this.anyConnection();
    const version = connection.version(ApiKey.Metadata);
    const request: MetadataRequest = {
      topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    };
    const response = await connection.request<MetadataResponse>(ApiKey.Metadata, version, request);
    const brokers = response.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }));
    for (const b of brokers) this.#brokers.set(b.nodeId, b);
    const result: TopicInfo[] = response.topics.map((t) => ({
      name: t.name ?? '',
      topicId: t.topicId,
      isInternal: t.isInternal,
      errorCode: t.errorCode,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode,
        }))
        .sort((a, b) => a.partition - b.partition),
    }));
    for (const t of result) {
      if (t.errorCode === 0) this.#topics.set(t.name, t);
      else this.#topics.delete(t.name);
    }
    return { clusterId: response.clusterId, controllerId: response.controllerId, brokers, topics: result };
  }

  /** One topic's metadata; throws UNKNOWN_TOPIC_OR_PARTITION (or the topic's error) if it is not there. */
  async topic(name: string, options: { refresh?: boolean; allowAutoTopicCreation?: boolean } = {}): Promise<TopicInfo> {
    const cached = this.#topics.get(name);
    if (cached !== undefined && options.refresh !== true) return cached;
    const md = await this.metadata([name], options.allowAutoTopicCreation ?? false);
    const topic = md.topics.find((t) => t.name === name);
    const code = topic === undefined ? 3 : topic.errorCode;
    if (code === 3) throw new KafkaResponseError(code, `topic ${name} does not exist`);
    if (code !== 0 || topic === undefined) throw new KafkaResponseError(code, `topic ${name}`);
    return topic;
  }

  get brokers(): BrokerInfo[] {
    return [...this.#brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /** The connection to broker `nodeId` on `channel`, opened on first use. */
  async connectionTo(nodeId: number, channel = 'data'): Promise<Connection> {
    this.#checkOpen();
    const key = `${channel}:${nodeId}`;
    const existing = this.#connections.get(key);
    if (existing !== undefined) {
      const connection = await existing.catch(() => undefined);
      if (connection !== undefined && !connection.closed) return connection;
      if (this.#connections.get(key) === existing) this.#connections.delete(key);
    }
    if (!this.#brokers.has(nodeId)) await this.metadata([]);
    const broker = this.#brokers.get(nodeId);
    if (broker === undefined) throw new ClientError('SPATE_CLIENT_CONNECTION', `broker ${nodeId} is not in the cluster metadata`);
    const opening = Connection.connect(broker.host, broker.port, this.options);
    this.#connections.set(key, opening);
    opening.catch(() => {
      if (this.#connections.get(key) === opening) this.#connections.delete(key);
    });
    return opening;
  }

  /** The leader of a partition; refreshes metadata once if the partition or its leader is unknown. */
  async leaderFor(topic: string, partition: number): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const info = await this.topic(topic, { refresh: attempt > 0 });
      const p = info.partitions.find((x) => x.partition === partition);
      if (p === undefined) {
        if (attempt === 0) continue;
        throw new KafkaResponseError(3, `partition ${topic}-${partition} (the topic has ${info.partitions.length})`);
      }
      if (p.leader >= 0) return p.leader;
      if (attempt >= 10) throw new KafkaResponseError(5, `partition ${topic}-${partition}`);
      await sleep(100);
    }
  }

  async leaderConnection(topic: string, partition: number): Promise<Connection> {
    return this.connectionTo(await this.leaderFor(topic, partition));
  }

  /** Forgets a topic's cached metadata (after NOT_LEADER_OR_FOLLOWER and friends). */
  invalidate(topic: string): void {
    this.#topics.delete(topic);
  }

  /** Closes the connections of one channel (a group member's, when it leaves). */
  closeChannel(channel: string): void {
    for (const [key, opening] of this.#connections) {
      if (!key.startsWith(`${channel}:`)) continue;
      this.#connections.delete(key);
      opening.then((c) => c.close(), () => undefined);
    }
  }

  /**
   * The coordinator of a consumer group on `channel`, retrying while the broker says it is not available yet.
   * A group member passes a channel of its own, so its parked JoinGroup delays nobody else.
   */
  async coordinatorFor(groupId: string, channel = 'group'): Promise<Connection> {
    for (let attempt = 0; ; attempt++) {
      const connection = await this.anyConnection();
      const version = connection.version(ApiKey.FindCoordinator);
      const response = await connection.request<FindCoordinatorResponse>(ApiKey.FindCoordinator, version, {
        key: groupId,
        keyType: 0,
        coordinatorKeys: [groupId],
      });
      const entry =
        version >= 4
          ? response.coordinators[0] ?? { nodeId: -1, host: '', port: 0, errorCode: 15, errorMessage: 'no coordinator in the response' }
          : { nodeId: response.nodeId, host: response.host, port: response.port, errorCode: response.errorCode, errorMessage: response.errorMessage };
      if (entry.errorCode === 0) {
        this.#brokers.set(entry.nodeId, { nodeId: entry.nodeId, host: entry.host, port: entry.port, rack: this.#brokers.get(entry.nodeId)?.rack ?? null });
        return this.connectionTo(entry.nodeId, channel);
      }
      if (!isRetriable(entry.errorCode) || attempt >= COORDINATOR_RETRIES) {
        throw new KafkaResponseError(entry.errorCode, `finding the coordinator of group ${groupId}`, entry.errorMessage);
      }
      await sleep(100);
    }
  }

  /** A connection to every broker in the metadata (for ListGroups, which each broker answers for itself). */
  async allConnections(): Promise<Connection[]> {
    if (this.#brokers.size === 0) await this.metadata([]);
    return Promise.all(this.brokers.map((b) => this.connectionTo(b.nodeId)));
  }

  #checkOpen(): void {
    if (this.#closed) throw new ClientError('SPATE_CLIENT_CONNECTION', 'the client is closed');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#seed.close();
    for (const opening of this.#connections.values()) opening.then((c) => c.close(), () => undefined);
    this.#connections.clear();
  }
}

async function connectAny(bootstrap: BrokerAddress[], options: ConnectionOptions): Promise<Connection> {
  const failures: string[] = [];
  for (const { host, port } of bootstrap) {
    try {
      return await Connection.connect(host, port, options);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new ClientError('SPATE_CLIENT_CONNECTION', `cannot reach any bootstrap broker: ${failures.join('; ')}`);
}
