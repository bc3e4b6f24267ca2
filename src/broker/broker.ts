// A running broker: partition workers, topic registry, request handlers and the TCP front-end, wired together.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { type BrokerConfig, byteBoundProperty, intProperty } from '../config/broker-config.js';
import { DynamicBrokerConfig } from '../config/dynamic-broker-config.js';
import { NetworkServer } from '../network/server.js';
import { PartitionWorkerPool } from '../partition/partition-workers.js';
import { prepareDataDir } from '../storage/data-dir.js';
import { DataDirLock } from '../storage/data-dir-lock.js';
import type { BrokerContext } from './context.js';
import { createHandlers } from './handlers/index.js';
import { createFrameDecoder } from './request-dispatcher.js';
import { ensureOffsetsTopic, OFFSETS_TOPIC_CONFIGS, offsetsTopicLog } from './offsets-topic.js';
import { TopicAdmin } from './topic-admin.js';
import { TopicRegistry } from './topic-registry.js';
import { GroupCoordinator, PartitionOffsetStore, type PartitionLag } from '../group/index.js';
import { isInternalTopic } from '../group/internal-topics.js';
import { type HttpRoutes, MetricsServer, NO_METRICS, type MetricsRecorder } from '../metrics/index.js';
import { BrokerMetrics } from './metrics/index.js';
import { startSecurity, type SecurityTestHooks } from './security-setup.js';

/** Requests one connection may have awaiting their responses before no more of its requests start. */
const MAX_QUEUED_REQUESTS_PER_CONNECTION = 1000;

/** Something served on the broker's HTTP port beside /metrics (the console). */
export interface HttpExtension {
  /** Its key in the "broker started" log line, whose value is its address. */
  readonly name: string;
  /** The path it is served under, e.g. /console/. */
  readonly path: string;
  readonly routes: HttpRoutes;
  /** Called once the HTTP port listens. */
  start(): void;
  /** Called first when the broker closes. */
  close(): Promise<void>;
}

/** Makes an extension for a started broker, or null when it is off for this broker's configuration. */
export type HttpExtensionFactory = (broker: Broker, metrics: BrokerMetrics) => HttpExtension | null;

export interface BrokerStartOptions {
  /** Served on the HTTP (metrics) port beside /metrics (the console). */
  extensions?: readonly HttpExtensionFactory[];
  /** Test hooks only (see SecurityTestHooks). */
  testHooks?: SecurityTestHooks;
}

export class Broker {
  readonly config: BrokerConfig;
  readonly host: string;
  readonly port: number;
  readonly context: BrokerContext;
  readonly #server: NetworkServer;
  readonly #workers: PartitionWorkerPool;
  readonly #log: Logger;
  readonly #groups: GroupCoordinator;
  #closing: Promise<void> | null = null;
  #checkpointTimer: NodeJS.Timeout | null = null;
  #checkpointing: Promise<void> | null = null;
  readonly #metrics: BrokerMetrics | null;
  #metricsServer: MetricsServer | null = null;
  readonly #lock: DataDirLock;
  readonly #extensionFactories: readonly HttpExtensionFactory[];
  readonly #extensions: HttpExtension[] = [];

  private constructor(
    config: BrokerConfig,
    context: BrokerContext,
    server: NetworkServer,
    workers: PartitionWorkerPool,
    groups: GroupCoordinator,
    port: number,
    log: Logger,
    metrics: BrokerMetrics | null,
    lock: DataDirLock,
    extensions: readonly HttpExtensionFactory[],
  ) {
    this.#lock = lock;
    this.#extensionFactories = extensions;
    this.config = config;
    this.#metrics = metrics;
    this.#groups = groups;
    this.context = context;
    this.#server = server;
    this.#workers = workers;
    this.host = config.host;
    this.port = port;
    this.#log = log;
  }

