// Metadata: brokers, cluster id, controller and every requested topic's partitions (auto-creating on request).
import type { MetadataRequest, MetadataResponse, MetadataResponseTopic } from '../../protocol/generated/index.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { boolProperty } from '../../config/broker-config.js';
import type { BrokerContext } from '../context.js';
import type { RequestInfo } from '../request-dispatcher.js';
import type { TopicState } from '../topic-registry.js';
import { isInternalTopic } from '../../group/internal-topics.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_AUTHORIZED_OPERATIONS, TOPIC_AUTHORIZED_OPERATIONS } from '../authorized-operations.js';

export async function handleMetadata(ctx: BrokerContext, request: MetadataRequest, info: RequestInfo): Promise<MetadataResponse> {
  const version = info.apiVersion;
  // v0 asks for all topics with an empty list; v1+ with null.
  const all = request.topics === null || (version === 0 && request.topics.length === 0);
  // Before v4 the request had no flag and the broker setting alone decided.
  const mayCreate = boolProperty(ctx.config, 'auto.create.topics.enable') && (version < 4 || request.allowAutoTopicCreation);
  const topics: MetadataResponseTopic[] = [];
  if (all) {
    for (const topic of ctx.registry.topics) topics.push(describeTopic(ctx, topic));
  } else {
    for (const requested of request.topics ?? []) {
      if (requested.name === null) {
        const byId = ctx.registry.getById(requested.topicId);
        topics.push(byId ? describeTopic(ctx, byId) : missingTopic(null, requested.topicId, ErrorCode.UNKNOWN_TOPIC_ID));
        continue;
      }
      let topic = ctx.registry.get(requested.name);
      // The internal offsets topic is created by the broker on the first commit, never as an ordinary topic.
      if (!topic && mayCreate && !isInternalTopic(requested.name)) {
        const created = await ctx.admin.createTopic({ name: requested.name, partitions: -1, replicationFactor: -1, configs: {}, assignments: [] });
        if (created.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) topic = ctx.registry.get(requested.name);
        else if (created.errorCode !== ErrorCode.NONE) {
          topics.push(missingTopic(requested.name, ZERO_UUID, created.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION ? created.errorCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
          continue;
        } else topic = created.topic ?? undefined;
      }
      topics.push(topic ? describeTopic(ctx, topic) : missingTopic(requested.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    }
  }
  // Like Kafka, every topic entry answered by name gets its operations when asked (an unknown one too);
  // entries for unknown topic ids keep the schema default.
  if (request.includeTopicAuthorizedOperations) {
    for (const topic of topics) if (topic.name !== null) topic.topicAuthorizedOperations = TOPIC_AUTHORIZED_OPERATIONS;
  }
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: ctx.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, rack: null }],
    clusterId: ctx.registry.clusterId,
    controllerId: ctx.nodeId,
    topics,
    // Metadata carries the cluster's operations in v8-10 only (DescribeCluster replaced it).
    clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
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
