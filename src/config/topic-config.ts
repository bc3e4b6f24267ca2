// Per-topic configuration: Kafka's topic property names, each falling back to a broker-wide default.
import { configError } from '../errors.js';
import { type BrokerConfig, type BrokerPropertyName, BROKER_PROPERTIES, validateValue } from './broker-config.js';

interface TopicPropertySpec {
  kind: 'int' | 'long' | 'bool' | 'string';
  /** Broker property that supplies the default when the topic does not override it. */
  brokerDefault?: BrokerPropertyName;
  default?: string;
  min?: number;
  allowed?: readonly string[];
}

export const TOPIC_PROPERTIES = {
  'cleanup.policy': { kind: 'string', brokerDefault: 'log.cleanup.policy', allowed: ['delete', 'compact', 'compact,delete', 'delete,compact'] },
  'compression.type': { kind: 'string', brokerDefault: 'compression.type', allowed: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'] },
  'retention.ms': { kind: 'long', brokerDefault: 'log.retention.ms', min: -1 },
  'retention.bytes': { kind: 'long', brokerDefault: 'log.retention.bytes', min: -1 },
  'segment.bytes': { kind: 'int', brokerDefault: 'log.segment.bytes', min: 14 },
  'segment.ms': { kind: 'long', brokerDefault: 'log.roll.ms', min: 1 },
  'max.message.bytes': { kind: 'int', brokerDefault: 'message.max.bytes', min: 0 },
  'message.timestamp.type': { kind: 'string', brokerDefault: 'log.message.timestamp.type', allowed: ['CreateTime', 'LogAppendTime'] },
  'min.insync.replicas': { kind: 'int', brokerDefault: 'min.insync.replicas', min: 1 },
  'flush.messages': { kind: 'long', brokerDefault: 'log.flush.interval.messages', min: 1 },
  'flush.ms': { kind: 'long', brokerDefault: 'log.flush.interval.ms', min: 0 },
  'index.interval.bytes': { kind: 'int', default: '4096', min: 0 },
  'message.timestamp.before.max.ms': { kind: 'long', default: String(Number.MAX_SAFE_INTEGER), min: 0 },
  'message.timestamp.after.max.ms': { kind: 'long', default: String(Number.MAX_SAFE_INTEGER), min: 0 },
  'delete.retention.ms': { kind: 'long', default: String(24 * 3600 * 1000), min: 0 },
  'min.compaction.lag.ms': { kind: 'long', default: '0', min: 0 },
  'unclean.leader.election.enable': { kind: 'bool', default: 'false' },
} as const satisfies Record<string, TopicPropertySpec>;

export type TopicPropertyName = keyof typeof TOPIC_PROPERTIES;

export function isTopicProperty(name: string): name is TopicPropertyName {
  return Object.hasOwn(TOPIC_PROPERTIES, name);
}

/** Validates one topic override; throws a coded config error naming the key. */
export function validateTopicProperty(name: string, value: string): string {
  if (!isTopicProperty(name)) throw configError(`unknown topic config "${name}"`);
  const spec: TopicPropertySpec = TOPIC_PROPERTIES[name];
  const normalised = validateValue(name, value, spec);
  if (spec.allowed && !spec.allowed.includes(normalised)) {
    throw configError(`topic config "${name}" must be one of ${spec.allowed.join(', ')}, got "${value}"`);
  }
  return normalised;
}

export type ConfigSource = 'topic' | 'static-broker' | 'default';

export interface EffectiveTopicProperty {
  name: TopicPropertyName;
  value: string;
  source: ConfigSource;
}

/** The value of every topic property for a topic with the given overrides, and where each came from. */
export function effectiveTopicConfig(overrides: Readonly<Record<string, string>>, broker: BrokerConfig): EffectiveTopicProperty[] {
  return (Object.keys(TOPIC_PROPERTIES) as TopicPropertyName[]).map((name) => {
    const override = overrides[name];
    if (override !== undefined) return { name, value: override, source: 'topic' };
    const spec: TopicPropertySpec = TOPIC_PROPERTIES[name];
    if (spec.brokerDefault) {
      const value = broker.properties[spec.brokerDefault];
      const isDefault = value === BROKER_PROPERTIES[spec.brokerDefault].default;
      return { name, value, source: isDefault ? 'default' : 'static-broker' };
    }
    return { name, value: spec.default ?? '', source: 'default' };
  });
}

export function topicPropertyValue(overrides: Readonly<Record<string, string>>, broker: BrokerConfig, name: TopicPropertyName): string {
  const override = overrides[name];
  if (override !== undefined) return override;
  const spec: TopicPropertySpec = TOPIC_PROPERTIES[name];
  return spec.brokerDefault ? broker.properties[spec.brokerDefault] : (spec.default ?? '');
}
