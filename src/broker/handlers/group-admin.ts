// ListGroups, DescribeGroups and DeleteGroups: each request version mapped onto the coordinator's
// version-free calls, and the answer shaped for that version. With an authorizer, as in Kafka: ListGroups lists
// every group with DESCRIBE on the cluster, else the groups the client may DESCRIBE; DescribeGroups needs DESCRIBE
// and DeleteGroups DELETE on each group (else GROUP_AUTHORIZATION_FAILED for it).
import type { GroupCoordinator } from '../../group/index.js';
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  ListGroupsRequest,
  ListGroupsResponse,
} from '../../protocol/generated/index.js';
import { AUTHORIZED_OPERATIONS_OMITTED, GROUP_AUTHORIZED_OPERATIONS } from '../authorized-operations.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { AclOperation, ResourceType } from '../../security/acl-model.js';
import { accessAllows, allowsGroup, sessionOf, type RequestAccess } from '../authorization.js';
import { CLUSTER_RESOURCE_NAME } from '../../security/acl-model.js';

export function handleListGroups(groups: GroupCoordinator, request: ListGroupsRequest, version: number, access: RequestAccess): ListGroupsResponse {
  // v4 (KIP-518) may filter by state.
  const { errorCode, groups: listed } = groups.listGroups(version >= 4 ? request.statesFilter : []);
  const all = accessAllows(access, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
  return {
    throttleTimeMs: 0,
    errorCode,
    groups: (all ? listed : listed.filter((g) => allowsGroup(access, AclOperation.DESCRIBE, g.groupId))).map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })),
  };
}

export function handleDescribeGroups(groups: GroupCoordinator, request: DescribeGroupsRequest, version: number, access: RequestAccess): DescribeGroupsResponse {
  // v3+ (KIP-430) may ask for the operations the client may perform.
  const withOperations = version >= 3 && request.includeAuthorizedOperations;
  const allowed = request.groups.filter((groupId) => allowsGroup(access, AclOperation.DESCRIBE, groupId));
  const denied = request.groups.filter((groupId) => !allowsGroup(access, AclOperation.DESCRIBE, groupId));
  return {
    throttleTimeMs: 0,
    groups: [
      ...denied.map((groupId) => ({
        groupId,
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        groupState: '',
        protocolType: '',
        protocolData: '',
        authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
        members: [],
      })),
      ...describe(groups, allowed, withOperations, access),
    ],
  };
}

function describe(groups: GroupCoordinator, groupIds: readonly string[], withOperations: boolean, access: RequestAccess): DescribeGroupsResponse['groups'] {
  if (groupIds.length === 0) return [];
  const operationsOf = (groupId: string, errorCode: number): number =>
    withOperations && errorCode === ErrorCode.NONE
      ? access === null
        ? GROUP_AUTHORIZED_OPERATIONS
        : access.authorizer.authorizedOperations(sessionOf(access.info), ResourceType.GROUP, groupId)
      : AUTHORIZED_OPERATIONS_OMITTED;
  return groups.describeGroups(groupIds).map((g) => ({
      groupId: g.groupId,
      errorCode: g.errorCode,
      groupState: g.state,
      protocolType: g.protocolType,
      protocolData: g.protocolData,
      authorizedOperations: operationsOf(g.groupId, g.errorCode),
      members: g.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: m.metadata,
        memberAssignment: m.assignment,
      })),
  }));
}

export async function handleDeleteGroups(groups: GroupCoordinator, request: DeleteGroupsRequest, access: RequestAccess): Promise<DeleteGroupsResponse> {
  const deletable = request.groupsNames.filter((groupId) => allowsGroup(access, AclOperation.DELETE, groupId));
  const denied = request.groupsNames.filter((groupId) => !allowsGroup(access, AclOperation.DELETE, groupId));
  const results = deletable.length > 0 ? await groups.deleteGroups(deletable) : [];
  return { throttleTimeMs: 0, results: [...results, ...denied.map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }))] };
}
