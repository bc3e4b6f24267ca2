// JoinGroup, SyncGroup, Heartbeat and LeaveGroup: each request version mapped onto the coordinator's
// version-free calls, and the answer shaped for that version. With an authorizer each needs READ on the group
// (else GROUP_AUTHORIZATION_FAILED, before the coordinator sees the request), as in Kafka.
import type { GroupCoordinator, MemberIdentity } from '../../group/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type {
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../protocol/generated/index.js';
import { AclOperation } from '../../security/acl-model.js';
import { allowsGroup, type RequestAccess } from '../authorization.js';

/** Who sent a JoinGroup: the coordinator records it for DescribeGroups. */
export interface GroupClient {
  clientId: string;
  /** The peer address, without the port. */
  clientHost: string;
}

export async function handleJoinGroup(
  groups: GroupCoordinator,
  request: JoinGroupRequest,
  version: number,
  client: GroupClient,
  access: RequestAccess,
): Promise<JoinGroupResponse> {
  if (!allowsGroup(access, AclOperation.READ, request.groupId)) {
    const errorCode = ErrorCode.GROUP_AUTHORIZATION_FAILED;
    return { throttleTimeMs: 0, errorCode, generationId: -1, protocolType: null, protocolName: version >= 7 ? null : '', leader: '', skipAssignment: false, memberId: '', members: [] };
  }
  const outcome = await groups.joinGroup({
    groupId: request.groupId,
    memberId: request.memberId,
    groupInstanceId: version >= 5 ? request.groupInstanceId : null,
    sessionTimeoutMs: request.sessionTimeoutMs,
    // JoinGroup v0 has no rebalance timeout: the session timeout serves as both.
    rebalanceTimeoutMs: version >= 1 && request.rebalanceTimeoutMs >= 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
    protocolType: request.protocolType,
    protocols: request.protocols,
    clientId: client.clientId,
    clientHost: client.clientHost,
    // Only v4+ clients know MEMBER_ID_REQUIRED (KIP-394), only v9+ ones skip_assignment (KIP-814).
    requireKnownMemberId: version >= 4,
    supportsSkipAssignment: version >= 9,
  });
  return {
    throttleTimeMs: 0,
    errorCode: outcome.errorCode,
    generationId: outcome.generationId,
    // v7 made both nullable; before that "no protocol" is the empty string.
    protocolType: version >= 7 ? outcome.protocolType : null,
    protocolName: version >= 7 ? outcome.protocolName : (outcome.protocolName ?? ''),
    leader: outcome.leader,
    skipAssignment: outcome.skipAssignment,
    memberId: outcome.memberId,
    members: outcome.members,
  };
}

export async function handleSyncGroup(groups: GroupCoordinator, request: SyncGroupRequest, version: number, access: RequestAccess): Promise<SyncGroupResponse> {
  if (!allowsGroup(access, AclOperation.READ, request.groupId)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
  }
  const outcome = await groups.syncGroup({
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: version >= 3 ? request.groupInstanceId : null,
    protocolType: request.protocolType,
    protocolName: request.protocolName,
    assignments: request.assignments,
  });
  return {
    throttleTimeMs: 0,
    errorCode: outcome.errorCode,
    protocolType: outcome.protocolType,
    protocolName: outcome.protocolName,
    assignment: outcome.assignment,
  };
}

export function handleHeartbeat(groups: GroupCoordinator, request: HeartbeatRequest, version: number, access: RequestAccess): HeartbeatResponse {
  if (!allowsGroup(access, AclOperation.READ, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
  const errorCode = groups.heartbeat({
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: version >= 3 ? request.groupInstanceId : null,
  });
  return { throttleTimeMs: 0, errorCode };
}

/** v0-2 name one member at the top level; v3+ (KIP-345) list members, possibly by instance id only. */
export function handleLeaveGroup(groups: GroupCoordinator, request: LeaveGroupRequest, version: number, access: RequestAccess): LeaveGroupResponse {
  if (!allowsGroup(access, AclOperation.READ, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
  const batched = version >= 3;
  const identities: MemberIdentity[] = batched
    ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
    : [{ memberId: request.memberId, groupInstanceId: null }];
  const result = groups.leaveGroup(request.groupId, identities);
  if (batched) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
  // v0-2 have no per-member results: the one member's error is the request's.
  const errorCode = result.errorCode !== ErrorCode.NONE ? result.errorCode : (result.members[0]?.errorCode ?? ErrorCode.NONE);
  return { throttleTimeMs: 0, errorCode, members: [] };
}
