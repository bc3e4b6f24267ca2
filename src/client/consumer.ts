// Consuming: a fetch loop over assigned partitions from resolved offsets (explicit, earliest, latest or by
// timestamp), either assigned by hand or by a consumer group (see group-member.ts), with committed offsets.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey, type FetchRequest, type FetchResponse } from '../protocol/generated/index.js';
import { ZERO_UUID } from '../protocol/reader.js';
import type { TopicPartitions } from './assignor.js';
import type { Cluster } from './cluster.js';
import { ClientError, KafkaResponseError } from './errors.js';
import { GroupMember, type GroupMemberOptions } from './group-member.js';
import { listOffsets, type OffsetSpec } from './offsets.js';
import { decodeRecordBatches, type ConsumedRecord } from './records.js';

export type StartOffset = number | OffsetSpec;

export interface ConsumerOptions extends GroupMemberOptions {
  /** Consume as a member of this group (use subscribe()); without it, use assign(). */
  groupId?: string;
  /** Where a partition starts when it has no committed offset or its offset is out of range; default latest. */
  resetPolicy?: 'earliest' | 'latest';
  /** Long-poll wait of each Fetch; default 500 ms. */
  maxWaitMs?: number;
  minBytes?: number;
  maxBytes?: number;
  partitionMaxBytes?: number;
  /** Group mode: commit positions before each poll, before a rejoin and on close; default true. */
  autoCommit?: boolean;
}

export interface Message extends ConsumedRecord {
  topic: string;
  partition: number;
}

export interface Assignment {
  topic: string;
  partition: number;
  /** Default: the reset policy. */
  offset?: StartOffset;
}

const OFFSET_OUT_OF_RANGE = 1;
const RETRY_WITH_FRESH_METADATA = new Set([3, 5, 6, 74, 75]);

export class Consumer {
  readonly #cluster: Cluster;
  readonly #options: ConsumerOptions;
  readonly #resetPolicy: 'earliest' | 'latest';
  readonly #autoCommit: boolean;
  /** topic -> partition -> next offset to fetch */
  readonly #positions = new Map<string, Map<number, number>>();
  /** topic\0partition -> the high watermark of the last successful fetch of that partition */
  readonly #highWatermarks = new Map<string, number>();
  #unresolved: Assignment[] = [];
  #member: GroupMember | null = null;
  #committed = new Map<string, number>();
  /**
   * Partitions started by timestamp: records before the first one at or after it are skipped, since a broker
   * may answer ListOffsets with the base offset of the batch holding that record.
   */
  readonly #timestampFloor = new Map<string, number>();
  #closed = false;

  constructor(cluster: Cluster, options: ConsumerOptions = {}) {
    this.#cluster = cluster;
    this.#options = options;
    this.#resetPolicy = options.resetPolicy ?? 'latest';
    this.#autoCommit = options.autoCommit ?? true;
  }

