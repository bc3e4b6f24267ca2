// Creating, deleting and growing topics: the registry change plus opening or closing partition actors on
// their workers. Admin changes run one at a time (a promise chain), so two clients racing to auto-create the
// same topic cannot both create it.
import { randomUUID } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import type { Logger } from 'pino';
import { type BrokerConfig, intProperty } from '../config/broker-config.js';
import { type TopicPropertyName, topicPropertyValue, validateTopicOverrides } from '../config/topic-config.js';
import { SpateError } from '../errors.js';
import { type CheckpointEntry, readRecoveryCheckpoint, writeRecoveryCheckpoint } from '../storage/recovery-checkpoint.js';
import { type PrescanInput, prescanPartitions } from '../storage/recovery-pool.js';
import type { SegmentScan } from '../storage/segment-scan.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { PartitionLimits, PartitionSpec } from '../partition/partition-actor.js';
import type { PartitionWorkerPool } from '../partition/partition-workers.js';
import { isInternalTopic } from '../group/internal-topics.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { inSlices } from './adaptive-slice.js';
import type { Partition } from './partition.js';
import { type TopicRegistry, type TopicState, topicNameProblem } from './topic-registry.js';

export interface AdminResult {
  errorCode: number;
  errorMessage: string | null;
}

export interface CreateTopicRequest {
  name: string;
  partitions: number; // -1 = broker default
  replicationFactor: number; // -1 = broker default
  configs: Record<string, string | null>;
  /** Explicit replica assignment (partition -> broker ids), empty when none. */
  assignments: number[][];
}

const ok: AdminResult = { errorCode: ErrorCode.NONE, errorMessage: null };

export class TopicAdmin {
  readonly #registry: TopicRegistry;
  readonly #workers: PartitionWorkerPool;
  readonly #config: BrokerConfig;
  readonly #log: Logger;
  /** Refusals at max.broker.partitions: any client can cause them (auto-creation), so they are rate-limited. */
  readonly #capLog: RateLimitedLog;
  readonly #nodeId: number;
  #queue: Promise<unknown> = Promise.resolve();
  /** During openAll: each partition dir's recovery point and startup scans. */
  #startup: Map<string, { recoveryPoint: number | undefined; prescanned: SegmentScan[] | undefined }> | null = null;

  constructor(registry: TopicRegistry, workers: PartitionWorkerPool, config: BrokerConfig, log: Logger) {
    this.#registry = registry;
    this.#workers = workers;
    this.#config = config;
    this.#log = log;
    this.#capLog = new RateLimitedLog(log);
    this.#nodeId = intProperty(config, 'node.id');
  }

