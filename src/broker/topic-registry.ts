// The broker's topic metadata: names, ids, partition counts and config overrides, persisted in the data dir.
// It also holds the routing table: which partition worker owns each partition, as one Partition façade per
// partition (./partition.ts). The table lives on the main thread (the only reader is the network front-end) and
// is rebuilt at startup, so the worker count may change between restarts without touching the data.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { METADATA_FILE, type StoredMetadata, type StoredTopic, readMetadataFile, writeMetadataFile } from './metadata-file.js';
import { MetadataJournal, readMetadataJournal, removeMetadataJournal } from './metadata-journal.js';
import { Partition, type PartitionIo } from './partition.js';
import { partitionDirName, partitionDirectoriesByName, topicsFromPartitionDirectories } from './partition-directories.js';

export { MAX_TOPIC_NAME_LENGTH, topicNameProblem } from './topic-name.js';

export interface TopicState {
  readonly name: string;
  readonly id: string;
  readonly configs: Record<string, string>;
  readonly partitions: Partition[];
}

export class TopicRegistry {
  readonly dataDir: string;
  readonly clusterId: string;
  readonly #topics = new Map<string, TopicState>();
  readonly #byId = new Map<string, TopicState>();
  readonly #partitionsById = new Map<number, Partition>();
  readonly #workerCount: number;
  readonly #io: PartitionIo;
  #journal: MetadataJournal | null = null;
  #nextPartitionId = 1;
  #nextWorker = 0;

  private constructor(dataDir: string, clusterId: string, workerCount: number, io: PartitionIo) {
    this.dataDir = dataDir;
    this.clusterId = clusterId;
    this.#workerCount = workerCount;
    this.#io = io;
  }

  /**
   * Loads the registry from `dataDir`. Without a metadata file it starts empty with a fresh cluster id, or, when
   * partition logs are there, rebuilds their topics (new ids, configs from `rebuiltConfigs`) and says so in the
   * log. A metadata file that cannot be used throws SPATE_METADATA_INVALID.
   */
  static load(
    dataDir: string,
    workerCount: number,
    io: PartitionIo,
    clusterIdOverride: string,
    log: Logger,
    rebuiltConfigs: (topic: string) => Record<string, string> = () => ({}),
  ): TopicRegistry {
    mkdirSync(dataDir, { recursive: true });
    const stored = readMetadataFile(dataDir);
    if (stored !== null) {
      const journal = readMetadataJournal(dataDir);
      const registry = new TopicRegistry(dataDir, stored.clusterId, workerCount, io);
      for (const topic of applyJournal(stored.topics, journal.entries)) registry.#add(topic.name, topic.id, topic.partitions, topic.configs);
      registry.#journal = new MetadataJournal(dataDir, journal.validBytes, journal.entries.length);
      registry.#warnAboutUnknownDirectories(log);
      return registry;
    }
    // Changes recorded against a metadata file that is gone cannot be applied to a rebuild.
    removeMetadataJournal(dataDir);
    const rebuilt = topicsFromPartitionDirectories(dataDir);
    const registry = new TopicRegistry(dataDir, clusterIdOverride || newClusterId(), workerCount, io);
    for (const topic of rebuilt) {
      const created = registry.#add(topic.name, randomUUID(), topic.partitions, rebuiltConfigs(topic.name));
      log.info({ topic: created.name, partitions: created.partitions.length, id: created.id }, 'rebuilt topic from its partition directories');
    }
    if (rebuilt.length > 0) {
      log.warn(
        { topics: rebuilt.length, partitions: rebuilt.reduce((n, t) => n + t.partitions, 0), clusterId: registry.clusterId },
        `${METADATA_FILE} was missing: rebuilt ${rebuilt.length} topics from their partition directories with new topic ids and ${clusterIdOverride ? 'the configured' : 'a new'} cluster id; their config overrides were lost (set them again with AlterConfigs)`,
      );
    }
    registry.#writeAll();
    registry.#journal = new MetadataJournal(dataDir, 0, 0);
    return registry;
  }

  /** Partition directories that no registered partition owns are never served; the log says they are there. */
  #warnAboutUnknownDirectories(log: Logger): void {
    const unknown: string[] = [];
    for (const [name, indexes] of partitionDirectoriesByName(this.dataDir)) {
      const count = this.#topics.get(name)?.partitions.length ?? 0;
      for (const index of indexes) if (index >= count) unknown.push(partitionDirName(name, index));
    }
    if (unknown.length === 0) return;
    log.warn(
      { directories: unknown.slice(0, 20), count: unknown.length },
      `partition directories that ${METADATA_FILE} does not list are not served; a topic created with their name starts empty and they are moved aside`,
    );
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

