// Per-topic configuration: the 31 topic configs of Kafka 3.7 under their own names, each falling back to a
// broker property (Kafka's server synonym) or to Kafka's default. Values are validated as Kafka's LogConfig
// does and kept as strings, so Long.MAX_VALUE defaults read 9223372036854775807 exactly.
import { configError } from '../errors.js';
import { type BrokerConfig, type BrokerPropertyName } from './broker-config.js';
import { LONG_MAX, type ValueSpec, validateConfigValue } from './config-values.js';

export interface TopicPropertySpec extends ValueSpec {
  /** Kafka's LogConfig default: the value without a topic override or broker property, and where APPEND starts. */
  default: string;
  /** The broker property whose value is the topic default (Kafka's first server synonym). */
  brokerDefault?: BrokerPropertyName;
  /** Shown as `documentation` by DescribeConfigs. */
  doc: string;
}

/**
 * In the order Kafka 3.7 lists them in DescribeConfigs (the iteration order of the hash map it builds them
 * in), so clients that show the list as it arrives see Kafka's order.
 */
export const TOPIC_PROPERTIES = {
  'compression.type': { kind: 'string', default: 'producer', allowed: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'], brokerDefault: 'compression.type', doc: 'Codec to store batches with, or producer to keep what the producer sent. Stored; Spate always keeps the producer\'s compression.' },
  'leader.replication.throttled.replicas': { kind: 'list', default: '', check: 'throttled-replicas', doc: 'Replicas (partitionId:brokerId, or *) whose replication is throttled on the leader. Stored; a single broker does not replicate.' },
  'remote.storage.enable': { kind: 'bool', default: 'false', doc: 'Move old segments to tiered storage. Spate has none, so only false is accepted (as Kafka with tiered storage off).' },
  'message.downconversion.enable': { kind: 'bool', default: 'true', brokerDefault: 'log.message.downconversion.enable', doc: 'Whether fetches by old clients may be down-converted. Stored; Spate never down-converts.' },
  'min.insync.replicas': { kind: 'int', default: '1', min: 1, brokerDefault: 'min.insync.replicas', doc: 'Replicas that must acknowledge an acks=all write. Stored; a single broker is always in sync.' },
  'segment.jitter.ms': { kind: 'long', default: '0', min: 0, brokerDefault: 'log.roll.jitter.ms', doc: 'Random time taken off segment.ms per segment. Stored; Spate does not jitter rolls.' },
  'local.retention.ms': { kind: 'long', default: '-2', min: -2, brokerDefault: 'log.local.retention.ms', doc: 'Local retention time with tiered storage (-2: retention.ms). Stored; Spate has no tiered storage.' },
  'cleanup.policy': { kind: 'list', default: 'delete', allowed: ['compact', 'delete'], brokerDefault: 'log.cleanup.policy', doc: 'delete removes old segments by retention; compact requires every record to have a key. Compaction itself is not implemented.' },
  'flush.ms': { kind: 'long', default: LONG_MAX, min: 0, brokerDefault: 'log.flush.interval.ms', doc: 'fdatasync data that has been unflushed for this long.' },
  'follower.replication.throttled.replicas': { kind: 'list', default: '', check: 'throttled-replicas', doc: 'Replicas (partitionId:brokerId, or *) whose replication is throttled on the follower. Stored; a single broker does not replicate.' },
  'segment.bytes': { kind: 'int', default: String(1024 * 1024 * 1024), min: 14, brokerDefault: 'log.segment.bytes', doc: 'Segment size before a new segment is rolled.' },
  'retention.ms': { kind: 'long', default: String(7 * 24 * 3600 * 1000), min: -1, brokerDefault: 'log.retention.ms', doc: 'Whole segments older than this are deleted; -1 keeps them.' },
  'flush.messages': { kind: 'long', default: LONG_MAX, min: 1, brokerDefault: 'log.flush.interval.messages', doc: 'fdatasync once this many records are unflushed.' },
  'message.format.version': { kind: 'string', default: '3.0-IV1', check: 'message-format-version', brokerDefault: 'log.message.format.version', doc: 'Record format for old clients (deprecated). Stored; Spate always writes record batch v2.' },
  'max.compaction.lag.ms': { kind: 'long', default: LONG_MAX, min: 1, brokerDefault: 'log.cleaner.max.compaction.lag.ms', doc: 'Longest a record may stay uncompacted. Stored; compaction is not implemented.' },
  'file.delete.delay.ms': { kind: 'long', default: '60000', min: 0, brokerDefault: 'log.segment.delete.delay.ms', doc: 'Delay before a deleted segment\'s files are removed. Stored; Spate removes them at once.' },
  'max.message.bytes': { kind: 'int', default: '1048588', min: 0, brokerDefault: 'message.max.bytes', doc: 'Largest record batch accepted.' },
  'min.compaction.lag.ms': { kind: 'long', default: '0', min: 0, brokerDefault: 'log.cleaner.min.compaction.lag.ms', doc: 'Shortest time a record stays uncompacted. Stored; compaction is not implemented.' },
  'message.timestamp.type': { kind: 'string', default: 'CreateTime', allowed: ['CreateTime', 'LogAppendTime'], brokerDefault: 'log.message.timestamp.type', doc: 'CreateTime keeps the producer timestamps; LogAppendTime stamps each batch with the broker time on append.' },
  'local.retention.bytes': { kind: 'long', default: '-2', min: -2, brokerDefault: 'log.local.retention.bytes', doc: 'Local retention size with tiered storage (-2: retention.bytes). Stored; Spate has no tiered storage.' },
  'preallocate': { kind: 'bool', default: 'false', brokerDefault: 'log.preallocate', doc: 'Preallocate segment files. Stored; Spate does not preallocate.' },
  'min.cleanable.dirty.ratio': { kind: 'double', default: '0.5', min: 0, max: 1, brokerDefault: 'log.cleaner.min.cleanable.ratio', doc: 'Share of uncompacted log that triggers compaction. Stored; compaction is not implemented.' },
  'index.interval.bytes': { kind: 'int', default: '4096', min: 0, brokerDefault: 'log.index.interval.bytes', doc: 'Log bytes between two offset index entries.' },
  'unclean.leader.election.enable': { kind: 'bool', default: 'false', brokerDefault: 'unclean.leader.election.enable', doc: 'Allow an out-of-sync replica to become leader. Stored; a single broker has no elections.' },
  'retention.bytes': { kind: 'long', default: '-1', brokerDefault: 'log.retention.bytes', doc: 'Oldest segments are deleted while the partition is larger than this; negative keeps them.' },
  'delete.retention.ms': { kind: 'long', default: String(24 * 3600 * 1000), min: 0, brokerDefault: 'log.cleaner.delete.retention.ms', doc: 'How long tombstones are kept after compaction. Stored; compaction is not implemented.' },
  'message.timestamp.after.max.ms': { kind: 'long', default: LONG_MAX, min: 0, brokerDefault: 'log.message.timestamp.after.max.ms', doc: 'How far in the future a CreateTime timestamp may be. Stored; not enforced.' },
  'message.timestamp.before.max.ms': { kind: 'long', default: LONG_MAX, min: 0, brokerDefault: 'log.message.timestamp.before.max.ms', doc: 'How far in the past a CreateTime timestamp may be. Stored; not enforced.' },
  'segment.ms': { kind: 'long', default: String(7 * 24 * 3600 * 1000), min: 1, brokerDefault: 'log.roll.ms', doc: 'Segment age before a roll.' },
  'message.timestamp.difference.max.ms': { kind: 'long', default: LONG_MAX, min: 0, brokerDefault: 'log.message.timestamp.difference.max.ms', doc: 'Deprecated limit on timestamp distance from broker time. Stored; not enforced.' },
  'segment.index.bytes': { kind: 'int', default: String(10 * 1024 * 1024), min: 4, brokerDefault: 'log.index.size.max.bytes', doc: 'Size of a segment\'s offset index file. Stored; Spate keeps the index in memory.' },
} as const satisfies Record<string, TopicPropertySpec>;

