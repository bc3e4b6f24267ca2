// Administration: topics (create, delete, list, describe), configs (describe, alter), the cluster, and consumer
// groups (list, describe with lag, delete, committed offsets and resetting them).
import {
  ApiKey,
  type AlterConfigsResponse,
  type CreatePartitionsResponse,
  type CreateTopicsResponse,
  type DeleteRecordsResponse,
  type DeleteGroupsResponse,
  type DeleteTopicsResponse,
  type DescribeClusterResponse,
  type DescribeConfigsResponse,
  type DescribeGroupsResponse,
  type IncrementalAlterConfigsResponse,
  type ListGroupsResponse,
} from '../protocol/generated/index.js';
import { ZERO_UUID } from '../protocol/reader.js';
import { decodeAssignment } from './assignor.js';
import type { BrokerInfo, Cluster, TopicInfo } from './cluster.js';
import type { Connection } from './connection.js';
import { ClientError, KafkaResponseError, checkErrorCode } from './errors.js';
import { commitOffsets } from './group-member.js';
import { fetchCommittedOffsets, type CommittedOffset } from './group-offsets.js';
import { listOffsets, type OffsetSpec } from './offsets.js';
import { planOffsetReset, type ResetMode } from './offset-reset.js';

export interface NewTopic {
  name: string;
  /** -1: the broker's default. */
  partitions?: number;
  /** -1: the broker's default. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export type ConfigResourceType = 'topic' | 'broker';

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: string;
  readOnly: boolean;
  isDefault: boolean;
  isSensitive: boolean;
}

export interface ClusterDescription {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string;
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  assignment: Array<{ topic: string; partitions: number[] }>;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMemberDescription[];
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** -1 when nothing is committed. */
  committedOffset: number;
  logEndOffset: number;
  /** null when nothing is committed. */
  lag: number | null;
  memberId: string | null;
  clientId: string | null;
  clientHost: string | null;
}

export type ResetTarget = OffsetSpec | { offset: number };

export interface OffsetReset {
  topic: string;
  partition: number;
  previousOffset: number;
  newOffset: number;
}

const RESOURCE_TYPES: Readonly<Record<ConfigResourceType, number>> = { topic: 2, broker: 4 };
const CONFIG_SOURCES = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
];

