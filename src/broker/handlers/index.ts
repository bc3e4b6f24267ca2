// The API -> handler table. One place shows every API the broker answers; each handler is typed by the
// generated ApiMessages map, so it receives its API's decoded request and must return its response type.
import { ApiKey, type ApiMessages, type ApiName } from '../../protocol/generated/index.js';
import type { BrokerContext } from '../context.js';
import type { ApiHandler, RequestInfo } from '../request-dispatcher.js';
import { AdvertisedApis } from '../supported-apis.js';
import { handleAlterConfigs, handleIncrementalAlterConfigs } from './alter-configs.js';
import { handleApiVersions } from './api-versions.js';
import { handleDescribeCluster } from './describe-cluster.js';
import { handleDeleteRecords } from './delete-records.js';
import { handleDescribeConfigs } from './describe-configs.js';
import { handleFetch } from './fetch.js';
import { handleFindCoordinator } from './find-coordinator.js';
import { handleDeleteGroups, handleDescribeGroups, handleListGroups } from './group-admin.js';
import { handleHeartbeat, handleJoinGroup, handleLeaveGroup, handleSyncGroup } from './group-membership.js';
import { handleOffsetCommit, handleOffsetDelete, handleOffsetFetch } from './group-offsets.js';
import { handleListOffsets } from './list-offsets.js';
import { handleMetadata } from './metadata.js';
import { handleProduce } from './produce.js';
import { handleCreatePartitions, handleCreateTopics, handleDeleteTopics } from './topics.js';
import type { GroupCoordinator } from '../../group/index.js';
import { accessOf } from '../authorization.js';
import { handleCreateAcls, handleDeleteAcls, handleDescribeAcls } from './acls.js';
import { handleAlterClientQuotas, handleDescribeClientQuotas } from './client-quotas.js';

/** A handler of API `N`: null means no response at all (acks=0 produce). */
export type TypedHandler<N extends ApiName> = (
  request: ApiMessages[N]['request'],
  info: RequestInfo,
) => ApiMessages[N]['response'] | null | Promise<ApiMessages[N]['response'] | null>;

/** Collects typed handlers into the dispatcher's table, keyed by API key. */
class HandlerTable {
  readonly map = new Map<number, ApiHandler>();

  on<N extends ApiName>(name: N, handler: TypedHandler<N>): this {
    // The dispatcher decodes with the codec of the same API key, so the request really is ApiMessages[N]['request'].
    this.map.set(ApiKey[name], handler as ApiHandler);
    return this;
  }
}

/** Group APIs: the handlers shape each version, the coordinator owns the groups' whole state machine. */
function addGroupHandlers(table: HandlerTable, ctx: BrokerContext, groups: GroupCoordinator): void {
  const client = (i: RequestInfo) => ({ clientId: i.clientId ?? '', clientHost: i.connection.peer.replace(/:\d+$/, '') });
  // Who asks, for the authorizer (null without one: everything is allowed).
  const access = (i: RequestInfo) => accessOf(ctx.authorizer, i);
  table
    .on('FindCoordinator', (r, i) => handleFindCoordinator(groups, r, i.apiVersion, { host: ctx.advertisedHost, port: ctx.advertisedPort }, access(i)))
    .on('JoinGroup', (r, i) => handleJoinGroup(groups, r, i.apiVersion, client(i), access(i)))
    .on('SyncGroup', (r, i) => handleSyncGroup(groups, r, i.apiVersion, access(i)))
    .on('Heartbeat', (r, i) => handleHeartbeat(groups, r, i.apiVersion, access(i)))
    .on('LeaveGroup', (r, i) => handleLeaveGroup(groups, r, i.apiVersion, access(i)))
    .on('OffsetCommit', (r, i) => handleOffsetCommit(groups, r, i.apiVersion, access(i)))
    .on('OffsetFetch', (r, i) => handleOffsetFetch(groups, r, i.apiVersion, access(i)))
    .on('OffsetDelete', (r, i) => handleOffsetDelete(groups, r, access(i)))
    .on('ListGroups', (r, i) => handleListGroups(groups, r, i.apiVersion, access(i)))
    .on('DescribeGroups', (r, i) => handleDescribeGroups(groups, r, i.apiVersion, access(i)))
    .on('DeleteGroups', (r, i) => handleDeleteGroups(groups, r, access(i)));
}

export function createHandlers(ctx: BrokerContext, groups: GroupCoordinator): { handlers: Map<number, ApiHandler>; advertised: AdvertisedApis } {
  const table = new HandlerTable()
    .on('Produce', (r, i) => handleProduce(ctx, r, i))
    .on('Fetch', (r, i) => handleFetch(ctx, r, i))
    .on('ListOffsets', (r, i) => handleListOffsets(ctx, r, i))
    .on('Metadata', (r, i) => handleMetadata(ctx, r, i))
    .on('CreateTopics', (r, i) => handleCreateTopics(ctx, r, i))
    .on('DeleteTopics', (r, i) => handleDeleteTopics(ctx, r, i))
    .on('CreatePartitions', (r, i) => handleCreatePartitions(ctx, r, i))
    .on('DescribeConfigs', (r, i) => handleDescribeConfigs(ctx, r, i))
    .on('AlterConfigs', (r, i) => handleAlterConfigs(ctx, r, i))
    .on('IncrementalAlterConfigs', (r, i) => handleIncrementalAlterConfigs(ctx, r, i))
    .on('DescribeCluster', (r, i) => handleDescribeCluster(ctx, r, i))
    .on('DeleteRecords', (r, i) => handleDeleteRecords(ctx, r, i))
    .on('DescribeAcls', (r, i) => handleDescribeAcls(ctx, r, i))
    .on('CreateAcls', (r, i) => handleCreateAcls(ctx, r, i))
    .on('DeleteAcls', (r, i) => handleDeleteAcls(ctx, r, i))
    .on('DescribeClientQuotas', (r, i) => handleDescribeClientQuotas(ctx, r, i))
    .on('AlterClientQuotas', (r, i) => handleAlterClientQuotas(ctx, r, i));
  addGroupHandlers(table, ctx, groups);
  const advertised = new AdvertisedApis([...table.map.keys(), ApiKey.ApiVersions]);
  table.on('ApiVersions', (r, i) => handleApiVersions(advertised, r, i));
  return { handlers: table.map, advertised };
}
