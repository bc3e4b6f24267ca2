// Sends decoded requests of a given version through the broker's group handlers to a coordinator, as the
// request dispatcher does, so the coordinator tests see exactly what a client of that version would get.
import type { GroupCoordinator } from '../../src/group/index.js';
import { handleFindCoordinator, type CoordinatorEndpoint } from '../../src/broker/handlers/find-coordinator.js';
import { handleDeleteGroups, handleDescribeGroups, handleListGroups } from '../../src/broker/handlers/group-admin.js';
import { handleHeartbeat, handleJoinGroup, handleLeaveGroup, handleSyncGroup } from '../../src/broker/handlers/group-membership.js';
import { handleOffsetCommit, handleOffsetDelete, handleOffsetFetch } from '../../src/broker/handlers/group-offsets.js';
import type { RequestAccess } from '../../src/broker/authorization.js';
import type { ApiMessages } from '../../src/protocol/generated/index.js';
import type { ManualClock } from './manual-clock.js';

/** These tests run the handlers without an authorizer: every request is allowed. */
const NO_AUTHORIZER: RequestAccess = null;

type Request<N extends keyof ApiMessages> = ApiMessages[N]['request'];
type Response<N extends keyof ApiMessages> = Promise<ApiMessages[N]['response']>;

export class GroupRequests {
  constructor(
    readonly coordinator: GroupCoordinator,
    /** The clock the coordinator runs on. */
    readonly clock: ManualClock,
  ) {}

  async findCoordinator(request: Request<'FindCoordinator'>, version: number, endpoint: CoordinatorEndpoint): Response<'FindCoordinator'> {
    return handleFindCoordinator(this.coordinator, request, version, endpoint, NO_AUTHORIZER);
  }

  joinGroup(request: Request<'JoinGroup'>, version: number, clientId: string, clientHost: string): Response<'JoinGroup'> {
    return handleJoinGroup(this.coordinator, request, version, { clientId, clientHost }, NO_AUTHORIZER);
  }

  syncGroup(request: Request<'SyncGroup'>, version: number): Response<'SyncGroup'> {
    return handleSyncGroup(this.coordinator, request, version, NO_AUTHORIZER);
  }

  async heartbeat(request: Request<'Heartbeat'>, version: number): Response<'Heartbeat'> {
    return handleHeartbeat(this.coordinator, request, version, NO_AUTHORIZER);
  }

  async leaveGroup(request: Request<'LeaveGroup'>, version: number): Response<'LeaveGroup'> {
    return handleLeaveGroup(this.coordinator, request, version, NO_AUTHORIZER);
  }

  offsetCommit(request: Request<'OffsetCommit'>, version: number): Response<'OffsetCommit'> {
    return handleOffsetCommit(this.coordinator, request, version, NO_AUTHORIZER);
  }

  async offsetFetch(request: Request<'OffsetFetch'>, version: number): Response<'OffsetFetch'> {
    return handleOffsetFetch(this.coordinator, request, version, NO_AUTHORIZER);
  }

  /** OffsetDelete has one version (0). */
  offsetDelete(request: Request<'OffsetDelete'>, _version: number): Response<'OffsetDelete'> {
    return handleOffsetDelete(this.coordinator, request, NO_AUTHORIZER);
  }

  async listGroups(request: Request<'ListGroups'>, version: number): Response<'ListGroups'> {
    return handleListGroups(this.coordinator, request, version, NO_AUTHORIZER);
  }

  async describeGroups(request: Request<'DescribeGroups'>, version: number): Response<'DescribeGroups'> {
    return handleDescribeGroups(this.coordinator, request, version, NO_AUTHORIZER);
  }

  /** DeleteGroups has the same body in every version. */
  deleteGroups(request: Request<'DeleteGroups'>, _version: number): Response<'DeleteGroups'> {
    return handleDeleteGroups(this.coordinator, request, NO_AUTHORIZER);
  }

  // The coordinator's own (version-free) surface, for admin code and tests.
  start(): Promise<void> {
    return this.coordinator.start();
  }

  close(): Promise<void> {
    return this.coordinator.close();
  }

  describeGroup(groupId: string): ReturnType<GroupCoordinator['describeGroup']> {
    return this.coordinator.describeGroup(groupId);
  }

  groupOffsets(groupId: string): ReturnType<GroupCoordinator['groupOffsets']> {
    return this.coordinator.groupOffsets(groupId);
  }

  groupLag(...args: Parameters<GroupCoordinator['groupLag']>): ReturnType<GroupCoordinator['groupLag']> {
    return this.coordinator.groupLag(...args);
  }

  expireOffsets(): Promise<number> {
    return this.coordinator.expireOffsets();
  }
}