  /** Consumes exactly these partitions (no group membership). */
  assign(assignments: readonly Assignment[]): void {
    if (this.#member !== null) throw new ClientError('SPATE_CLIENT_INVALID_ARGUMENT', 'a group consumer gets its partitions from the group; use subscribe()');
    this.#positions.clear();
    this.#highWatermarks.clear();
    this.#unresolved = [...assignments];
  }

  /** Joins `options.groupId` subscribed to `topics`; the assignment arrives with the first poll. */
  subscribe(topics: readonly string[]): void {
    const groupId = this.#options.groupId;
    if (groupId === undefined) throw new ClientError('SPATE_CLIENT_INVALID_ARGUMENT', 'subscribe() needs a groupId');
    this.#member = new GroupMember(this.#cluster, groupId, topics, this.#options);
  }

  get memberId(): string | null {
    return this.#member?.memberId ?? null;
  }

  /** Current positions (next offset to fetch), by topic and partition. */
  positions(): Array<{ topic: string; partition: number; offset: number }> {
    const out: Array<{ topic: string; partition: number; offset: number }> = [];
    for (const [topic, m] of this.#positions) for (const [partition, offset] of m) out.push({ topic, partition, offset });
    return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /**
   * Whether every assigned partition has been read up to the high watermark its last fetch reported (kcat's
   * end of partition): false until each one has been fetched at least once.
   */
  atEnd(): boolean {
    const positions = this.positions();
    if (positions.length === 0 || this.#unresolved.length > 0) return false;
    return positions.every((p) => {
      const highWatermark = this.#highWatermarks.get(`${p.topic}\u0000${p.partition}`);
      return highWatermark !== undefined && p.offset >= highWatermark;
    });
  }

  /** Moves a partition's position (it must be assigned); the next poll fetches from `offset`. */
  seek(topic: string, partition: number, offset: number): void {
    if (this.#positions.get(topic)?.has(partition) !== true) throw new ClientError('SPATE_CLIENT_INVALID_ARGUMENT', `${topic}-${partition} is not assigned to this consumer`);
    this.#setPosition(topic, partition, offset);
  }

  /** One round: (re)join if needed, resolve start offsets, fetch once from every leader. */
  async poll(): Promise<Message[]> {
    if (this.#closed) throw new ClientError('SPATE_CLIENT_CONNECTION', 'the consumer is closed');
    if (this.#member !== null) await this.#maintainGroup(this.#member);
    if (this.#unresolved.length > 0) await this.#resolve();
    const wanted = this.positions();
    if (wanted.length === 0) {
      await sleep(this.#options.maxWaitMs ?? 500);
      return [];
    }
    const byLeader = new Map<number, typeof wanted>();
    for (const w of wanted) {
      const leader = await this.#cluster.leaderFor(w.topic, w.partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), w]);
    }
    const batches = await Promise.all([...byLeader].map(([leader, list]) => this.#fetchFrom(leader, list)));
    return batches.flat();
  }

  async #maintainGroup(member: GroupMember): Promise<void> {
    if (member.heartbeatError !== null) throw member.heartbeatError;
    if (!member.needsRejoin) {
      if (this.#autoCommit) await this.commit();
      return;
    }
    if (this.#autoCommit && this.#positions.size > 0) await this.commit().catch(() => undefined);
    const assignment: TopicPartitions = await member.join();
    this.#positions.clear();
    this.#highWatermarks.clear();
    this.#committed.clear();
    const committed = await member.committed(assignment);
    this.#unresolved = [];
    for (const [topic, partitions] of assignment) {
      for (const partition of partitions) {
        const offset = committed.get(topic)?.get(partition);
        if (offset !== undefined) this.#committed.set(`${topic}\u0000${partition}`, offset);
        this.#unresolved.push({ topic, partition, offset: offset ?? this.#resetPolicy });
      }
    }
  }

  async #resolve(): Promise<void> {
    const pending = this.#unresolved;
    this.#unresolved = [];
    const groups = new Map<string, { topic: string; spec: OffsetSpec; partitions: number[] }>();
    for (const a of pending) {
      const start = a.offset ?? this.#resetPolicy;
      if (typeof start === 'number') {
        this.#setPosition(a.topic, a.partition, start);
        continue;
      }
      const key = `${a.topic}\u0000${JSON.stringify(start)}`;
      const g = groups.get(key) ?? { topic: a.topic, spec: start, partitions: [] };
      g.partitions.push(a.partition);
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      const offsets = await listOffsets(this.#cluster, g.topic, g.partitions, g.spec);
      for (const [partition, offset] of offsets) {
        this.#setPosition(g.topic, partition, offset);
        if (typeof g.spec === 'object') this.#timestampFloor.set(`${g.topic}\u0000${partition}`, g.spec.timestamp);
      }
    }
  }

  #setPosition(topic: string, partition: number, offset: number): void {
    let m = this.#positions.get(topic);
    if (m === undefined) this.#positions.set(topic, (m = new Map()));
    m.set(partition, offset);
  }

  async #fetchFrom(leader: number, list: Array<{ topic: string; partition: number; offset: number }>): Promise<Message[]> {
    const connection = await this.#cluster.connectionTo(leader);
    const version = connection.version(ApiKey.Fetch);
    const maxWaitMs = this.#options.maxWaitMs ?? 500;
    const byTopic = new Map<string, typeof list>();
    for (const w of list) byTopic.set(w.topic, [...(byTopic.get(w.topic) ?? []), w]);
    const request: FetchRequest = {
      replicaId: -1,
      maxWaitMs,
      minBytes: this.#options.minBytes ?? 1,
      maxBytes: this.#options.maxBytes ?? 50 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, ps]) => ({
        topic,
        topicId: ZERO_UUID,
        partitions: ps.map((p) => ({
          partition: p.partition,
          currentLeaderEpoch: -1,
          fetchOffset: p.offset,
          lastFetchedEpoch: -1,
          logStartOffset: -1,
          partitionMaxBytes: this.#options.partitionMaxBytes ?? 1024 * 1024,
        })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    };
    const response = await connection.request<FetchResponse>(ApiKey.Fetch, version, request, { timeoutMs: maxWaitMs + connection.requestTimeoutMs });
    if (response.errorCode !== 0) throw new KafkaResponseError(response.errorCode, `fetching from broker ${leader}`);
    const out: Message[] = [];
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const position = this.#positions.get(t.topic)?.get(p.partitionIndex);
        if (position === undefined) continue;
        if (p.errorCode === OFFSET_OUT_OF_RANGE) {
          this.#positions.get(t.topic)!.delete(p.partitionIndex);
          this.#unresolved.push({ topic: t.topic, partition: p.partitionIndex, offset: this.#resetPolicy });
          continue;
        }
        if (RETRY_WITH_FRESH_METADATA.has(p.errorCode)) {
          this.#cluster.invalidate(t.topic);
          continue;
        }
        if (p.errorCode !== 0) throw new KafkaResponseError(p.errorCode, `fetching ${t.topic}-${p.partitionIndex}`);
        this.#highWatermarks.set(`${t.topic}\u0000${p.partitionIndex}`, p.highWatermark);
        const { records, nextOffset } = decodeRecordBatches(p.records, position);
        const floorKey = `${t.topic}\u0000${p.partitionIndex}`;
        const floor = this.#timestampFloor.get(floorKey);
        let start = 0;
        if (floor !== undefined && records.length > 0) {
          while (start < records.length && records[start]!.timestamp < floor) start++;
          if (start < records.length) this.#timestampFloor.delete(floorKey);
        }
        for (let i = start; i < records.length; i++) out.push({ topic: t.topic, partition: p.partitionIndex, ...records[i]! });
        if (nextOffset > position) this.#setPosition(t.topic, p.partitionIndex, nextOffset);
      }
    }
    if (out.length === 0 && response.responses.every((t) => t.partitions.every((p) => RETRY_WITH_FRESH_METADATA.has(p.errorCode)))) {
      await sleep(100);
    }
    return out;
  }

  /** Group mode: commits the current positions (those that moved since the last commit). */
  async commit(): Promise<void> {
    const member = this.#member;
    if (member === null || member.memberId === '' || member.generationId < 0) return;
    const changed = this.positions().filter((p) => this.#committed.get(`${p.topic}\u0000${p.partition}`) !== p.offset);
    if (changed.length === 0) return;
    await member.commit(changed);
    for (const p of changed) this.#committed.set(`${p.topic}\u0000${p.partition}`, p.offset);
  }

  /** Commits (group mode, with autoCommit) and leaves the group. Does not close the cluster. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const member = this.#member;
    if (member === null) return;
    try {
      if (this.#autoCommit && !member.needsRejoin) await this.commit();
    } finally {
      await member.leave().catch(() => undefined);
      member.stop();
    }
  }
}