  /**
   * Starts a broker. `extensions` are served on its HTTP (metrics) port beside /metrics: the layers above the
   * broker (the console) plug in here, so the broker never imports them. `testHooks` are for tests only.
   */
  static async start(config: BrokerConfig, log: Logger, options: BrokerStartOptions = {}): Promise<Broker> {
    const extensions = options.extensions ?? [];
    const testHooks = options.testHooks ?? {};
    const started = performance.now();
    prepareDataDir(config.dataDir);
    // Before anything reads or writes the data dir: a second broker on it would lose acknowledged writes.
    const lock = await DataDirLock.acquire(config.dataDir);
    let workers: PartitionWorkerPool;
    try {
      workers = await PartitionWorkerPool.start(config.workers, log.child({ component: 'partitions' }));
    } catch (error) {
      lock.release();
      throw error;
    }
    let loadedRegistry: TopicRegistry | null = null;
    try {
      // A topic rebuilt without its metadata gets the broker defaults, except the internal one, whose configs are known.
      const rebuiltConfigs = (topic: string): Record<string, string> => (isInternalTopic(topic) ? { ...OFFSETS_TOPIC_CONFIGS } : {});
      const registry = TopicRegistry.load(config.dataDir, config.workers, workers, config.properties['cluster.id'], log.child({ component: 'metadata' }), rebuiltConfigs);
      loadedRegistry = registry;
      // Before any partition opens, so partitions start with the dynamic values in effect.
      const dynamicConfig = DynamicBrokerConfig.load(config, (message) => log.warn(message));
      // Retention moves log start offsets on the workers; the partition façades (Fetch, metrics) follow.
      workers.onLogStartMoved(({ partitionId, topic, partition, logStartOffset }) => {
        const state = registry.partition(topic, partition);
        if (state?.id === partitionId) state.observeLogStart(logStartOffset);
      });
      const admin = new TopicAdmin(registry, workers, config, log.child({ component: 'admin' }));
      await admin.openAll();
      const nodeId = intProperty(config, 'node.id');
      const security = await startSecurity(config, log.child({ component: 'security' }));
      // The advertised address is patched in once the listener knows its port (port 0 = ephemeral).
      const context = {
        config,
        dynamicConfig,
        log,
        registry,
        workers,
        admin,
        nodeId,
        advertisedHost: advertisedHostFor(config.host),
        advertisedPort: config.port,
        metrics: NO_METRICS as MetricsRecorder,
        ...security,
        shuttingDown: false,
      };
      // Committed offsets live in `__consumer_offsets`, owned by partition actors like any topic (created on
      // the first commit); groups themselves live on this (main) thread in the coordinator.
      const offsetsPartitions = intProperty(config, 'offsets.topic.num.partitions');
      const groupLog = log.child({ component: 'groups' });
      const createOffsetsTopic = () => ensureOffsetsTopic(admin, registry, offsetsPartitions, groupLog);
      const groups = new GroupCoordinator({
        nodeId,
        offsetStore: new PartitionOffsetStore(offsetsTopicLog(registry, createOffsetsTopic, offsetsPartitions)),
        offsetsRetentionMs: intProperty(config, 'offsets.retention.minutes') * 60_000,
        emptyGroupSweepIntervalMs: intProperty(config, 'offsets.retention.check.interval.ms'),
        initialRebalanceDelayMs: intProperty(config, 'group.initial.rebalance.delay.ms'),
        partitionExists: (topic, partition) => registry.partition(topic, partition) !== undefined,
        logger: log.child({ component: 'groups' }),
      });
      await groups.start();
      // The listener is created below; the metrics only read its connection count at scrape time.
      let server: NetworkServer | null = null;
      const metrics =
        config.metricsPort === undefined
          ? null
          : new BrokerMetrics({
              registry,
              workers,
              groups,
              connectionCount: () => server?.connectionCount ?? 0,
              queuedBytes: () => ({ requests: server?.budgets.requests.usedBytes ?? 0, responses: server?.budgets.responses.usedBytes ?? 0 }),
            });
      if (metrics) context.metrics = metrics;
      const { handlers, advertised } = createHandlers(context, groups);
      const decodeFrame = createFrameDecoder(handlers, advertised, log.child({ component: 'requests' }), {
        largestBatchBytes: intProperty(config, 'message.max.bytes'),
        fetchMaxBytes: intProperty(config, 'fetch.max.bytes'),
        metrics: context.metrics,
        throttle: security.throttle,
        ...(testHooks.principalForTesting ? { principalForTesting: testHooks.principalForTesting } : {}),
      });
      server = new NetworkServer(
        decodeFrame,
        {
          maxFrameBytes: intProperty(config, 'socket.request.max.bytes'),
          maxQueuedRequests: MAX_QUEUED_REQUESTS_PER_CONNECTION,
          maxQueuedBytes: intProperty(config, 'max.queued.bytes.per.connection'),
          idleTimeoutMs: intProperty(config, 'connections.max.idle.ms'),
          partialRequestTimeoutMs: intProperty(config, 'partial.request.timeout.ms'),
          maxConnections: intProperty(config, 'max.connections'),
          maxConnectionsPerIp: intProperty(config, 'max.connections.per.ip'),
          queuedMaxRequestBytes: byteBoundProperty(config, 'queued.max.request.bytes'),
          queuedMaxResponseBytes: byteBoundProperty(config, 'queued.max.response.bytes'),
        },
        log.child({ component: 'network' }),
      );
      const { port } = await server.listen({ host: config.host, port: config.port });
      context.advertisedPort = port;
      const broker = new Broker(config, context, server, workers, groups, port, log, metrics, lock, extensions);
      try {
        await broker.#startMetricsServer();
      } catch (error) {
        await broker.close();
        throw error;
      }
      const metricsPort = broker.metricsPort;
      log.info(
        {
          host: config.host,
          port,
          dataDir: config.dataDir,
          workers: config.workers,
          topics: [...registry.topics].length,
          startupMs: Math.round(performance.now() - started),
          metrics: metricsPort === undefined ? null : `http://${config.host}:${metricsPort}/metrics`,
          ...Object.fromEntries(broker.#extensions.map((e) => [e.name, metricsPort === undefined ? null : `http://${config.host}:${metricsPort}${e.path}`])),
        },
        'broker started',
      );
      broker.#startRecoveryCheckpoints(admin, intProperty(config, 'log.flush.offset.checkpoint.interval.ms'));
      return broker;
    } catch (error) {
      await workers.close();
      loadedRegistry?.close();
      lock.release();
      throw error;
    }
  }

  /** Port of the metrics/health HTTP endpoint; undefined when it is off (or could not listen). */
  get metricsPort(): number | undefined {
    return this.#metricsServer?.port;
  }

  /** Why /ready answers 503, or null when the broker is ready. */
  notReadyReason(): string | null {
    if (this.#closing) return 'broker is shutting down';
    const offline = this.#workers.health.offline;
    if (offline) return `log dir ${this.config.dataDir} is offline: ${offline.reason}`;
    for (let w = 0; w < this.#workers.workerCount; w++) {
      if (!this.#workers.isAlive(w)) return `partition worker ${w} is dead`;
    }
    return null;
  }

  /**
   * Starts the metrics endpoint, after the Kafka listener. A port it cannot take fails the start: a broker
   * running without the /metrics and /ready it was configured with would be invisible to its monitoring.
   */
  async #startMetricsServer(): Promise<void> {
    const metrics = this.#metrics;
    if (!metrics || this.config.metricsPort === undefined) return;
    const server = new MetricsServer(
      { scrape: () => metrics.scrape(), contentType: metrics.contentType, notReadyReason: () => this.notReadyReason() },
      this.#log.child({ component: 'metrics' }),
    );
    for (const create of this.#extensionFactories) {
      const extension = create(this, metrics);
      if (extension === null) continue;
      this.#extensions.push(extension);
      server.mount(extension.routes);
    }
    await server.listen(this.config.host, this.config.metricsPort);
    this.#metricsServer = server;
    for (const extension of this.#extensions) extension.start();
  }

  /** The broker's logger (extensions log through children of it). */
  get logger(): Logger {
    return this.#log;
  }

  /** The consumer-group coordinator (admin code, CLI, metrics). */
  get groups(): GroupCoordinator {
    return this.#groups;
  }

  /** Lag of one group's committed offsets against the current log end offsets (for the CLI and metrics). */
  groupLag(groupId: string): PartitionLag[] {
    return this.#groups.groupLag(groupId, (topic, partition) => this.context.registry.partition(topic, partition)?.highWatermark);
  }

  /**
   * The recovery-point checkpoint is rewritten every `intervalMs` so a crash rescans only recent segments. Each
   * run is scheduled when the previous one has finished, so a slow disk never has two writing the same file; a
   * failure is counted and logged (rate-limited) as a storage error; an offline log dir is left alone, as Kafka
   * stops checkpointing a failed dir.
   */
  #startRecoveryCheckpoints(admin: TopicAdmin, intervalMs: number): void {
    if (intervalMs <= 0) return;
    const health = this.#workers.health;
    const schedule = (): void => {
      this.#checkpointTimer = setTimeout(() => {
        if (this.#closing || health.offline) return;
        this.#checkpointing = admin
          .checkpointRecoveryPoints()
          .catch((error: unknown) => health.storageError('checkpoint', this.config.dataDir, error))
          .finally(() => {
            this.#checkpointing = null;
            if (!this.#closing) schedule();
          });
      }, intervalMs);
      this.#checkpointTimer.unref();
    };
    schedule();
  }

  get bootstrap(): string {
    return `${this.context.advertisedHost}:${this.port}`;
  }

  /** Stops accepting, closes connections, then closes every partition log cleanly. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#checkpointTimer) clearTimeout(this.#checkpointTimer);
      // First: the extensions' client connections (the console's) must not race the listener's shutdown.
      await Promise.all(this.#extensions.map((e) => e.close()));
      // A checkpoint being written finishes before the logs close under it.
      await this.#checkpointing;
      // Parked long-poll fetches answer now, so draining the connections does not wait out their max wait.
      this.context.shuttingDown = true;
      for (const topic of this.context.registry.topics) for (const partition of topic.partitions) partition.wake();
      try {
        await this.#server.close();
        await this.#groups.close();
        await this.#workers.close();
        this.context.registry.close();
        // Only once every log is closed: a broker waiting for the lock may start as soon as it is free.
        this.#lock.release();
      } finally {
        // Last, so /ready answers 503 (shutting down) rather than refusing connections while logs close.
        await this.#metricsServer?.close();
        this.#metrics?.close();
      }
      this.#log.info('broker stopped');
    })();
    return this.#closing;
  }
}

function advertisedHostFor(host: string): string {
  if (host === '0.0.0.0' || host === '::') return hostname();
  return host;
}
