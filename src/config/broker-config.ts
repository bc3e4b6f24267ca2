// Broker configuration under Kafka's own property names, so an operator's server.properties keeps its meaning.
import { availableParallelism } from 'node:os';
import { configError, SpateError } from '../errors.js';
import { readConfigFile } from './config-file.js';

export { parseProperties } from './config-file.js';

type Kind = 'int' | 'long' | 'bool' | 'string';

interface PropertySpec {
  kind: Kind;
  default: string;
  min?: number;
}

/** Every broker property Spate understands. Unknown keys are an error that names the key. */
export const BROKER_PROPERTIES = {
  'node.id': { kind: 'int', default: '1', min: 0 },
  'broker.id': { kind: 'int', default: '-1' },
  'num.partitions': { kind: 'int', default: '1', min: 1 },
  'default.replication.factor': { kind: 'int', default: '1', min: 1 },
  'auto.create.topics.enable': { kind: 'bool', default: 'true' },
  'delete.topic.enable': { kind: 'bool', default: 'true' },
  'log.segment.bytes': { kind: 'int', default: String(1024 * 1024 * 1024), min: 14 },
  'log.roll.ms': { kind: 'long', default: String(7 * 24 * 3600 * 1000), min: 1 },
  'log.retention.ms': { kind: 'long', default: String(7 * 24 * 3600 * 1000), min: -1 },
  'log.retention.bytes': { kind: 'long', default: '-1', min: -1 },
  'log.cleanup.policy': { kind: 'string', default: 'delete' },
  'log.flush.interval.messages': { kind: 'long', default: String(Number.MAX_SAFE_INTEGER), min: 1 },
  'log.flush.interval.ms': { kind: 'long', default: String(Number.MAX_SAFE_INTEGER), min: 0 },
  'log.retention.check.interval.ms': { kind: 'long', default: '300000', min: 1 },
  'log.flush.offset.checkpoint.interval.ms': { kind: 'int', default: '60000', min: 0 },
  'log.message.timestamp.type': { kind: 'string', default: 'CreateTime' },
  'message.max.bytes': { kind: 'int', default: '1048588', min: 0 },
  'min.insync.replicas': { kind: 'int', default: '1', min: 1 },
  'compression.type': { kind: 'string', default: 'producer' },
  'socket.request.max.bytes': { kind: 'int', default: String(100 * 1024 * 1024), min: 1 },
  'fetch.max.bytes': { kind: 'int', default: String(55 * 1024 * 1024), min: 1024 },
  'connections.max.idle.ms': { kind: 'long', default: String(10 * 60 * 1000), min: 1 },
  // Memory bounds of the network front-end (README, "Memory bounds"). Kafka leaves the first three unbounded.
  'max.connections': { kind: 'int', default: '3072', min: 1 },
  'max.connections.per.ip': { kind: 'int', default: String(2 ** 31 - 1), min: 1 },
  'queued.max.request.bytes': { kind: 'long', default: String(128 * 1024 * 1024), min: -1 },
  // Spate only: the response side of queued.max.request.bytes, the per-connection bound, the partial-request timeout.
  'queued.max.response.bytes': { kind: 'long', default: String(128 * 1024 * 1024), min: -1 },
  'max.queued.bytes.per.connection': { kind: 'long', default: String(16 * 1024 * 1024), min: 1 },
  'partial.request.timeout.ms': { kind: 'long', default: '30000', min: 1 },
  'cluster.id': { kind: 'string', default: '' },
  'group.initial.rebalance.delay.ms': { kind: 'int', default: '3000', min: 0 },
  'offsets.topic.num.partitions': { kind: 'int', default: '50', min: 1 },
  'offsets.retention.minutes': { kind: 'int', default: String(7 * 24 * 60), min: 1 },
  'offsets.retention.check.interval.ms': { kind: 'long', default: '600000', min: 1 },
} as const satisfies Record<string, PropertySpec>;

export type BrokerPropertyName = keyof typeof BROKER_PROPERTIES;

export interface BrokerConfig {
  host: string;
  port: number;
  dataDir: string;
  workers: number;
  /** Port of the HTTP metrics/health endpoint on `host`; undefined = no endpoint, 0 = any free port. */
  metricsPort: number | undefined;
  /** Effective value of every property, keyed by its Kafka name. */
  properties: Record<BrokerPropertyName, string>;
}

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * Checks one broker property; the error names the key and, given `from` (e.g. "config file x.yaml",
 * "environment variable SPATE_NUM_PARTITIONS"), where the value came from.
 */
