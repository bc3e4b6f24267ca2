// What the package entry (src/index.ts) exports: start a Spate broker inside a Node.js process (tests, tools, embedding).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBrokerConfig } from './config/broker-config.js';
import { Broker } from './broker/broker.js';
import { consoleExtension } from './console/extension.js';
import { createLogger } from './logger.js';
import type { LevelWithSilent } from 'pino';
import { createTopicsOver, type TopicSpec } from './topic-specs.js';

export type { TopicSpec } from './topic-specs.js';
import type { KafkaPrincipal } from './network/principal.js';

export interface StartBrokerOptions {
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Listen port; 0 (the default here) picks a free one. */
  port?: number;
  /** Data directory; by default a fresh temporary one, removed again by close(). */
  dataDir?: string;
  /** Partition worker threads; default 1, which keeps startup fast and is plenty for tests. */
  workers?: number;
  /** Kafka broker properties, e.g. `{ 'num.partitions': 3 }`. */
  config?: Record<string, string | number | boolean>;
  /** Optional config file in Java properties format. */
  configFile?: string;
  logLevel?: LevelWithSilent;
  /** HTTP port for /metrics, /health and /ready on `host`; default none (no endpoint), 0 picks a free one. */
  metricsPort?: number;
  /** Topics created (through the Kafka API) before startBroker resolves; ones that exist already are kept. */
  topics?: readonly TopicSpec[];
  /**
   * Test hook only: the principal an unauthenticated connection takes from the client id of its requests (null:
   * it stays User:ANONYMOUS), so authorization can be tested before SASL authenticates connections.
   */
  principalForTesting?: (clientId: string | null) => KafkaPrincipal | null;
}

export interface RunningBroker {
  /** `host:port`, ready for a client's bootstrap servers / brokers option. */
  readonly bootstrap: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Port of the metrics endpoint, undefined when there is none. */
  readonly metricsPort: number | undefined;
  /** Stops the broker (and removes its temporary data dir); calling it again does nothing more. */
  close(): Promise<void>;
  /** close(), for `await using broker = await startBroker()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'spate-'));
  const config = resolveBrokerConfig({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    dataDir,
    workers: options.workers ?? 1,
    metricsPort: options.metricsPort,
    properties: options.config ?? {},
    ...(options.configFile ? { configFile: options.configFile } : {}),
  });
  const broker = await Broker.start(config, createLogger(options.logLevel ?? 'warn'), {
    extensions: [consoleExtension],
    ...(options.principalForTesting ? { testHooks: { principalForTesting: options.principalForTesting } } : {}),
  });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await broker.close();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    })());
  if (options.topics !== undefined && options.topics.length > 0) {
    try {
      await createTopicsOver(broker.bootstrap, options.topics);
    } catch (error) {
      await close();
      throw error;
    }
  }
  return {
    bootstrap: broker.bootstrap,
    host: broker.host,
    port: broker.port,
    dataDir,
    metricsPort: broker.metricsPort,
    close,
    [Symbol.asyncDispose]: close,
  };
}

export { Broker } from './broker/broker.js';
export { resolveBrokerConfig, type BrokerConfig, type BrokerConfigInput } from './config/broker-config.js';
export { SpateError, type SpateErrorCode } from './errors.js';
