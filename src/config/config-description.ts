// What DescribeConfigs reports for a topic or a broker, as Kafka's ConfigHelper builds it: each config's value,
// its source, and its synonyms most specific first (topic override, dynamic per-broker, dynamic cluster
// default, static broker config, default). Kafka lists a DEFAULT_CONFIG synonym only for names it gives a
// default, and cuts the list to start at the config's own broker name; both are kept here.
import { type BrokerConfig, type BrokerPropertyName, BROKER_PROPERTIES, brokerPropertySpec } from './broker-config.js';
import type { ConfigKind } from './config-values.js';
import type { DynamicValues } from './dynamic-broker-config.js';
import { TOPIC_PROPERTY_NAMES, topicPropertySpec, topicPropertyValue } from './topic-config.js';

/** Kafka's ConfigSource ids. */
export const ConfigSource = {
  TOPIC: 1,
  DYNAMIC_BROKER: 2,
  DYNAMIC_DEFAULT_BROKER: 3,
  STATIC_BROKER: 4,
  DEFAULT: 5,
} as const;

export type ConfigSourceId = (typeof ConfigSource)[keyof typeof ConfigSource];

/** Kafka's ConfigType ids, by Spate's value kinds. */
const CONFIG_TYPE: Readonly<Record<ConfigKind, number>> = { bool: 1, string: 2, int: 3, long: 5, double: 6, list: 7 };

export interface DescribedSynonym {
  name: string;
  value: string;
  source: ConfigSourceId;
}

export interface DescribedConfig {
  name: string;
  value: string;
  source: ConfigSourceId;
  readOnly: boolean;
  /** Every synonym, the config's own source first; DescribeConfigs sends them only when asked. */
  synonyms: DescribedSynonym[];
  configType: number;
  documentation: string;
}

/** The layers broker properties come from. */
export interface BrokerConfigLayers {
  perBroker: Readonly<DynamicValues>;
  clusterDefault: Readonly<DynamicValues>;
  config: BrokerConfig;
}

/** A broker property's synonyms across the layers, most specific first, as Kafka orders and cuts them. */
function brokerSynonyms(name: BrokerPropertyName, layers: BrokerConfigLayers): DescribedSynonym[] {
  const synonyms: DescribedSynonym[] = [];
  const add = (values: Readonly<DynamicValues>, source: ConfigSourceId): void => {
    const value = values[name];
    if (value !== undefined) synonyms.push({ name, value, source });
  };
  add(layers.perBroker, ConfigSource.DYNAMIC_BROKER);
  add(layers.clusterDefault, ConfigSource.DYNAMIC_DEFAULT_BROKER);
  add(layers.config.staticProperties, ConfigSource.STATIC_BROKER);
  const spec = brokerPropertySpec(name);
  if (spec.kafkaDefaultVia === undefined) synonyms.push({ name, value: spec.default, source: ConfigSource.DEFAULT });
  // Kafka's fallback names (log.retention.hours, ...) follow, but only after an entry under the name itself.
  else if (synonyms.length > 0) for (const via of spec.kafkaDefaultVia) synonyms.push({ name: via.name, value: via.default, source: ConfigSource.DEFAULT });
  return synonyms;
}

/** Every topic config of a topic with `overrides`, in Kafka's order. */
export function describeTopicConfigs(overrides: Readonly<Record<string, string>>, layers: BrokerConfigLayers): DescribedConfig[] {
  return TOPIC_PROPERTY_NAMES.map((name) => {
    const spec = topicPropertySpec(name);
    const synonyms: DescribedSynonym[] = [];
    const override = overrides[name];
    if (override !== undefined) synonyms.push({ name, value: override, source: ConfigSource.TOPIC });
    if (spec.brokerDefault) synonyms.push(...brokerSynonyms(spec.brokerDefault, layers));
    return {
      name,
      value: topicPropertyValue(overrides, layers.config, name),
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT,
      readOnly: false,
      synonyms,
      configType: CONFIG_TYPE[spec.kind],
      documentation: spec.doc,
    };
  });
}

/** Every property of this broker (resource name = node id). */
export function describeBrokerConfigs(layers: BrokerConfigLayers): DescribedConfig[] {
  return (Object.keys(BROKER_PROPERTIES) as BrokerPropertyName[]).map((name) => {
    const synonyms = brokerSynonyms(name, layers);
    return brokerEntry(name, layers.config.properties[name], synonyms);
  });
}

/** The cluster-wide dynamic defaults (resource name ""): only what is set at that level. */
export function describeClusterDefaultConfigs(layers: BrokerConfigLayers): DescribedConfig[] {
  return (Object.keys(layers.clusterDefault) as BrokerPropertyName[]).map((name) => {
    const value = layers.clusterDefault[name]!;
    return brokerEntry(name, value, [{ name, value, source: ConfigSource.DYNAMIC_DEFAULT_BROKER }]);
  });
}

function brokerEntry(name: BrokerPropertyName, value: string, synonyms: DescribedSynonym[]): DescribedConfig {
  const spec = brokerPropertySpec(name);
  return {
    name,
    value,
    source: synonyms[0]?.source ?? ConfigSource.DEFAULT,
    readOnly: spec.dynamic !== true,
    synonyms,
    configType: CONFIG_TYPE[spec.kind],
    documentation: spec.doc,
  };
}
