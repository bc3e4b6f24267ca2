// The broker `spate/testing` starts: startBroker with test defaults, plus the helpers a test needs.
import { setTimeout as sleep } from 'node:timers/promises';
import { startBroker as startPlainBroker, type RunningBroker, type StartBrokerOptions, type TopicSpec } from '../api.js';
import { Admin, Cluster, Producer, type GroupDescription, type PartitionResult, type ProduceMessage } from '../client/index.js';
import { SpateError } from '../errors.js';
import { readToEnd, type ReadOptions, type TestMessage } from './read.js';
import { resetBroker, type ResetResult } from './reset.js';
import { createTopicsWith } from '../topic-specs.js';

export type TestBrokerOptions = StartBrokerOptions;

/**
 * Broker properties for tests: a new group rebalances at once instead of waiting 3 s for more members, and
 * __consumer_offsets has one partition instead of 50 (a group's first use creates it). Options win over them.
 */
export const TEST_BROKER_DEFAULTS: Readonly<Record<string, string | number | boolean>> = {
  'group.initial.rebalance.delay.ms': 0,
  'offsets.topic.num.partitions': 1,
};

export class TestBroker implements AsyncDisposable {
  readonly #broker: RunningBroker;
  readonly #cluster: Cluster;
  readonly #admin: Admin;
  readonly #topics: readonly TopicSpec[];

  private constructor(broker: RunningBroker, cluster: Cluster, topics: readonly TopicSpec[]) {
    this.#broker = broker;
    this.#cluster = cluster;
    this.#admin = new Admin(cluster);
    this.#topics = topics;
  }

  /** Use startBroker() from 'spate/testing'. */
  static async start(options: TestBrokerOptions = {}): Promise<TestBroker> {
    const broker = await startPlainBroker({ logLevel: 'silent', ...options, config: { ...TEST_BROKER_DEFAULTS, ...options.config } });
    try {
      const cluster = await Cluster.connect({ bootstrap: broker.bootstrap, clientId: 'spate-testing' });
      return new TestBroker(broker, cluster, options.topics ?? []);
    } catch (error) {
      await broker.close();
      throw error;
    }
  }

  /** `host:port` for a client's brokers / bootstrap.servers. */
  get bootstrap(): string {
    return this.#broker.bootstrap;
  }

  get host(): string {
    return this.#broker.host;
  }

  get port(): number {
    return this.#broker.port;
  }

  get dataDir(): string {
    return this.#broker.dataDir;
  }

  /** Creates a topic (a name alone: the broker's default partition count). One that exists is kept. */
  async createTopic(topic: TopicSpec | string): Promise<void> {
    await createTopicsWith(this.#admin, [typeof topic === 'string' ? { name: topic } : topic]);
  }

  async deleteTopic(name: string): Promise<void> {
    await this.#admin.deleteTopics([name]);
  }

  /** Non-internal topic names, sorted. */
  topics(): Promise<string[]> {
    return this.#admin.listTopics();
  }

  /** Sends messages and waits for the broker's acknowledgement (acks=all). */
  produce(topic: string, messages: readonly ProduceMessage[]): Promise<PartitionResult[]> {
    return new Producer(this.#cluster).send(topic, messages);
  }

  /** Every message now in `topic` (or some of its partitions), by partition then offset. */
  readToEnd(topic: string, options?: ReadOptions): Promise<TestMessage[]> {
    return readToEnd(this.#cluster, topic, options);
  }

  /**
   * Waits until the group is Stable (every member joined and got its assignment), with `members` members if
   * given. Resolves with the group's description; rejects after `timeoutMs` (default 30 s).
   */
  async waitForGroupStable(groupId: string, options: { members?: number; timeoutMs?: number } = {}): Promise<GroupDescription> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    let last: GroupDescription | null = null;
    while (Date.now() <= deadline) {
      last = await this.#admin.describeGroup(groupId);
      if (last.state === 'Stable' && (options.members === undefined || last.members.length === options.members)) return last;
      await sleep(25);
    }
    throw new SpateError(
      'SPATE_CLIENT_TIMEOUT',
      `group ${groupId} was not Stable${options.members !== undefined ? ` with ${options.members} members` : ''} within ${timeoutMs} ms (last: ${last?.state ?? 'unknown'}, ${last?.members.length ?? 0} members)`,
    );
  }

  /** The group's committed offsets, by topic and partition (-1 where nothing is committed). */
  async committedOffsets(groupId: string): Promise<Array<{ topic: string; partition: number; offset: number }>> {
    return (await this.#admin.fetchOffsets(groupId)).map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset }));
  }

  /**
   * Back to the state the broker started in, without restarting it: every consumer group and every topic
   * deleted, the topics given to startBroker created again, empty. Consumers must be disconnected first.
   */
  reset(): Promise<ResetResult> {
    return resetBroker(this.#admin, this.#topics);
  }

  async close(): Promise<void> {
    this.#cluster.close();
    await this.#broker.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Starts a broker for tests (port 0, temporary data dir, one worker, silent logs, TEST_BROKER_DEFAULTS). */
export function startBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  return TestBroker.start(options);
}
