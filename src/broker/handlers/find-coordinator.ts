// FindCoordinator: v0-3 ask for one key and are answered at the top level; v4 (KIP-699) batches keys and is
// answered per key. This one broker coordinates every group and transactional id.
import type { GroupCoordinator } from '../../group/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/generated/index.js';

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
      coordinators: request.coordinatorKeys.map((key) => ({ key, nodeId, host, port, errorCode, errorMessage })),
    };
  }
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port, coordinators: [] };
}
