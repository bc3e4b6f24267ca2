// FindCoordinator: v0-3 ask for one key and are answered at the top level; v4 (KIP-699) batches keys and is
// answered per key. This one broker coordinates every group and transactional id. With an authorizer, a group key
// needs DESCRIBE on the group (else GROUP_AUTHORIZATION_FAILED), a transaction key DESCRIBE on the transactional id
// (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED), as in Kafka.
import type { GroupCoordinator } from '../../group/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../../security/acl-model.js';
import { accessAllows, type RequestAccess } from '../authorization.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

/** The authorization failure for looking up this key's coordinator, or NONE. */
function keyDenied(access: RequestAccess, keyType: number, key: string): number {
  if (keyType === KEY_TYPE_GROUP && !accessAllows(access, AclOperation.DESCRIBE, ResourceType.GROUP, key)) return ErrorCode.GROUP_AUTHORIZATION_FAILED;
  if (keyType === KEY_TYPE_TRANSACTION && !accessAllows(access, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) {
    return ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  }
  return ErrorCode.NONE;
}

/** The listener a FindCoordinator request arrived on; clients connect back to it. */
export interface CoordinatorEndpoint {
  host: string;
  port: number;
  /** Defaults to the coordinator's node id. */
  nodeId?: number;
}

const FIRST_BATCHED_VERSION = 4;

export function handleFindCoordinator(
  groups: GroupCoordinator,
  request: FindCoordinatorRequest,
  version: number,
  endpoint: CoordinatorEndpoint,
  access: RequestAccess,
): FindCoordinatorResponse {
  const { errorCode, errorMessage } = groups.findCoordinator(request.keyType);
  const ok = errorCode === ErrorCode.NONE;
  const nodeId = ok ? (endpoint.nodeId ?? groups.nodeId) : -1;
  const host = ok ? endpoint.host : '';
  const port = ok ? endpoint.port : -1;
  if (version >= FIRST_BATCHED_VERSION) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      nodeId: 0,
      host: '',
      port: 0,
      coordinators: request.coordinatorKeys.map((key) => {
        const denied = keyDenied(access, request.keyType, key);
        if (denied !== ErrorCode.NONE) return { key, nodeId: -1, host: '', port: -1, errorCode: denied, errorMessage: null };
        return { key, nodeId, host, port, errorCode, errorMessage };
      }),
    };
  }
  const denied = keyDenied(access, request.keyType, request.key);
  if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: denied, errorMessage: null, nodeId: -1, host: '', port: -1, coordinators: [] };
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port, coordinators: [] };
}
