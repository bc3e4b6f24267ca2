// Broker configuration under Kafka's own property names, so an operator's server.properties keeps its meaning.
import { availableParallelism } from 'node:os';
import { configError, SpateError } from '../errors.js';
import { readConfigFile } from './config-file.js';
import { LONG_MAX, type ValueSpec, validateConfigValue } from './config-values.js';

export { parseProperties } from './config-file.js';

export interface PropertySpec extends ValueSpec {
  default: string;
  /** Kafka can change it at run time (AlterConfigs on a BROKER resource); the rest are read-only there. */
  dynamic?: true;
  /**
   * Kafka defines no default under this name (it falls back to other names, e.g. log.retention.hours), so
   * DescribeConfigs lists no DEFAULT_CONFIG synonym for it; Spate's default is the value that fallback gives.
   */
  kafkaDefaultVia?: ReadonlyArray<{ name: string; default: string }>;
  /** Shown as `documentation` by DescribeConfigs. */
  doc: string;
}

const DAY_MS = 24 * 3600 * 1000;

/** Every broker property Spate understands. Unknown keys are an error that names the key. */
export const BROKER_PROPERTIES = {
  'node.id': { kind: 'int', default: '1', min: 0, doc: 'The id of this broker.' },
  'broker.id': { kind: 'int', default: '-1', doc: 'Older name of node.id; when set it wins.' },
  'num.partitions': { kind: 'int', default: '1', min: 1, doc: 'Partitions of an auto-created topic, and of CreateTopics asking for -1.' },
  'default.replication.factor': { kind: 'int', default: '1', min: 1, doc: 'Replication factor when a request asks for -1.' },
  'auto.create.topics.enable': { kind: 'bool', default: 'true', doc: 'Create an unknown topic named in a Metadata request that allows it.' },
  'delete.topic.enable': { kind: 'bool', default: 'true', doc: 'When false, DeleteTopics is refused.' },
  'log.segment.bytes': { kind: 'int', default: String(1024 * 1024 * 1024), min: 14, dynamic: true, doc: 'Default segment.bytes: segment size before a new segment is rolled.' },
  'log.roll.ms': { kind: 'long', default: String(7 * DAY_MS), min: 1, dynamic: true, kafkaDefaultVia: [{ name: 'log.roll.hours', default: '168' }], doc: 'Default segment.ms: segment age before a roll.' },
  'log.roll.jitter.ms': { kind: 'long', default: '0', min: 0, dynamic: true, kafkaDefaultVia: [{ name: 'log.roll.jitter.hours', default: '0' }], doc: 'Default segment.jitter.ms. Stored; Spate does not jitter rolls.' },
  'log.retention.ms': { kind: 'long', default: String(7 * DAY_MS), min: -1, dynamic: true, kafkaDefaultVia: [{ name: 'log.retention.hours', default: '168' }], doc: 'Default retention.ms: whole segments older than this are deleted; -1 keeps them.' },
  'log.retention.bytes': { kind: 'long', default: '-1', dynamic: true, doc: 'Default retention.bytes: oldest segments are deleted while a partition is larger; negative keeps them.' },
  'log.cleanup.policy': { kind: 'list', default: 'delete', allowed: ['compact', 'delete'], dynamic: true, doc: 'Default cleanup.policy. With compact, records need keys; compaction itself is not implemented.' },
  'log.cleaner.delete.retention.ms': { kind: 'long', default: String(DAY_MS), min: 0, dynamic: true, doc: 'Default delete.retention.ms. Stored; no effect without compaction.' },
  'log.cleaner.min.compaction.lag.ms': { kind: 'long', default: '0', min: 0, dynamic: true, doc: 'Default min.compaction.lag.ms. Stored; no effect without compaction.' },
  'log.cleaner.max.compaction.lag.ms': { kind: 'long', default: LONG_MAX, min: 1, dynamic: true, doc: 'Default max.compaction.lag.ms. Stored; no effect without compaction.' },
  'log.cleaner.min.cleanable.ratio': { kind: 'double', default: '0.5', min: 0, max: 1, dynamic: true, doc: 'Default min.cleanable.dirty.ratio. Stored; no effect without compaction.' },
  'log.index.size.max.bytes': { kind: 'int', default: String(10 * 1024 * 1024), min: 4, dynamic: true, doc: 'Default segment.index.bytes. Stored; Spate keeps its offset index in memory.' },
  'log.index.interval.bytes': { kind: 'int', default: '4096', min: 0, dynamic: true, doc: 'Default index.interval.bytes: log bytes between two offset index entries.' },
  'log.segment.delete.delay.ms': { kind: 'long', default: '60000', min: 0, dynamic: true, doc: 'Default file.delete.delay.ms. Stored; Spate deletes segment files at once.' },
  'log.preallocate': { kind: 'bool', default: 'false', dynamic: true, doc: 'Default preallocate. Stored; Spate does not preallocate segment files.' },
  'log.flush.interval.messages': { kind: 'long', default: LONG_MAX, min: 1, dynamic: true, doc: 'Default flush.messages: fdatasync once this many records are unflushed.' },
  'log.flush.interval.ms': { kind: 'long', default: LONG_MAX, min: 0, dynamic: true, kafkaDefaultVia: [{ name: 'log.flush.scheduler.interval.ms', default: LONG_MAX }], doc: 'Default flush.ms: fdatasync data unflushed for this long.' },
  'log.retention.check.interval.ms': { kind: 'long', default: '300000', min: 1, doc: 'How often retention is applied.' },
  'log.flush.offset.checkpoint.interval.ms': { kind: 'int', default: '60000', min: 0, doc: 'How often the recovery-point checkpoint is written.' },
  'log.message.format.version': { kind: 'string', default: '3.0-IV1', check: 'message-format-version', doc: 'Default message.format.version. Stored; Spate always writes record batch v2.' },
  'log.message.timestamp.type': { kind: 'string', default: 'CreateTime', allowed: ['CreateTime', 'LogAppendTime'], dynamic: true, doc: 'Default message.timestamp.type: CreateTime keeps the producer timestamps, LogAppendTime stamps batches on append.' },
  'log.message.timestamp.difference.max.ms': { kind: 'long', default: LONG_MAX, min: 0, dynamic: true, doc: 'Default message.timestamp.difference.max.ms (deprecated). Stored; not enforced.' },
  'log.message.timestamp.before.max.ms': { kind: 'long', default: LONG_MAX, min: 0, dynamic: true, doc: 'Default message.timestamp.before.max.ms. Stored; not enforced.' },
  'log.message.timestamp.after.max.ms': { kind: 'long', default: LONG_MAX, min: 0, dynamic: true, doc: 'Default message.timestamp.after.max.ms. Stored; not enforced.' },
  'log.message.downconversion.enable': { kind: 'bool', default: 'true', dynamic: true, doc: 'Default message.downconversion.enable. Stored; Spate never down-converts.' },
  'log.local.retention.ms': { kind: 'long', default: '-2', min: -2, dynamic: true, doc: 'Default local.retention.ms. Stored; Spate has no tiered storage.' },
  'log.local.retention.bytes': { kind: 'long', default: '-2', min: -2, dynamic: true, doc: 'Default local.retention.bytes. Stored; Spate has no tiered storage.' },
  'unclean.leader.election.enable': { kind: 'bool', default: 'false', dynamic: true, doc: 'Default unclean.leader.election.enable. Stored; a single broker has no elections.' },
  'message.max.bytes': { kind: 'int', default: '1048588', min: 0, dynamic: true, doc: 'Default max.message.bytes: the largest record batch accepted.' },
  'min.insync.replicas': { kind: 'int', default: '1', min: 1, dynamic: true, doc: 'Default min.insync.replicas. Stored; a single broker is always in sync.' },
  'compression.type': { kind: 'string', default: 'producer', allowed: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'], dynamic: true, doc: 'Default compression.type. Stored; batches are kept as the producer compressed them.' },
  'socket.request.max.bytes': { kind: 'int', default: String(100 * 1024 * 1024), min: 1, doc: 'Largest request frame; a bigger size prefix closes the connection.' },
  'connections.max.idle.ms': { kind: 'long', default: String(10 * 60 * 1000), min: 1, doc: 'Idle connections are closed after this long.' },
  'fetch.max.bytes': { kind: 'int', default: String(55 * 1024 * 1024), min: 1024, doc: 'Largest response one Fetch may get: its max_bytes is capped to this.' },
  // Memory bounds of the network front-end (README, "Memory bounds"). Kafka leaves the first three unbounded.
  'max.connections': { kind: 'int', default: '3072', min: 1, doc: 'Connections the broker keeps open at most; more are refused.' },
  'max.connections.per.ip': { kind: 'int', default: String(2 ** 31 - 1), min: 1, doc: 'Connections one client address may keep open at most; more are refused.' },
  'queued.max.request.bytes': { kind: 'long', default: String(128 * 1024 * 1024), min: -1, doc: 'Bytes of requests read from sockets and not yet answered, over all connections; over it, sockets are not read. -1: no bound.' },
  // Spate only: the response side of queued.max.request.bytes, the per-connection bound, the partial-request timeout.
  'queued.max.response.bytes': { kind: 'long', default: String(128 * 1024 * 1024), min: -1, doc: 'Bytes of responses that may be queued or in the making over all connections; a request starts only when its bound fits. -1: no bound.' },
  'max.queued.bytes.per.connection': { kind: 'long', default: String(16 * 1024 * 1024), min: 1, doc: 'Bytes of requests and responses one connection may hold before no more of its requests start.' },
  'partial.request.timeout.ms': { kind: 'long', default: '30000', min: 1, doc: 'A connection whose request has not arrived whole this long after it began is closed.' },
  'cluster.id': { kind: 'string', default: '', doc: 'Cluster id for a new data dir (random when empty); an existing data dir keeps its own.' },
  'group.initial.rebalance.delay.ms': { kind: 'int', default: '3000', min: 0, doc: 'How long a new consumer group waits for more members before its first rebalance.' },
  'offsets.topic.num.partitions': { kind: 'int', default: '50', min: 1, doc: 'Partitions of __consumer_offsets (fixed once it exists).' },
  // KIP-578's name (proposed for Kafka, not implemented there); CreateTopics/CreatePartitions over it get POLICY_VIOLATION.
  'max.broker.partitions': { kind: 'int', default: '20000', min: 1, doc: 'Partitions this broker hosts at most; a create or grow past it gets POLICY_VIOLATION (__consumer_offsets is exempt).' },
  // Kafka hard-codes this bound (ReplicationControlManager.MAX_PARTITIONS_PER_BATCH); Spate lets it be set.
  'max.partitions.per.request': { kind: 'int', default: '10000', min: 1, doc: 'Partitions one CreateTopics or CreatePartitions request may ask for; over it the whole request gets POLICY_VIOLATION.' },
  'offsets.retention.minutes': { kind: 'int', default: String(7 * 24 * 60), min: 1, doc: 'Committed offsets of an empty group expire after this.' },
  'offsets.retention.check.interval.ms': { kind: 'long', default: '600000', min: 1, doc: 'How often expired committed offsets are removed.' },
  // Spate's own (Kafka has no web console): see the README's Console section.
  'console.enable': { kind: 'string', default: 'auto', allowed: ['auto', 'true', 'false'], doc: 'Serve the web console and its JSON API on the HTTP (metrics) port; auto = only when that port listens on a loopback address.' },
  'console.sample.interval.ms': { kind: 'int', default: '5000', min: 100, doc: 'How often the console samples throughput and consumer lag for its charts.' },
  // Authorization (src/security/authorizer.ts) and client quotas (src/security/quotas.ts).
  'authorizer.class.name': { kind: 'string', default: '', allowed: ['', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'], doc: 'Empty: no authorization. org.apache.kafka.metadata.authorizer.StandardAuthorizer: ACLs decide every request.' },
  'super.users': { kind: 'string', default: '', doc: 'Principals allowed everything whatever the ACLs, separated by ";" (e.g. User:admin;User:ops).' },
  'allow.everyone.if.no.acl.found': { kind: 'bool', default: 'false', doc: 'With the authorizer on: allow an action on a resource no ACL covers (otherwise it is denied).' },
  'quota.window.num': { kind: 'int', default: '11', min: 1, doc: 'Samples a client quota rate is measured over.' },
  'quota.window.size.seconds': { kind: 'int', default: '1', min: 1, doc: 'The time each client quota sample spans.' },
} as const satisfies Record<string, PropertySpec>;

export type BrokerPropertyName = keyof typeof BROKER_PROPERTIES;

export function isBrokerProperty(name: string): name is BrokerPropertyName {
  return Object.hasOwn(BROKER_PROPERTIES, name);
}

export function brokerPropertySpec(name: BrokerPropertyName): PropertySpec {
  return BROKER_PROPERTIES[name];
}

export interface BrokerConfig {
  host: string;
  port: number;
  dataDir: string;
  workers: number;
  /** Port of the HTTP metrics/health endpoint on `host`; undefined = no endpoint, 0 = any free port. */
  metricsPort: number | undefined;
  /**
   * Effective value of every property, keyed by its Kafka name: a dynamic value (per broker, then cluster
   * default; see dynamic-broker-config.ts) over the static one over the default.
   */
  properties: Record<BrokerPropertyName, string>;
  /** The properties set at startup (config file, environment, flags), as validated. */
  staticProperties: Partial<Record<BrokerPropertyName, string>>;
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
  if (!isBrokerProperty(key)) throw configError(`unknown config key "${key}"${where}`);
  try {
    return validateConfigValue(key, value, brokerPropertySpec(key));
  } catch (error) {
    if (error instanceof SpateError && where !== '') throw configError(`${error.message}${where}`);
    throw error;
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
  const staticProperties: Partial<Record<BrokerPropertyName, string>> = {};
  const apply = (key: string, value: string, from: string | undefined): void => {
    const valid = validateBrokerProperty(key, value, from);
    properties[key as BrokerPropertyName] = valid;
    staticProperties[key as BrokerPropertyName] = valid;
  };
  if (input.configFile) {
    for (const [k, v] of readConfigFile(input.configFile)) apply(k, v, `config file ${input.configFile}`);
  }
  for (const [k, v] of Object.entries(input.properties ?? {})) apply(k, String(v), undefined);
  if (properties['broker.id'] !== '-1') {
    properties['node.id'] = properties['broker.id'];
    staticProperties['node.id'] = properties['broker.id'];
  }
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
    staticProperties,
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