export type TopicPropertyName = keyof typeof TOPIC_PROPERTIES;

export const TOPIC_PROPERTY_NAMES = Object.keys(TOPIC_PROPERTIES) as TopicPropertyName[];

export function isTopicProperty(name: string): name is TopicPropertyName {
  return Object.hasOwn(TOPIC_PROPERTIES, name);
}

export function topicPropertySpec(name: TopicPropertyName): TopicPropertySpec {
  return TOPIC_PROPERTIES[name];
}

/** Validates one topic override; throws a coded config error naming the key. */
export function validateTopicProperty(name: string, value: string): string {
  if (!isTopicProperty(name)) throw configError(`unknown topic config "${name}"`);
  return validateConfigValue(name, value, topicPropertySpec(name));
}

/**
 * Validates a topic's whole set of overrides, each value and then the checks across them that Kafka's
 * LogConfig makes against the values in effect; returns the normalised overrides.
 */
export function validateTopicOverrides(overrides: Readonly<Record<string, string>>, broker: BrokerConfig): Record<string, string> {
  const normalised: Record<string, string> = {};
  for (const [name, value] of Object.entries(overrides)) normalised[name] = validateTopicProperty(name, value);
  const effective = (name: TopicPropertyName): string => topicPropertyValue(normalised, broker, name);
  const minLag = BigInt(effective('min.compaction.lag.ms'));
  const maxLag = BigInt(effective('max.compaction.lag.ms'));
  if (minLag > maxLag) {
    throw configError(`min.compaction.lag.ms (${minLag}) must not be larger than max.compaction.lag.ms (${maxLag})`);
  }
  if (effective('remote.storage.enable') === 'true') {
    throw configError('remote.storage.enable=true needs tiered storage, which this broker does not have');
  }
  return normalised;
}

/** The value in effect for one topic config: the override, else the broker property, else Kafka's default. */
export function topicPropertyValue(overrides: Readonly<Record<string, string>>, broker: BrokerConfig, name: TopicPropertyName): string {
  const override = overrides[name];
  if (override !== undefined) return override;
  const spec = topicPropertySpec(name);
  return spec.brokerDefault ? broker.properties[spec.brokerDefault] : spec.default;
}

/**
 * Whether a validated cleanup.policy value asks for compaction (Kafka: the list contains "compact"). A plain
 * substring test: the only other element a valid list may hold is "delete".
 */
export function isCompactPolicy(policy: string): boolean {
  return policy.includes('compact');
}
