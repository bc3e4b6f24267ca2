// Metadata: brokers, cluster id, controller and every requested topic's partitions (auto-creating on request).
// With an authorizer, as Kafka's KafkaApis: a topic needs DESCRIBE; asked for all topics, the others are left
// out; named (or by id), they are answered TOPIC_AUTHORIZATION_FAILED without saying whether they exist.
// Auto-creating one needs CREATE on the cluster or on the topic. Authorized operations come from the authorizer.
import type { MetadataRequest, MetadataResponse, MetadataResponseTopic } from '../../protocol/generated/index.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { boolProperty } from '../../config/broker-config.js';
import type { BrokerContext } from '../context.js';
import type { RequestInfo } from '../request-dispatcher.js';
import type { TopicState } from '../topic-registry.js';
import { isInternalTopic } from '../../group/internal-topics.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_AUTHORIZED_OPERATIONS, TOPIC_AUTHORIZED_OPERATIONS } from '../authorized-operations.js';
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType } from '../../security/acl-model.js';
import { allows, allowsCluster, authorizedOperations } from '../authorization.js';

export async function handleMetadata(ctx: BrokerContext, request: MetadataRequest, info: RequestInfo): Promise<MetadataResponse> {
  const version = info.apiVersion;
  // v0 asks for all topics with an empty list; v1+ with null.
  const all = request.topics === null || (version === 0 && request.topics.length === 0);
  // Before v4 the request had no flag and the broker setting alone decided.
  const mayCreate = boolProperty(ctx.config, 'auto.create.topics.enable') && (version < 4 || request.allowAutoTopicCreation);
  const authorizer = ctx.authorizer;
  const describable = (name: string): boolean => allows(authorizer, info, AclOperation.DESCRIBE, ResourceType.TOPIC, name);
  // Topic entries that are answered in full (they get their authorized operations when asked).
  const described = new Set<MetadataResponseTopic>();
  const topics: MetadataResponseTopic[] = [];
  const answer = (entry: MetadataResponseTopic): void => {
    described.add(entry);
    topics.push(entry);
  };
  if (all) {
    for (const topic of ctx.registry.topics) if (describable(topic.name)) answer(describeTopic(ctx, topic));
  } else {
    let mayCreateAny: boolean | undefined;
    for (const requested of request.topics ?? []) {
      if (requested.name === null) {
        const byId = ctx.registry.getById(requested.topicId);
        if (!byId) topics.push(missingTopic(null, requested.topicId, ErrorCode.UNKNOWN_TOPIC_ID));
        // Topic ids are not secret (Kafka): a denied one is answered with its id, not its name.
        else if (!describable(byId.name)) topics.push(missingTopic(null, requested.topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        else answer(describeTopic(ctx, byId));
        continue;
      }
      if (!describable(requested.name)) {
        topics.push(missingTopic(requested.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      let topic = ctx.registry.get(requested.name);
      // The internal offsets topic is created by the broker on the first commit, never as an ordinary topic.
      if (!topic && mayCreate && !isInternalTopic(requested.name) && authorizer) {
        mayCreateAny ??= allowsCluster(authorizer, info, AclOperation.CREATE);
        if (!mayCreateAny && !allows(authorizer, info, AclOperation.CREATE, ResourceType.TOPIC, requested.name)) {
          topics.push({ ...missingTopic(requested.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED), isInternal: isInternalTopic(requested.name) });
          continue;
        }
      }
      if (!topic && mayCreate && !isInternalTopic(requested.name)) {
        const created = await ctx.admin.createTopic({ name: requested.name, partitions: -1, replicationFactor: -1, configs: {}, assignments: [] });
        if (created.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) topic = ctx.registry.get(requested.name);
        else if (created.errorCode !== ErrorCode.NONE) {
          topics.push(missingTopic(requested.name, ZERO_UUID, created.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION ? created.errorCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
          continue;
        } else topic = created.topic ?? undefined;
      }
      answer(topic ? describeTopic(ctx, topic) : missingTopic(requested.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    }
  }
  // Like Kafka, every topic the client may describe gets its operations when asked (an unknown one too);
  // denied entries and unknown topic ids keep the schema default.
  if (request.includeTopicAuthorizedOperations) {
    for (const topic of described) {
      if (topic.name !== null) topic.topicAuthorizedOperations = authorizedOperations(authorizer, info, ResourceType.TOPIC, topic.name, TOPIC_AUTHORIZED_OPERATIONS);
    }
  }
  // v8-10 carry the cluster's operations: none at all without DESCRIBE on the cluster.
  let clusterAuthorizedOperations = AUTHORIZED_OPERATIONS_OMITTED;
  if (request.includeClusterAuthorizedOperations) {
    clusterAuthorizedOperations = allowsCluster(authorizer, info, AclOperation.DESCRIBE)
      ? authorizedOperations(authorizer, info, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, CLUSTER_AUTHORIZED_OPERATIONS)
      : 0;
  }
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: ctx.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, rack: null }],
    clusterId: ctx.registry.clusterId,
    controllerId: ctx.nodeId,
    topics,
    // Metadata carries the cluster's operations in v8-10 only (DescribeCluster replaced it).
    clusterAuthorizedOperations,
  };
}

function describeTopic(ctx: BrokerContext, topic: TopicState): MetadataResponseTopic {
  const replicas = [ctx.nodeId];
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    // Kafka lists __consumer_offsets among all topics, flagged internal.
    isInternal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((p) => ({
      // A partition whose worker died (or whose log dir is offline) has no leader until restart; clients see it and retry elsewhere.
      errorCode: ctx.workers.isServing(p.worker) ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
      partitionIndex: p.index,
      leaderId: ctx.nodeId,
      leaderEpoch: 0,
      replicaNodes: replicas,
      isrNodes: replicas,
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function missingTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}