export class Admin {
  readonly #cluster: Cluster;

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
  }

  /** The controller when the metadata names one (where topic changes go), else any broker. */
  async #controller(): Promise<Connection> {
    const md = await this.#cluster.metadata([]);
    if (md.controllerId >= 0 && md.brokers.some((b) => b.nodeId === md.controllerId)) return this.#cluster.connectionTo(md.controllerId);
    return this.#cluster.anyConnection();
  }

  async createTopics(topics: readonly NewTopic[], options: { timeoutMs?: number; validateOnly?: boolean } = {}): Promise<void> {
    const connection = await this.#controller();
    const version = connection.version(ApiKey.CreateTopics);
    const response = await connection.request<CreateTopicsResponse>(ApiKey.CreateTopics, version, {
      topics: topics.map((t) => ({
        name: t.name,
        numPartitions: t.partitions ?? -1,
        replicationFactor: t.replicationFactor ?? -1,
        assignments: [],
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs: options.timeoutMs ?? 30_000,
      validateOnly: options.validateOnly ?? false,
    });
    for (const r of response.topics) checkErrorCode(r.errorCode, `creating topic ${r.name}`, r.errorMessage);
  }

  async deleteTopics(names: readonly string[], options: { timeoutMs?: number } = {}): Promise<void> {
    const connection = await this.#controller();
    const version = connection.version(ApiKey.DeleteTopics);
    const response = await connection.request<DeleteTopicsResponse>(ApiKey.DeleteTopics, version, {
      topics: names.map((name) => ({ name, topicId: ZERO_UUID })),
      topicNames: [...names],
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    for (const r of response.responses) checkErrorCode(r.errorCode, `deleting topic ${r.name ?? r.topicId}`, r.errorMessage);
    for (const name of names) this.#cluster.invalidate(name);
  }

  /** Grows `topic` to `totalCount` partitions (Kafka never shrinks a topic). */
  async createPartitions(topic: string, totalCount: number, options: { timeoutMs?: number; validateOnly?: boolean } = {}): Promise<void> {
    const connection = await this.#controller();
    const response = await connection.request<CreatePartitionsResponse>(ApiKey.CreatePartitions, connection.version(ApiKey.CreatePartitions), {
      topics: [{ name: topic, count: totalCount, assignments: null }],
      timeoutMs: options.timeoutMs ?? 30_000,
      validateOnly: options.validateOnly ?? false,
    });
    for (const r of response.results) checkErrorCode(r.errorCode, `adding partitions to topic ${r.name}`, r.errorMessage);
    this.#cluster.invalidate(topic);
  }

  /**
   * Deletes the records of each partition below its given offset (-1: below the high watermark), asking each
   * partition's leader. Resolves with the new log start offset (low watermark) of each partition.
   */
  async deleteRecords(topic: string, before: ReadonlyMap<number, number>, options: { timeoutMs?: number } = {}): Promise<Map<number, number>> {
    const byLeader = new Map<number, number[]>();
    for (const partition of before.keys()) {
      const leader = await this.#cluster.leaderFor(topic, partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    const lowWatermarks = new Map<number, number>();
    for (const [leader, partitions] of byLeader) {
      const connection = await this.#cluster.connectionTo(leader);
      const response = await connection.request<DeleteRecordsResponse>(ApiKey.DeleteRecords, connection.version(ApiKey.DeleteRecords), {
        topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, offset: before.get(p)! })) }],
        timeoutMs: options.timeoutMs ?? 30_000,
      });
      for (const t of response.topics) {
        for (const p of t.partitions) {
          checkErrorCode(p.errorCode, `deleting records of ${topic}-${p.partitionIndex}`);
          lowWatermarks.set(p.partitionIndex, p.lowWatermark);
        }
      }
    }
    return lowWatermarks;
  }

  /** Topic names, sorted; internal topics only when asked for. */
  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const md = await this.#cluster.metadata(null);
    return md.topics
      .filter((t) => t.errorCode === 0 && (options.includeInternal === true || !t.isInternal))
      .map((t) => t.name)
      .sort();
  }

  /** Topic metadata; throws for a named topic that does not exist. Null describes every topic. */
  async describeTopics(names: readonly string[] | null): Promise<TopicInfo[]> {
    const md = await this.#cluster.metadata(names);
    for (const t of md.topics) checkErrorCode(t.errorCode, `topic ${t.name}`);
    return md.topics.filter((t) => names !== null || !t.isInternal).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async describeConfigs(type: ConfigResourceType, name: string, keys: readonly string[] | null = null): Promise<ConfigEntry[]> {
    const connection = type === 'broker' ? await this.#cluster.connectionTo(Number(name)) : await this.#cluster.anyConnection();
    const version = connection.version(ApiKey.DescribeConfigs);
    const response = await connection.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, version, {
      resources: [{ resourceType: RESOURCE_TYPES[type], resourceName: name, configurationKeys: keys === null ? null : [...keys] }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const result = response.results[0];
    if (result === undefined) throw new ClientError('SPATE_CLIENT_PROTOCOL', `DescribeConfigs response for ${type} ${name} is empty`);
    checkErrorCode(result.errorCode, `describing configs of ${type} ${name}`, result.errorMessage);
    return result.configs
      .map((c) => {
        const source = version === 0 ? (c.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN') : (CONFIG_SOURCES[c.configSource] ?? `SOURCE_${c.configSource}`);
        return {
          name: c.name,
          value: c.value,
          source,
          readOnly: c.readOnly,
          isDefault: version === 0 ? c.isDefault : c.configSource === 5,
          isSensitive: c.isSensitive,
        };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Sets and removes topic config overrides. Uses IncrementalAlterConfigs where the broker has it; otherwise
   * AlterConfigs with the topic's current overrides merged with the change (AlterConfigs replaces them all).
   */
  async alterTopicConfig(topic: string, change: { set?: Record<string, string>; delete?: readonly string[] }): Promise<void> {
    const set = change.set ?? {};
    const remove = change.delete ?? [];
    const connection = await this.#cluster.anyConnection();
    if (connection.supports(ApiKey.IncrementalAlterConfigs)) {
      const response = await connection.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, connection.version(ApiKey.IncrementalAlterConfigs), {
        resources: [
          {
            resourceType: RESOURCE_TYPES.topic,
            resourceName: topic,
            configs: [
              ...Object.entries(set).map(([name, value]) => ({ name, configOperation: 0, value })),
              ...remove.map((name) => ({ name, configOperation: 1, value: null })),
            ],
          },
        ],
        validateOnly: false,
      });
      for (const r of response.responses) checkErrorCode(r.errorCode, `altering configs of topic ${topic}`, r.errorMessage);
      return;
    }
    const current = await this.describeConfigs('topic', topic);
    const merged = new Map(current.filter((c) => c.source === 'DYNAMIC_TOPIC_CONFIG').map((c) => [c.name, c.value]));
    for (const name of remove) merged.delete(name);
    for (const [name, value] of Object.entries(set)) merged.set(name, value);
    const response = await connection.request<AlterConfigsResponse>(ApiKey.AlterConfigs, connection.version(ApiKey.AlterConfigs), {
      resources: [{ resourceType: RESOURCE_TYPES.topic, resourceName: topic, configs: [...merged].map(([name, value]) => ({ name, value })) }],
      validateOnly: false,
    });
    for (const r of response.responses) checkErrorCode(r.errorCode, `altering configs of topic ${topic}`, r.errorMessage);
  }

  async describeCluster(): Promise<ClusterDescription> {
    const connection = await this.#cluster.anyConnection();
    if (connection.supports(ApiKey.DescribeCluster)) {
      const response = await connection.request<DescribeClusterResponse>(ApiKey.DescribeCluster, connection.version(ApiKey.DescribeCluster), {
        includeClusterAuthorizedOperations: false,
        endpointType: 1,
      });
      checkErrorCode(response.errorCode, 'describing the cluster', response.errorMessage);
      return {
        clusterId: response.clusterId,
        controllerId: response.controllerId,
        brokers: response.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId),
      };
    }
    const md = await this.#cluster.metadata([]);
    return { clusterId: md.clusterId, controllerId: md.controllerId, brokers: [...md.brokers].sort((a, b) => a.nodeId - b.nodeId) };
  }

  /** Groups known to any broker, sorted by id. */
  async listGroups(): Promise<GroupListing[]> {
    const connections = await this.#cluster.allConnections();
    const seen = new Map<string, GroupListing>();
    for (const connection of connections) {
      const response = await connection.request<ListGroupsResponse>(ApiKey.ListGroups, connection.version(ApiKey.ListGroups), { statesFilter: [] });
      checkErrorCode(response.errorCode, `listing groups on broker ${connection.address}`);
      for (const g of response.groups) seen.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState });
    }
    return [...seen.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /** A group's state and members; a group the coordinator does not know is reported in state Dead. */
  async describeGroup(groupId: string): Promise<GroupDescription> {
    const coordinator = await this.#cluster.coordinatorFor(groupId);
    const response = await coordinator.request<DescribeGroupsResponse>(ApiKey.DescribeGroups, coordinator.version(ApiKey.DescribeGroups), {
      groups: [groupId],
      includeAuthorizedOperations: false,
    });
    const g = response.groups.find((x) => x.groupId === groupId);
    if (g === undefined) throw new ClientError('SPATE_CLIENT_PROTOCOL', `DescribeGroups response left group ${groupId} out`);
    checkErrorCode(g.errorCode, `describing group ${groupId}`);
    return {
      groupId,
      state: g.groupState,
      protocolType: g.protocolType,
      protocol: g.protocolData,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment:
          g.protocolType === 'consumer' || g.protocolType === ''
            ? [...decodeAssignment(m.memberAssignment)].map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
            : [],
      })),
    };
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    for (const groupId of groupIds) {
      const coordinator = await this.#cluster.coordinatorFor(groupId);
      const response = await coordinator.request<DeleteGroupsResponse>(ApiKey.DeleteGroups, coordinator.version(ApiKey.DeleteGroups), { groupsNames: [groupId] });
      for (const r of response.results) checkErrorCode(r.errorCode, `deleting group ${r.groupId}`);
    }
  }

  fetchOffsets(groupId: string, topics: ReadonlyArray<{ name: string; partitions: readonly number[] }> | null = null): Promise<CommittedOffset[]> {
    return fetchCommittedOffsets(this.#cluster, groupId, topics);
  }

  /** Commits offsets for a group with no active members (generation -1). */
  commitOffsets(groupId: string, offsets: ReadonlyArray<{ topic: string; partition: number; offset: number }>): Promise<void> {
    return commitOffsets(this.#cluster, groupId, offsets);
  }

  listOffsets(topic: string, partitions: readonly number[], spec: OffsetSpec): Promise<Map<number, number>> {
    return listOffsets(this.#cluster, topic, partitions, spec);
  }

  /** Committed offset, log end offset and lag of every partition the group has an offset for or is assigned. */
  async groupLag(groupId: string, description?: GroupDescription): Promise<PartitionLag[]> {
    const group = description ?? (await this.describeGroup(groupId));
    const owners = new Map<string, GroupMemberDescription>();
    for (const m of group.members) for (const a of m.assignment) for (const p of a.partitions) owners.set(`${a.topic}\u0000${p}`, m);
    const committed = new Map<string, number>();
    for (const c of await this.fetchOffsets(groupId)) if (c.offset >= 0) committed.set(`${c.topic}\u0000${c.partition}`, c.offset);
    const keys = new Set([...owners.keys(), ...committed.keys()]);
    const byTopic = new Map<string, number[]>();
    for (const key of keys) {
      const [topic, partition] = key.split('\u0000') as [string, string];
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(partition)]);
    }
    const rows: PartitionLag[] = [];
    for (const [topic, partitions] of [...byTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      let ends: Map<number, number>;
      try {
        ends = await this.listOffsets(topic, partitions, 'latest');
      } catch (error) {
        if (!(error instanceof KafkaResponseError) || error.errorCode !== 3) throw error;
        ends = new Map();
      }
      for (const partition of partitions.sort((a, b) => a - b)) {
        const key = `${topic}\u0000${partition}`;
        const offset = committed.get(key) ?? -1;
        const end = ends.get(partition) ?? -1;
        const owner = owners.get(key);
        rows.push({
          topic,
          partition,
          committedOffset: offset,
          logEndOffset: end,
          lag: offset >= 0 && end >= 0 ? Math.max(0, end - offset) : null,
          memberId: owner?.memberId ?? null,
          clientId: owner?.clientId ?? null,
          clientHost: owner?.clientHost ?? null,
        });
      }
    }
    return rows;
  }

  /**
   * Moves a group's committed offsets on every partition of `topic` (or the given ones). The group must have
   * no active members. With dryRun the new offsets are computed and returned but not committed.
   */
  async resetOffsets(groupId: string, topic: string, target: ResetTarget, options: { partitions?: readonly number[]; dryRun?: boolean } = {}): Promise<OffsetReset[]> {
    const mode: ResetMode = target === 'earliest' || target === 'latest' ? { kind: target } : 'offset' in target ? { kind: 'offset', offset: target.offset } : { kind: 'timestamp', timestamp: target.timestamp };
    const plan = await planOffsetReset(this, groupId, [{ topic, ...(options.partitions !== undefined ? { partitions: options.partitions } : {}) }], mode);
    if (options.dryRun !== true) await this.commitOffsets(groupId, plan.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })));
    return plan;
  }
}
