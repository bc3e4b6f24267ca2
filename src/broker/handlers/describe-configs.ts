// DescribeConfigs for topics (effective values with their source and synonyms) and for this broker.
import type {
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  DescribeConfigsResponseDescribeConfigsResourceResult,
} from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { BROKER_PROPERTIES, type BrokerPropertyName } from '../../config/broker-config.js';
import { type ConfigSource, TOPIC_PROPERTIES, effectiveTopicConfig } from '../../config/topic-config.js';
import type { BrokerContext } from '../context.js';

export const ResourceType = { Topic: 2, Broker: 4 } as const;

/** Kafka's ConfigSource numbers. */
export function configSourceCode(source: ConfigSource): number {
  switch (source) {
    case 'topic':
      return 1;
    case 'static-broker':
      return 4;
    case 'default':
      return 5;
  }
}

/** Kafka's ConfigType numbers, from our property kinds. */
function configTypeCode(kind: 'int' | 'long' | 'bool' | 'string', name: string): number {
  if (name === 'cleanup.policy' || name === 'log.cleanup.policy') return 7;
  return { bool: 1, string: 2, int: 3, long: 5 }[kind];
}

export function handleDescribeConfigs(ctx: BrokerContext, request: DescribeConfigsRequest): DescribeConfigsResponse {
  const results = request.resources.map((resource) => {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
    const wanted = resource.configurationKeys ? new Set(resource.configurationKeys) : null;
    if (resource.resourceType === ResourceType.Topic) {
      const topic = ctx.registry.get(resource.resourceName);
      if (!topic) {
        return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${resource.resourceName}' does not exist`, configs: [] };
      }
      const configs = effectiveTopicConfig(topic.configs, ctx.config)
        .filter((c) => !wanted || wanted.has(c.name))
        .map((c): DescribeConfigsResponseDescribeConfigsResourceResult => {
          const spec = TOPIC_PROPERTIES[c.name] as { kind: 'int' | 'long' | 'bool' | 'string'; brokerDefault?: BrokerPropertyName };
          const synonyms = [];
          if (request.includeSynonyms) {
            if (c.source === 'topic') synonyms.push({ name: c.name, value: c.value, source: 1 });
            if (spec.brokerDefault) {
              const brokerValue = ctx.config.properties[spec.brokerDefault];
              const isDefault = brokerValue === BROKER_PROPERTIES[spec.brokerDefault].default;
              synonyms.push({ name: spec.brokerDefault, value: brokerValue, source: isDefault ? 5 : 4 });
            }
          }
          return {
            name: c.name,
            value: c.value,
            readOnly: false,
            isDefault: c.source === 'default',
            configSource: configSourceCode(c.source),
            isSensitive: false,
            synonyms,
            configType: configTypeCode(spec.kind, c.name),
            documentation: null,
          };
        });
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
    }
    if (resource.resourceType === ResourceType.Broker) {
      if (resource.resourceName !== '' && resource.resourceName !== String(ctx.nodeId)) {
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `this is broker ${ctx.nodeId}, not ${resource.resourceName}`, configs: [] };
      }
      const configs = (Object.keys(BROKER_PROPERTIES) as BrokerPropertyName[])
        .filter((name) => !wanted || wanted.has(name))
        .map((name): DescribeConfigsResponseDescribeConfigsResourceResult => {
          const value = ctx.config.properties[name];
          const isDefault = value === BROKER_PROPERTIES[name].default;
          return {
            name,
            value,
            readOnly: true,
            isDefault,
            configSource: isDefault ? 5 : 4,
            isSensitive: false,
            synonyms: request.includeSynonyms ? [{ name, value, source: isDefault ? 5 : 4 }] : [],
            configType: configTypeCode(BROKER_PROPERTIES[name].kind, name),
            documentation: null,
          };
        });
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
    }
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${resource.resourceType} is not supported`, configs: [] };
  });
  return { throttleTimeMs: 0, results };
}
