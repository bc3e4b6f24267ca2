// What the package entry (src/index.ts) exports: start a Spate broker inside a Node.js process (tests, tools, embedding).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBrokerConfig } from './config/broker-config.js';
import { Broker } from './broker/broker.js';
import { createLogger } from './logger.js';
import type { LevelWithSilent } from 'pino';
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
  close(): Promise<void>;
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
  const broker = await Broker.start(
    config,
    createLogger(options.logLevel ?? 'warn'),
    options.principalForTesting ? { principalForTesting: options.principalForTesting } : {},
  );
  return {
    bootstrap: broker.bootstrap,
    host: broker.host,
    port: broker.port,
    dataDir,
    metricsPort: broker.metricsPort,
    async close() {
      await broker.close();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { Broker } from './broker/broker.js';
export { resolveBrokerConfig, type BrokerConfig, type BrokerConfigInput } from './config/broker-config.js';
export { SpateError, type SpateErrorCode } from './errors.js';
