// CreateTopics, DeleteTopics and CreatePartitions: thin request/response mapping over TopicAdmin.
// With an authorizer, as Kafka's ControllerApis: creating needs CREATE on the cluster or on each topic (and its
// configs are only returned with DESCRIBE_CONFIGS on it), deleting needs DELETE on the cluster or DESCRIBE and
// DELETE on each topic, adding partitions needs ALTER on the topic; each failure is TOPIC_AUTHORIZATION_FAILED.
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  CreateTopicsResponseCreatableTopicResult,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
} from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import { describeTopicConfigs } from '../../config/config-description.js';
import { boolProperty, intProperty } from '../../config/broker-config.js';
import type { BrokerContext } from '../context.js';
import type { RequestInfo } from '../request-dispatcher.js';
import { brokerConfigLayers } from './describe-configs.js';
import { isInternalTopic } from '../../group/internal-topics.js';
import { AclOperation, ResourceType } from '../../security/acl-model.js';
import { allows, allowsCluster } from '../authorization.js';

/**
 * Kafka's bound on one request (ReplicationControlManager.validateTotalNumberOfPartitions): every partition it
 * asks for, counted before any validation, over the cap fails the whole request with POLICY_VIOLATION.
 */
function requestCapProblem(ctx: BrokerContext, requested: number): string | null {
  const cap = intProperty(ctx.config, 'max.partitions.per.request');
  return requested > cap ? `excessively large number of partitions per request: ${requested}, above max.partitions.per.request=${cap}` : null;
}

export async function handleCreateTopics(ctx: BrokerContext, request: CreateTopicsRequest, info: RequestInfo): Promise<CreateTopicsResponse> {
  let requested = 0;
  for (const t of request.topics) {
    if (t.assignments.length > 0) requested += t.assignments.length;
    else if (t.numPartitions === -1) requested += intProperty(ctx.config, 'num.partitions');
    else if (t.numPartitions > 0) requested += t.numPartitions;
  }
  const tooLarge = requestCapProblem(ctx, requested);
  if (tooLarge) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        topicId: ZERO_UUID,
        errorCode: ErrorCode.POLICY_VIOLATION,
        errorMessage: tooLarge,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      })),
    };
  }
  const counts = new Map<string, number>();
  for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const topics: CreateTopicsResponseCreatableTopicResult[] = [];
  const authorizer = ctx.authorizer;
  const mayCreateAll = authorizer === null || allowsCluster(authorizer, info, AclOperation.CREATE);
  for (const requested of request.topics) {
    const result: CreateTopicsResponseCreatableTopicResult = {
      name: requested.name,
      topicId: ZERO_UUID,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: -1,
      replicationFactor: -1,
      configs: null,
    };
    topics.push(result);
    if ((counts.get(requested.name) ?? 0) > 1) {
      result.errorCode = ErrorCode.INVALID_REQUEST;
      result.errorMessage = `topic '${requested.name}' appears more than once in the request`;
      continue;
    }
    if (!mayCreateAll && !allows(authorizer, info, AclOperation.CREATE, ResourceType.TOPIC, requested.name)) {
      result.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      result.errorMessage = 'Authorization failed.';
      continue;
    }
    const input = {
      name: requested.name,
      partitions: requested.numPartitions,
      replicationFactor: requested.replicationFactor,
      configs: Object.fromEntries(requested.configs.map((c) => [c.name, c.value])),
      assignments: requested.assignments.map((a) => a.brokerIds),
    };
    if (isInternalTopic(requested.name)) {
      // Only the broker creates its internal topics, with their own partition count and configs.
      result.errorCode = ErrorCode.INVALID_REQUEST;
      result.errorMessage = `'${requested.name}' is an internal topic; the broker creates it`;
      continue;
    }
    const checked = ctx.admin.validateCreate(input);
    if (checked.errorCode !== ErrorCode.NONE) {
      result.errorCode = checked.errorCode;
      result.errorMessage = checked.errorMessage;
      continue;
    }
    let configs = checked.configs;
    if (!request.validateOnly) {
      const created = await ctx.admin.createTopic(input);
      result.errorCode = created.errorCode;
      result.errorMessage = created.errorMessage;
      if (!created.topic) continue;
      result.topicId = created.topic.id;
      configs = created.topic.configs;
    }
    result.numPartitions = checked.partitions;
    result.replicationFactor = checked.replicationFactor;
    // As Kafka: a creator that may not describe the topic's configs gets none, and is told why (v5+).
    if (!allows(authorizer, info, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, requested.name)) {
      result.topicConfigErrorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      continue;
    }
    result.configs = describeTopicConfigs(configs, brokerConfigLayers(ctx)).map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: false,
      configSource: c.source,
      isSensitive: false,
    }));
  }
  return { throttleTimeMs: 0, topics };
}

