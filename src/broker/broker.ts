// A running broker: partition workers, topic registry, request handlers and the TCP front-end, wired together.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { type BrokerConfig, intProperty } from '../config/broker-config.js';
import { DynamicBrokerConfig } from '../config/dynamic-broker-config.js';
import { NetworkServer } from '../network/server.js';
import { PartitionWorkerPool } from '../partition/partition-workers.js';
import { prepareDataDir } from '../storage/data-dir.js';
import type { BrokerContext } from './context.js';
import { createHandlers } from './handlers/index.js';
import { createFrameProcessor } from './request-dispatcher.js';
import { TopicAdmin, wakeAppendWaiters } from './topic-admin.js';
import { TopicRegistry } from './topic-registry.js';
import { ensureOffsetsTopic, GroupCoordinator, offsetsTopicLog, PartitionOffsetStore, type PartitionLag } from '../group/index.js';
import { BrokerMetrics, MetricsServer, NO_METRICS, type MetricsRecorder } from '../metrics/index.js';
import { consoleBrokerView, consoleEnabled, SpateConsole } from '../console/index.js';

/** Bounds on what one connection may have outstanding before the broker stops reading from it. */
const MAX_QUEUED_REQUESTS_PER_CONNECTION = 1000;
const MAX_IN_FLIGHT_BYTES_PER_CONNECTION = 64 * 1024 * 1024;

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
  readonly #metrics: BrokerMetrics | null;
  #metricsServer: MetricsServer | null = null;
  #console: SpateConsole | null = null;

  private constructor(
    config: BrokerConfig,
    context: BrokerContext,
    server: NetworkServer,
    workers: PartitionWorkerPool,
    groups: GroupCoordinator,
    port: number,
    log: Logger,
    metrics: BrokerMetrics | null,
  ) {
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

  static async start(config: BrokerConfig, log: Logger): Promise<Broker> {
    const started = performance.now();
    prepareDataDir(config.dataDir);
    const registry = TopicRegistry.load(config.dataDir, config.workers, config.properties['cluster.id']);
    // Before any partition opens, so partitions start with the dynamic values in effect.
    const dynamicConfig = DynamicBrokerConfig.load(config, (message) => log.warn(message));
    const workers = await PartitionWorkerPool.start(config.workers, log.child({ component: 'partitions' }));
    try {
      const admin = new TopicAdmin(registry, workers, config, log.child({ component: 'admin' }));
      await admin.openAll();
      const nodeId = intProperty(config, 'node.id');
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
        shuttingDown: false,
      };
      // Committed offsets live in `__consumer_offsets`, owned by partition actors like any topic (created on
      // the first commit); groups themselves live on this (main) thread in the coordinator.
      const offsetsPartitions = intProperty(config, 'offsets.topic.num.partitions');
      const groupLog = log.child({ component: 'groups' });
      const createOffsetsTopic = () => ensureOffsetsTopic(admin, registry, offsetsPartitions, groupLog);
      const groups = new GroupCoordinator({
        nodeId,
        offsetStore: new PartitionOffsetStore(offsetsTopicLog(registry, workers, createOffsetsTopic, offsetsPartitions)),
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
          : new BrokerMetrics({ registry, workers, groups, connectionCount: () => server?.connectionCount ?? 0 });
      if (metrics) context.metrics = metrics;
      const { handlers, advertised } = createHandlers(context, groups);
      const processFrame = createFrameProcessor(handlers, advertised, log.child({ component: 'requests' }), context.metrics);
      server = new NetworkServer(
        processFrame,
        {
          maxFrameBytes: intProperty(config, 'socket.request.max.bytes'),
          maxQueuedRequests: MAX_QUEUED_REQUESTS_PER_CONNECTION,
          maxInFlightBytes: MAX_IN_FLIGHT_BYTES_PER_CONNECTION,
          idleTimeoutMs: intProperty(config, 'connections.max.idle.ms'),
        },
        log.child({ component: 'network' }),
      );
      const { port } = await server.listen({ host: config.host, port: config.port });
      context.advertisedPort = port;
      const broker = new Broker(config, context, server, workers, groups, port, log, metrics);
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
          console: metricsPort === undefined || broker.#console === null ? null : `http://${config.host}:${metricsPort}/console/`,
        },
        'broker started',
      );
      broker.#startRecoveryCheckpoints(admin, intProperty(config, 'log.flush.offset.checkpoint.interval.ms'));
      return broker;
    } catch (error) {
      await workers.close();
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
    if (consoleEnabled(this.config)) {
      this.#console = new SpateConsole(consoleBrokerView(this, metrics), this.#log.child({ component: 'console' }));
      server.mount(this.#console.routes);
    }
    await server.listen(this.config.host, this.config.metricsPort);
    this.#metricsServer = server;
    this.#console?.start();
  }

  /** The consumer-group coordinator (admin code, CLI, metrics). */
  get groups(): GroupCoordinator {
    return this.#groups;
  }

  /** Lag of one group's committed offsets against the current log end offsets (for the CLI and metrics). */
  groupLag(groupId: string): PartitionLag[] {
    return this.#groups.groupLag(groupId, (topic, partition) => this.context.registry.partition(topic, partition)?.highWatermark);
  }

  /** The recovery-point checkpoint is rewritten periodically so a crash rescans only recent segments. */
  #startRecoveryCheckpoints(admin: TopicAdmin, intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.#checkpointTimer = setInterval(() => {
      admin.checkpointRecoveryPoints().catch((error: unknown) => this.#log.warn({ err: error }, 'could not write the recovery-point checkpoint'));
    }, intervalMs);
    this.#checkpointTimer.unref();
  }

  get bootstrap(): string {
    return `${this.context.advertisedHost}:${this.port}`;
  }

  /** Stops accepting, closes connections, then closes every partition log cleanly. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#checkpointTimer) clearInterval(this.#checkpointTimer);
      // First: its client connections and samplers must not race the listener's shutdown.
      await this.#console?.close();
      // Parked long-poll fetches answer now, so draining the connections does not wait out their max wait.
      this.context.shuttingDown = true;
      for (const topic of this.context.registry.topics) for (const partition of topic.partitions) wakeAppendWaiters(partition);
      try {
        await this.#server.close();
        await this.#groups.close();
        await this.#workers.close();
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
