// DescribeConfigs for topics (every topic config with its value, source and synonyms) and for this broker
// (its node id: every property; "": the cluster-wide dynamic defaults), as Kafka's ConfigHelper answers.
// With an authorizer a topic needs DESCRIBE_CONFIGS on it (else TOPIC_AUTHORIZATION_FAILED), the broker
// DESCRIBE_CONFIGS on the cluster (else CLUSTER_AUTHORIZATION_FAILED).
import type {
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  DescribeConfigsResponseDescribeConfigsResourceResult,
  DescribeConfigsResponseDescribeConfigsResult,
} from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import {
  type BrokerConfigLayers,
  type DescribedConfig,
  ConfigSource,
  describeBrokerConfigs,
  describeClusterDefaultConfigs,
  describeTopicConfigs,
} from '../../config/config-description.js';
import type { BrokerContext } from '../context.js';
import { topicNameProblem } from '../topic-registry.js';
import { AclOperation, ResourceType as AclResourceType } from '../../security/acl-model.js';
import { allows, allowsCluster } from '../authorization.js';
import type { RequestInfo } from '../request-dispatcher.js';

export const ResourceType = { Topic: 2, Broker: 4 } as const;

export function brokerConfigLayers(ctx: BrokerContext): BrokerConfigLayers {
  return { perBroker: ctx.dynamicConfig.values('per-broker'), clusterDefault: ctx.dynamicConfig.values('cluster-default'), config: ctx.config };
}

/**
 * Which broker level a BROKER resource names: "" is the cluster-wide default, this broker's node id is this
 * broker; anything else is Kafka's INVALID_REQUEST, with its reason.
 */
export function brokerResourceLevel(ctx: BrokerContext, resourceName: string): 'per-broker' | 'cluster-default' | { problem: string } {
  if (resourceName === '') return 'cluster-default';
  if (!/^-?\d+$/.test(resourceName)) return { problem: `broker id must be an integer, got "${resourceName}"` };
  if (Number(resourceName) !== ctx.nodeId) return { problem: `this is broker ${ctx.nodeId} (or "" for the cluster default), not ${resourceName}` };
  return 'per-broker';
}

export function handleDescribeConfigs(ctx: BrokerContext, request: DescribeConfigsRequest, info: RequestInfo): DescribeConfigsResponse {
  const results = request.resources.map((resource): DescribeConfigsResponseDescribeConfigsResult => {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
    const fail = (errorCode: number, errorMessage: string) => ({ ...base, errorCode, errorMessage, configs: [] });
    // Kafka treats an empty key list like null: every config.
    const keys = resource.configurationKeys;
    const wanted = keys && keys.length > 0 ? new Set(keys) : null;
    const answer = (described: DescribedConfig[]) => ({
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      configs: described.filter((c) => !wanted || wanted.has(c.name)).map((c) => toWire(c, request)),
    });
    if (resource.resourceType === ResourceType.Topic && !allows(ctx.authorizer, info, AclOperation.DESCRIBE_CONFIGS, AclResourceType.TOPIC, resource.resourceName)) {
      return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Topic authorization failed.');
    }
    if (resource.resourceType === ResourceType.Broker && !allowsCluster(ctx.authorizer, info, AclOperation.DESCRIBE_CONFIGS)) {
      return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    }
    if (resource.resourceType === ResourceType.Topic) {
      const nameProblem = topicNameProblem(resource.resourceName);
      if (nameProblem) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
      const topic = ctx.registry.get(resource.resourceName);
      if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${resource.resourceName}' does not exist`);
      return answer(describeTopicConfigs(topic.configs, brokerConfigLayers(ctx)));
    }
    if (resource.resourceType === ResourceType.Broker) {
      const level = brokerResourceLevel(ctx, resource.resourceName);
      if (typeof level === 'object') return fail(ErrorCode.INVALID_REQUEST, level.problem);
      const layers = brokerConfigLayers(ctx);
      return answer(level === 'per-broker' ? describeBrokerConfigs(layers) : describeClusterDefaultConfigs(layers));
    }
    return fail(ErrorCode.INVALID_REQUEST, `resource type ${resource.resourceType} is not supported`);
  });
  return { throttleTimeMs: 0, results };
}

function toWire(c: DescribedConfig, request: DescribeConfigsRequest): DescribeConfigsResponseDescribeConfigsResourceResult {
  return {
    name: c.name,
    value: c.value,
    readOnly: c.readOnly,
    isDefault: c.source === ConfigSource.DEFAULT,
    configSource: c.source,
    isSensitive: false,
    synonyms: request.includeSynonyms ? c.synonyms : [],
    configType: c.configType,
    documentation: request.includeDocumentation ? c.documentation : null,
  };
}