  partition(topic: string, index: number): Partition | undefined {
    return this.#topics.get(topic)?.partitions[index];
  }

  /** Registers a topic in memory; call save() once its partitions are open. */
  create(name: string, partitions: number, configs: Record<string, string>): TopicState {
    return this.#add(name, randomUUID(), partitions, configs);
  }

  /** Adds partitions to an existing topic; returns the new ones. */
  addPartitions(topic: TopicState, newTotal: number): Partition[] {
    const added: Partition[] = [];
    for (let i = topic.partitions.length; i < newTotal; i++) added.push(this.#newPartition(topic.name, i));
    topic.partitions.push(...added);
    return added;
  }

  /** Takes back the last `count` partitions of a topic (new ones that could not be opened). */
  removeNewestPartitions(topic: TopicState, count: number): void {
    for (const p of topic.partitions.splice(topic.partitions.length - count, count)) this.#partitionsById.delete(p.id);
  }

  /** Partitions of every topic, including ones still being opened. */
  get partitionCount(): number {
    return this.#partitionsById.size;
  }

  remove(name: string): TopicState | undefined {
    const topic = this.#topics.get(name);
    if (!topic) return undefined;
    this.#topics.delete(name);
    this.#byId.delete(topic.id);
    for (const p of topic.partitions) this.#partitionsById.delete(p.id);
    return topic;
  }

  /**
   * Records durably that topic `name` changed (created, grown, its configs altered) or went (deleted): one line
   * appended to the journal. Once the journal outgrows the topic list it is folded into a new metadata file.
   */
  save(name: string): void {
    const topic = this.#topics.get(name);
    const journal = this.#journal;
    if (journal === null) {
      this.#writeAll();
      return;
    }
    journal.append(topic ? { put: storedTopic(topic) } : { delete: name });
    if (journal.entries >= Math.max(MIN_JOURNAL_ENTRIES, this.#topics.size)) {
      this.#writeAll();
      journal.clear();
    }
  }

  /**
   * The broker is stopping: the journal is folded into the metadata file, so after a clean stop the file alone
   * lists every topic. If that write fails (a full disk) the journal stays: it is still complete and correct.
   */
  close(): void {
    const journal = this.#journal;
    if (journal === null) return;
    this.#journal = null;
    try {
      if (journal.entries > 0) {
        this.#writeAll();
        journal.clear();
      }
    } catch {
      // The journal keeps every change; the next start replays it.
    } finally {
      journal.close();
    }
  }

  /** Writes the whole registry atomically: a reader after a crash sees the old or the new file, never a mix. */
  #writeAll(): void {
    const stored: StoredMetadata = { version: 1, clusterId: this.clusterId, topics: [...this.#topics.values()].map(storedTopic) };
    writeMetadataFile(this.dataDir, stored);
  }

  #add(name: string, id: string, partitionCount: number, configs: Record<string, string>): TopicState {
    const topic: TopicState = { name, id, configs: { ...configs }, partitions: [] };
    for (let i = 0; i < partitionCount; i++) topic.partitions.push(this.#newPartition(name, i));
    this.#topics.set(name, topic);
    this.#byId.set(id, topic);
    return topic;
  }

  #newPartition(topic: string, index: number): Partition {
    const partition = new Partition(
      {
        id: this.#nextPartitionId++,
        topic,
        index,
        // Round-robin spreads a topic's partitions over the workers so one hot topic uses every core.
        worker: this.#nextWorker++ % this.#workerCount,
        dir: join(this.dataDir, partitionDirName(topic, index)),
      },
      this.#io,
    );
    this.#partitionsById.set(partition.id, partition);
    return partition;
  }
}

/** Below this many journal lines the journal is not folded, however few topics there are. */
const MIN_JOURNAL_ENTRIES = 1000;

function storedTopic(topic: TopicState): StoredTopic {
  return { name: topic.name, id: topic.id, partitions: topic.partitions.length, configs: { ...topic.configs } };
}

/** The topics of the metadata file with the journal's changes applied in order. */
function applyJournal(topics: readonly StoredTopic[], entries: ReturnType<typeof readMetadataJournal>['entries']): StoredTopic[] {
  const byName = new Map(topics.map((t) => [t.name, t]));
  for (const entry of entries) {
    if ('put' in entry) byName.set(entry.put.name, entry.put);
    else byName.delete(entry.delete);
  }
  return [...byName.values()];
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. */
function newClusterId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
}
