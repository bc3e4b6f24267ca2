// ListGroups, DescribeGroups and DeleteGroups: each request version mapped onto the coordinator's
// version-free calls, and the answer shaped for that version.
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

export function handleListGroups(groups: GroupCoordinator, request: ListGroupsRequest, version: number): ListGroupsResponse {
  // v4 (KIP-518) may filter by state.
  const { errorCode, groups: listed } = groups.listGroups(version >= 4 ? request.statesFilter : []);
  return {
    throttleTimeMs: 0,
    errorCode,
    groups: listed.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })),
  };
}

export function handleDescribeGroups(groups: GroupCoordinator, request: DescribeGroupsRequest, version: number): DescribeGroupsResponse {
  // v3+ (KIP-430) may ask for the operations the client may perform.
  const authorizedOperations = version >= 3 && request.includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED;
  return {
    throttleTimeMs: 0,
    groups: groups.describeGroups(request.groups).map((g) => ({
      groupId: g.groupId,
      errorCode: g.errorCode,
      groupState: g.state,
      protocolType: g.protocolType,
      protocolData: g.protocolData,
      authorizedOperations,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: m.metadata,
        memberAssignment: m.assignment,
      })),
    })),
  };
}

export async function handleDeleteGroups(groups: GroupCoordinator, request: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
  return { throttleTimeMs: 0, results: await groups.deleteGroups(request.groupsNames) };
}
