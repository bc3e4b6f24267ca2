// The broker's topic metadata: names, ids, partition counts and config overrides, persisted in the data dir.
// It also holds the routing table: which partition worker owns each partition. The table lives on the main
// thread (the only reader is the network front-end) and is rebuilt at startup, so the worker count may change
// between restarts without touching the data.
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface PartitionState {
  /** Broker-wide numeric id used on the rings; never reused while the broker runs. */
  readonly id: number;
  readonly topic: string;
  readonly index: number;
  readonly worker: number;
  readonly dir: string;
  highWatermark: number;
  logStartOffset: number;
  /** Woken on every append: long-poll fetches park here. */
  readonly appendWaiters: Set<() => void>;
}

export interface TopicState {
  readonly name: string;
  readonly id: string;
  readonly configs: Record<string, string>;
  readonly partitions: PartitionState[];
}

interface StoredTopic {
  name: string;
  id: string;
  partitions: number;
  configs: Record<string, string>;
}

interface StoredMetadata {
  version: 1;
  clusterId: string;
  topics: StoredTopic[];
}

const METADATA_FILE = 'spate-metadata.json';

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's topic-name rule; returns why a name is illegal, or null. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `topic name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`;
  if (!LEGAL_TOPIC_NAME.test(name)) return `topic name "${name}" contains characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

export class TopicRegistry {
  readonly dataDir: string;
  readonly clusterId: string;
  readonly #topics = new Map<string, TopicState>();
  readonly #byId = new Map<string, TopicState>();
  readonly #partitionsById = new Map<number, PartitionState>();
  readonly #workerCount: number;
  #nextPartitionId = 1;
  #nextWorker = 0;

  private constructor(dataDir: string, clusterId: string, workerCount: number) {
    this.dataDir = dataDir;
    this.clusterId = clusterId;
    this.#workerCount = workerCount;
  }

  /** Loads the registry from `dataDir` (creating an empty one, with a fresh cluster id, if there is none). */
  static load(dataDir: string, workerCount: number, clusterIdOverride: string): TopicRegistry {
    mkdirSync(dataDir, { recursive: true });
    let stored: StoredMetadata | null = null;
    try {
      stored = JSON.parse(readFileSync(join(dataDir, METADATA_FILE), 'utf8')) as StoredMetadata;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const clusterId = stored?.clusterId ?? (clusterIdOverride || newClusterId());
    const registry = new TopicRegistry(dataDir, clusterId, workerCount);
    for (const topic of stored?.topics ?? []) registry.#add(topic.name, topic.id, topic.partitions, topic.configs);
    if (!stored) registry.save();
    return registry;
  }

  get topics(): IterableIterator<TopicState> {
    return this.#topics.values();
  }

  get(name: string): TopicState | undefined {
    return this.#topics.get(name);
  }

  getById(id: string): TopicState | undefined {
    return this.#byId.get(id);
  }

  partition(topic: string, index: number): PartitionState | undefined {
    return this.#topics.get(topic)?.partitions[index];
  }

  /** Registers a topic in memory; call save() once its partitions are open. */
  create(name: string, partitions: number, configs: Record<string, string>): TopicState {
    return this.#add(name, randomUUID(), partitions, configs);
  }

  /** Adds partitions to an existing topic; returns the new ones. */
  addPartitions(topic: TopicState, newTotal: number): PartitionState[] {
    const added: PartitionState[] = [];
    for (let i = topic.partitions.length; i < newTotal; i++) added.push(this.#newPartition(topic.name, i));
    topic.partitions.push(...added);
    return added;
  }

  remove(name: string): TopicState | undefined {
    const topic = this.#topics.get(name);
    if (!topic) return undefined;
    this.#topics.delete(name);
    this.#byId.delete(topic.id);
    for (const p of topic.partitions) this.#partitionsById.delete(p.id);
    return topic;
  }

  /** Writes the registry atomically: a reader after a crash sees the old or the new file, never a mix. */
  save(): void {
    const stored: StoredMetadata = {
      version: 1,
      clusterId: this.clusterId,
      topics: [...this.#topics.values()].map((t) => ({ name: t.name, id: t.id, partitions: t.partitions.length, configs: t.configs })),
    };
    const target = join(this.dataDir, METADATA_FILE);
    const temporary = `${target}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, JSON.stringify(stored, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, target);
  }

  #add(name: string, id: string, partitionCount: number, configs: Record<string, string>): TopicState {
    const topic: TopicState = { name, id, configs: { ...configs }, partitions: [] };
    for (let i = 0; i < partitionCount; i++) topic.partitions.push(this.#newPartition(name, i));
    this.#topics.set(name, topic);
    this.#byId.set(id, topic);
    return topic;
  }

  #newPartition(topic: string, index: number): PartitionState {
    const state: PartitionState = {
      id: this.#nextPartitionId++,
      topic,
      index,
      // Round-robin spreads a topic's partitions over the workers so one hot topic uses every core.
      worker: this.#nextWorker++ % this.#workerCount,
      dir: join(this.dataDir, `${topic}-${index}`),
      highWatermark: 0,
      logStartOffset: 0,
      appendWaiters: new Set(),
    };
    this.#partitionsById.set(state.id, state);
    return state;
  }
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. */
function newClusterId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
}