export function validateBrokerProperty(key: string, value: string, from?: string): string {
  const where = from === undefined ? '' : ` (from ${from})`;
  if (!Object.hasOwn(BROKER_PROPERTIES, key)) throw configError(`unknown config key "${key}"${where}`);
  const spec: PropertySpec = BROKER_PROPERTIES[key as BrokerPropertyName];
  try {
    return validateValue(key, value, spec);
  } catch (error) {
    if (error instanceof SpateError && where !== '') throw configError(`${error.message}${where}`);
    throw error;
  }
}

export function validateValue(key: string, value: string, spec: Pick<PropertySpec, "kind" | "min">): string {
  switch (spec.kind) {
    case 'bool':
      if (value !== 'true' && value !== 'false') throw configError(`config "${key}" must be true or false, got "${value}"`);
      return value;
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(value.trim())) throw configError(`config "${key}" must be an integer, got "${value}"`);
      const n = Number(value);
      if (!Number.isSafeInteger(n) || (spec.kind === 'int' && (n > 2 ** 31 - 1 || n < -(2 ** 31)))) {
        throw configError(`config "${key}" is out of range: "${value}"`);
      }
      if (spec.min !== undefined && n < spec.min) throw configError(`config "${key}" must be at least ${spec.min}, got ${n}`);
      return String(n);
    }
    case 'string':
      return value;
  }
}

export interface BrokerConfigInput {
  host?: string;
  port?: number;
  dataDir?: string;
  workers?: number;
  /** HTTP metrics/health port; omitted = no metrics endpoint, 0 = any free port. */
  metricsPort?: number | undefined;
  configFile?: string;
  /** Overrides under Kafka property names; applied after the config file. */
  properties?: Record<string, string | number | boolean>;
}

export function resolveBrokerConfig(input: BrokerConfigInput): BrokerConfig {
  const properties = Object.fromEntries(
    Object.entries(BROKER_PROPERTIES).map(([k, spec]) => [k, spec.default]),
  ) as Record<BrokerPropertyName, string>;
  const apply = (key: string, value: string, from: string | undefined): void => {
    properties[key as BrokerPropertyName] = validateBrokerProperty(key, value, from);
  };
  if (input.configFile) {
    for (const [k, v] of readConfigFile(input.configFile)) apply(k, v, `config file ${input.configFile}`);
  }
  for (const [k, v] of Object.entries(input.properties ?? {})) apply(k, String(v), undefined);
  if (properties['broker.id'] !== '-1') properties['node.id'] = properties['broker.id'];
  // As Kafka: a request budget smaller than the largest request could never let that request in.
  const queuedMaxRequestBytes = Number(properties['queued.max.request.bytes']);
  if (queuedMaxRequestBytes > 0 && queuedMaxRequestBytes < Number(properties['socket.request.max.bytes'])) {
    throw configError(`config "queued.max.request.bytes" must be at least socket.request.max.bytes (${properties['socket.request.max.bytes']}), or -1 for no bound; got ${queuedMaxRequestBytes}`);
  }
  const workers = input.workers ?? defaultWorkerCount();
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw configError(`workers must be 1..256, got ${workers}`);
  const port = input.port ?? 9092;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw configError(`port must be 0..65535, got ${port}`);
  const metricsPort = input.metricsPort;
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)) {
    throw configError(`metrics port must be 0..65535, got ${metricsPort}`);
  }
  return {
    host: input.host ?? '127.0.0.1',
    port,
    dataDir: input.dataDir ?? './data',
    workers,
    metricsPort,
    properties,
  };
}

export function intProperty(config: BrokerConfig, key: BrokerPropertyName): number {
  return Number(config.properties[key]);
}

/** A byte bound where Kafka's convention of 0 or -1 means none. */
export function byteBoundProperty(config: BrokerConfig, key: BrokerPropertyName): number {
  const value = Number(config.properties[key]);
  return value > 0 ? value : Number.POSITIVE_INFINITY;
}

export function boolProperty(config: BrokerConfig, key: BrokerPropertyName): boolean {
  return config.properties[key] === 'true';
}
