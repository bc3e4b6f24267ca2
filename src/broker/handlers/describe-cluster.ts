// DescribeCluster: the admin view of the cluster (this one broker is also the controller).
import type { DescribeClusterRequest, DescribeClusterResponse } from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { BrokerContext } from '../context.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_AUTHORIZED_OPERATIONS } from '../authorized-operations.js';

export function handleDescribeCluster(ctx: BrokerContext, request: DescribeClusterRequest): DescribeClusterResponse {
  const brokerEndpoints = request.endpointType === 1;
  return {
    throttleTimeMs: 0,
    errorCode: brokerEndpoints ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
    errorMessage: brokerEndpoints ? null : `endpoint type ${request.endpointType} is not served by a broker`,
    endpointType: request.endpointType,
    clusterId: ctx.registry.clusterId,
    controllerId: ctx.nodeId,
    brokers: brokerEndpoints ? [{ brokerId: ctx.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, rack: null }] : [],
    clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  };
}