export async function handleDeleteTopics(ctx: BrokerContext, request: DeleteTopicsRequest, info: RequestInfo): Promise<DeleteTopicsResponse> {
  // v6 names topics by name or id; earlier versions by name only.
  const targets =
    info.apiVersion >= 6
      ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
      : request.topicNames.map((name) => ({ name: name as string | null, topicId: ZERO_UUID }));
  const responses: DeleteTopicsResponse['responses'] = [];
  const authorizer = ctx.authorizer;
  const mayDeleteAll = authorizer === null || allowsCluster(authorizer, info, AclOperation.DELETE);
  const describable = (name: string): boolean => mayDeleteAll || allows(authorizer, info, AclOperation.DESCRIBE, ResourceType.TOPIC, name);
  const deletable = (name: string): boolean => mayDeleteAll || allows(authorizer, info, AclOperation.DELETE, ResourceType.TOPIC, name);
  for (const target of targets) {
    // Named topics are checked before their existence, so a denied client learns nothing of which exist.
    if (target.name !== null && (!describable(target.name) || !deletable(target.name))) {
      responses.push({ name: target.name, topicId: ZERO_UUID, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null });
      continue;
    }
    const topic = target.name !== null ? ctx.registry.get(target.name) : ctx.registry.getById(target.topicId);
    if (topic && target.name === null && !deletable(topic.name)) {
      // By id: the name is only told to a client that may describe the topic.
      responses.push({ name: describable(topic.name) ? topic.name : null, topicId: target.topicId, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null });
      continue;
    }
    if (!topic) {
      const byId = target.name === null;
      responses.push({
        name: target.name,
        topicId: target.topicId,
        errorCode: byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: `topic ${target.name ?? target.topicId} does not exist`,
      });
      continue;
    }
    if (!boolProperty(ctx.config, 'delete.topic.enable')) {
      responses.push({ name: topic.name, topicId: topic.id, errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'topic deletion is disabled (delete.topic.enable=false)' });
      continue;
    }
    const result = await ctx.admin.deleteTopic(topic.name);
    responses.push({ name: topic.name, topicId: topic.id, errorCode: result.errorCode, errorMessage: result.errorMessage });
  }
  return { throttleTimeMs: 0, responses };
}

export async function handleCreatePartitions(ctx: BrokerContext, request: CreatePartitionsRequest, info: RequestInfo): Promise<CreatePartitionsResponse> {
  let requested = 0;
  for (const t of request.topics) requested += Math.max(0, t.count - (ctx.registry.get(t.name)?.partitions.length ?? t.count));
  const tooLarge = requestCapProblem(ctx, requested);
  if (tooLarge) {
    return { throttleTimeMs: 0, results: request.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: tooLarge })) };
  }
  const results: CreatePartitionsResponse['results'] = [];
  for (const topic of request.topics) {
    if (!allows(ctx.authorizer, info, AclOperation.ALTER, ResourceType.TOPIC, topic.name)) {
      results.push({ name: topic.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null });
      continue;
    }
    const assignments = topic.assignments ? topic.assignments.map((a) => a.brokerIds) : null;
    const result = await ctx.admin.createPartitions(topic.name, topic.count, assignments, request.validateOnly);
    results.push({ name: topic.name, errorCode: result.errorCode, errorMessage: result.errorMessage });
  }
  return { throttleTimeMs: 0, results };
}
