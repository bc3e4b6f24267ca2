// DescribeCluster: the admin view of the cluster (this one broker is also the controller). Any client may ask, as
// in Kafka; the cluster's authorized operations come from the authorizer, none at all without DESCRIBE on it.
import type { DescribeClusterRequest, DescribeClusterResponse } from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { BrokerContext } from '../context.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_AUTHORIZED_OPERATIONS } from '../authorized-operations.js';
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType } from '../../security/acl-model.js';
import { allowsCluster, authorizedOperations } from '../authorization.js';
import type { RequestInfo } from '../request-dispatcher.js';

function clusterOperations(ctx: BrokerContext, info: RequestInfo): number {
  if (!allowsCluster(ctx.authorizer, info, AclOperation.DESCRIBE)) return 0;
  return authorizedOperations(ctx.authorizer, info, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, CLUSTER_AUTHORIZED_OPERATIONS);
}

export function handleDescribeCluster(ctx: BrokerContext, request: DescribeClusterRequest, info: RequestInfo): DescribeClusterResponse {
  const brokerEndpoints = request.endpointType === 1;
  return {
    throttleTimeMs: 0,
    errorCode: brokerEndpoints ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
    errorMessage: brokerEndpoints ? null : `endpoint type ${request.endpointType} is not served by a broker`,
    endpointType: request.endpointType,
    clusterId: ctx.registry.clusterId,
    controllerId: ctx.nodeId,
    brokers: brokerEndpoints ? [{ brokerId: ctx.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, rack: null }] : [],
    clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? clusterOperations(ctx, info) : AUTHORIZED_OPERATIONS_OMITTED,
  };
}