  /** Runs admin changes strictly one after another. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Checks a create request without changing anything; returns the resolved partition count or an error. */
  validateCreate(request: CreateTopicRequest): AdminResult & { partitions: number; replicationFactor: number; configs: Record<string, string> } {
    const fail = (errorCode: number, errorMessage: string) => ({ errorCode, errorMessage, partitions: -1, replicationFactor: -1, configs: {} });
    const nameProblem = topicNameProblem(request.name);
    if (nameProblem) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
    if (this.#registry.get(request.name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${request.name}' already exists`);
    const collision = this.#collidingTopic(request.name);
    if (collision) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `topic '${request.name}' collides with existing topic '${collision}' ('.' and '_' are interchangeable in metric names)`);
    let partitions = request.partitions;
    let replicationFactor = request.replicationFactor;
    if (request.assignments.length > 0) {
      if (partitions !== -1 || replicationFactor !== -1) {
        return fail(ErrorCode.INVALID_REQUEST, 'both a replica assignment and a partition count or replication factor were given');
      }
      for (const replicas of request.assignments) {
        if (replicas.length === 0 || replicas.some((id) => id !== this.#nodeId) || new Set(replicas).size !== replicas.length) {
          return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `replica assignment ${JSON.stringify(replicas)} names brokers that do not exist (this cluster has node ${this.#nodeId})`);
        }
      }
      partitions = request.assignments.length;
      replicationFactor = request.assignments[0]!.length;
    }
    if (partitions === -1) partitions = intProperty(this.#config, 'num.partitions');
    if (replicationFactor === -1) replicationFactor = intProperty(this.#config, 'default.replication.factor');
    if (partitions <= 0) return fail(ErrorCode.INVALID_PARTITIONS, `number of partitions must be larger than 0, got ${partitions}`);
    // The broker's own internal topic is never refused: consumer groups could not commit without it.
    const overCap = isInternalTopic(request.name) ? null : this.#brokerCapProblem(partitions);
    if (overCap) return fail(ErrorCode.POLICY_VIOLATION, overCap);
    if (replicationFactor <= 0) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor must be larger than 0, got ${replicationFactor}`);
    if (replicationFactor > 1) {
      return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor ${replicationFactor} is larger than the number of available brokers (1)`);
    }
    let configs: Record<string, string>;
    try {
      const given = Object.entries(request.configs).filter((entry): entry is [string, string] => entry[1] !== null);
      configs = validateTopicOverrides(Object.fromEntries(given), this.#config);
    } catch (error) {
      return fail(ErrorCode.INVALID_CONFIG, (error as Error).message);
    }
    return { ...ok, partitions, replicationFactor, configs };
  }

  /** Why adding `adding` partitions would take this broker past max.broker.partitions, or null. */
  #brokerCapProblem(adding: number): string | null {
    const cap = intProperty(this.#config, 'max.broker.partitions');
    const current = this.#registry.partitionCount;
    if (current + adding <= cap) return null;
    this.#capLog.write('warn', 'max.broker.partitions', { partitions: current, requested: adding, cap }, 'refused partitions over max.broker.partitions');
    return `${adding} more partitions would bring this broker to ${current + adding}, above max.broker.partitions=${cap}`;
  }

  createTopic(request: CreateTopicRequest): Promise<AdminResult & { topic: TopicState | null }> {
    return this.#serial(async () => {
      const checked = this.validateCreate(request);
      if (checked.errorCode !== ErrorCode.NONE) return { ...checked, topic: null };
      const topic = this.#registry.create(request.name, checked.partitions, checked.configs);
      try {
        await this.#open(topic, topic.partitions, 'new');
      } catch (error) {
        this.#registry.remove(topic.name);
        await this.#close(topic.partitions, true).catch(() => undefined);
        this.#log.error({ err: error, topic: topic.name }, 'could not open partitions of a new topic');
        return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: `could not create topic: ${(error as Error).message}`, topic: null };
      }
      this.#registry.save(topic.name);
      this.#log.info({ topic: topic.name, partitions: topic.partitions.length, id: topic.id }, 'created topic');
      return { ...ok, topic };
    });
  }

  deleteTopic(name: string): Promise<AdminResult> {
    return this.#serial(async () => {
      const topic = this.#registry.remove(name);
      if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${name}' does not exist` };
      this.#registry.save(name);
      await this.#close(topic.partitions, true);
      // Long polls parked on the deleted partitions re-check and answer at once instead of waiting out max_wait_ms.
      for (const partition of topic.partitions) partition.wake();
      this.#log.info({ topic: name }, 'deleted topic');
      return ok;
    });
  }

  createPartitions(name: string, newTotal: number, assignments: number[][] | null, validateOnly: boolean): Promise<AdminResult> {
    return this.#serial(async () => {
      const topic = this.#registry.get(name);
      if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${name}' does not exist` };
      const current = topic.partitions.length;
      if (newTotal <= current) {
        return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `topic currently has ${current} partitions, ${newTotal} would not be an increase` };
      }
      const overCap = this.#brokerCapProblem(newTotal - current);
      if (overCap) return { errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: overCap };
      if (assignments) {
        if (assignments.length !== newTotal - current) {
          return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `expected ${newTotal - current} assignments, got ${assignments.length}` };
        }
        if (assignments.some((r) => r.length !== 1 || r[0] !== this.#nodeId)) {
          return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `assignments may only name node ${this.#nodeId}` };
        }
      }
      if (validateOnly) return ok;
      const added = this.#registry.addPartitions(topic, newTotal);
      try {
        await this.#open(topic, added, 'new');
      } catch (error) {
        this.#registry.removeNewestPartitions(topic, added.length);
        await this.#close(added, true).catch(() => undefined);
        this.#log.error({ err: error, topic: topic.name }, 'could not open new partitions');
        return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: `could not create partitions: ${(error as Error).message}` };
      }
      this.#registry.save(topic.name);
      this.#log.info({ topic: topic.name, partitions: newTotal, added: added.length }, 'added partitions');
      return ok;
    });
  }

  /** Replaces (incremental=false) or edits a topic's config overrides after validating every entry. */
  alterTopicConfig(name: string, change: (current: Record<string, string>) => Record<string, string>, validateOnly: boolean): Promise<AdminResult> {
    return this.#serial(async () => {
      const topic = this.#registry.get(name);
      if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${name}' does not exist` };
      let next: Record<string, string>;
      try {
        next = validateTopicOverrides(change({ ...topic.configs }), this.#config);
      } catch (error) {
        return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: (error as Error).message };
      }
      if (validateOnly) return ok;
      for (const key of Object.keys(topic.configs)) delete topic.configs[key];
      Object.assign(topic.configs, next);
      this.#registry.save(name);
      await Promise.all(
        topic.partitions.map((p) => this.#workers.control(p.worker, (c) => c.updateConfig(p.id, this.#limits(topic)))),
      );
      return ok;
    });
  }

  /** Sends every partition its limits again, after a broker-wide default they may fall back on changed. */
  refreshPartitionLimits(): Promise<void> {
    return this.#serial(async () => {
      const updates: Array<Promise<void>> = [];
      for (const topic of this.#registry.topics) {
        const limits = this.#limits(topic);
        for (const p of topic.partitions) {
          if (this.#workers.isAlive(p.worker)) updates.push(this.#workers.control(p.worker, (c) => c.updateConfig(p.id, limits)));
        }
      }
      await Promise.all(updates);
    });
  }

  /**
   * Opens every partition of every registered topic; used at startup. Segments that need a scan (unclean
   * shutdown, past the recovery point) are scanned first by a piscina pool, in parallel across partitions.
   * Returns partitions whose log was repaired.
   */
  async openAll(): Promise<string[]> {
    const started = performance.now();
    const points = readRecoveryCheckpoint(this.#registry.dataDir);
    const inputs: PrescanInput[] = [];
    for (const topic of this.#registry.topics) {
      const interval = this.#limits(topic).indexIntervalBytes;
      for (const p of topic.partitions) inputs.push({ dir: p.dir, recoveryPoint: points.get(`${topic.name}-${p.index}`), indexIntervalBytes: interval });
    }
    const scans = await prescanPartitions(inputs);
    this.#startup = new Map(inputs.map((i) => [i.dir, { recoveryPoint: i.recoveryPoint, prescanned: scans.get(i.dir) }]));
    const repaired: string[] = [];
    try {
      for (const topic of this.#registry.topics) repaired.push(...(await this.#open(topic, topic.partitions, 'startup')));
    } finally {
      this.#startup = null;
    }
    const segments = [...scans.values()].reduce((n, list) => n + list.length, 0);
    this.#log.info({ partitions: inputs.length, scannedPartitions: scans.size, scannedSegments: segments, repaired: repaired.length, ms: Math.round(performance.now() - started) }, 'opened partition logs');
    await this.checkpointRecoveryPoints();
    return repaired;
  }

  /** Writes the data dir's recovery-point checkpoint from every open partition. */
  async checkpointRecoveryPoints(): Promise<void> {
    const byId = new Map<number, { topic: string; partition: number }>();
    const workers = new Set<number>();
    for (const topic of this.#registry.topics) {
      for (const p of topic.partitions) {
        byId.set(p.id, { topic: topic.name, partition: p.index });
        workers.add(p.worker);
      }
    }
    const entries: CheckpointEntry[] = [];
    await Promise.all(
      [...workers].filter((w) => this.#workers.isAlive(w)).map(async (w) => {
        for (const { partitionId, recoveryPoint } of await this.#workers.control(w, (c) => c.recoveryPoints())) {
          const where = byId.get(partitionId);
          if (where) entries.push({ ...where, offset: recoveryPoint });
        }
      }),
    );
    writeRecoveryCheckpoint(this.#registry.dataDir, entries);
  }

  specFor(topic: TopicState, partition: Partition): PartitionSpec {
    const spec: PartitionSpec = { partitionId: partition.id, topic: topic.name, partition: partition.index, dir: partition.dir, ...this.#limits(topic) };
    const startup = this.#startup?.get(partition.dir);
    if (startup?.recoveryPoint !== undefined) spec.recoveryPoint = startup.recoveryPoint;
    if (startup?.prescanned !== undefined) spec.prescanned = startup.prescanned;
    return spec;
  }

  #limits(topic: TopicState): PartitionLimits {
    const value = (name: TopicPropertyName): number => Number(topicPropertyValue(topic.configs, this.#config, name));
    return {
      segmentBytes: value('segment.bytes'),
      segmentMs: value('segment.ms'),
      maxMessageBytes: value('max.message.bytes'),
      flushMessages: value('flush.messages'),
      flushMs: value('flush.ms'),
      retentionMs: value('retention.ms'),
      retentionBytes: value('retention.bytes'),
      deleteRetention: topicPropertyValue(topic.configs, this.#config, 'cleanup.policy').split(',').includes('delete'),
      indexIntervalBytes: value('index.interval.bytes'),
      retentionCheckMs: intProperty(this.#config, 'log.retention.check.interval.ms'),
      logAppendTime: topicPropertyValue(topic.configs, this.#config, 'message.timestamp.type') === 'LogAppendTime',
    };
  }

  /**
   * Opens partitions on their workers; returns the repaired ones. New partitions open in slices (see
   * AdaptiveSlice), so produce and fetch to the other partitions of a worker keep being served while thousands
   * open, and start empty (see moveStrayDirectories). At startup nothing is served yet (the listener starts
   * later), so each worker gets its partitions in one call.
   */
  async #open(topic: TopicState, partitions: Partition[], purpose: 'new' | 'startup'): Promise<string[]> {
    const repaired: string[] = [];
    const movedAside: string[] = [];
    try {
      await this.#openOnWorkers(topic, partitions, purpose, repaired, movedAside);
    } finally {
      // Also when a later slice failed: the directories already moved must be findable.
      if (movedAside.length > 0) {
        this.#log.warn(
          { topic: topic.name, movedTo: movedAside.slice(0, 20), count: movedAside.length },
          'moved aside old partition directories the metadata did not list; the new partitions start empty',
        );
      }
    }
    return repaired;
  }

  async #openOnWorkers(topic: TopicState, partitions: Partition[], purpose: 'new' | 'startup', repaired: string[], movedAside: string[]): Promise<void> {
    await Promise.all(
      [...groupByWorker(partitions)].map(async ([worker, list]) => {
        const byId = new Map(list.map((p) => [p.id, p]));
        const openOnWorker = (slice: Partition[]) => {
          if (purpose === 'new') movedAside.push(...moveStrayDirectories(slice));
          return this.#workers.control(worker, (c) => c.open(slice.map((p) => this.specFor(topic, p))));
        };
        const opened = purpose === 'new' ? await inSlices(list, openOnWorker) : await openOnWorker(list);
        for (const result of opened) {
          const partition = byId.get(result.partitionId)!;
          partition.opened(result.logStartOffset, result.logEndOffset);
          if (result.recovered) repaired.push(`${topic.name}-${partition.index}`);
          if (result.recovered || result.details.length > 0) {
            this.#log.warn({ partition: `${topic.name}-${partition.index}`, recovery: result.recovered, details: result.details }, 'recovered partition log');
          }
        }
      }),
    );
  }

  /** Closes partitions (deleting their files if asked), in slices as #open opens them. */
  async #close(partitions: Partition[], deleteFiles: boolean): Promise<void> {
    await Promise.all(
      [...groupByWorker(partitions)].map(([worker, list]) =>
        this.#workers.isAlive(worker)
          ? inSlices(list, async (slice) => {
              await this.#workers.control(worker, (c) => c.close(slice.map((p) => p.id), deleteFiles));
              return [];
            })
          : Promise.reject(new SpateError('SPATE_WORKER_DIED', `partition worker ${worker} is not running`)),
      ),
    );
  }

  #collidingTopic(name: string): string | null {
    const normalised = name.replaceAll('.', '_');
    for (const topic of this.#registry.topics) {
      if (topic.name !== name && topic.name.replaceAll('.', '_') === normalised) return topic.name;
    }
    return null;
  }
}

/**
 * A new partition must start empty. A directory already under its name is left from a topic the metadata no
 * longer lists (a crash while it was deleted, a restored metadata file): it is moved aside, never adopted under
 * the new topic id and never deleted. Returns where the directories went.
 */
function moveStrayDirectories(partitions: Partition[]): string[] {
  const moved: string[] = [];
  for (const p of partitions) {
    if (!existsSync(p.dir)) continue;
    const aside = `${p.dir}.${randomUUID().replaceAll('-', '')}-stray`;
    renameSync(p.dir, aside);
    moved.push(aside);
  }
  return moved;
}

function groupByWorker(partitions: Partition[]): Map<number, Partition[]> {
  const byWorker = new Map<number, Partition[]>();
  for (const p of partitions) {
    const list = byWorker.get(p.worker);
    if (list) list.push(p);
    else byWorker.set(p.worker, [p]);
  }
  return byWorker;
}
