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
  table
    .on('FindCoordinator', (r, i) => handleFindCoordinator(groups, r, i.apiVersion, { host: ctx.advertisedHost, port: ctx.advertisedPort }))
    .on('JoinGroup', (r, i) => handleJoinGroup(groups, r, i.apiVersion, client(i)))
    .on('SyncGroup', (r, i) => handleSyncGroup(groups, r, i.apiVersion))
    .on('Heartbeat', (r, i) => handleHeartbeat(groups, r, i.apiVersion))
    .on('LeaveGroup', (r, i) => handleLeaveGroup(groups, r, i.apiVersion))
    .on('OffsetCommit', (r, i) => handleOffsetCommit(groups, r, i.apiVersion))
    .on('OffsetFetch', (r, i) => handleOffsetFetch(groups, r, i.apiVersion))
    .on('OffsetDelete', (r) => handleOffsetDelete(groups, r))
    .on('ListGroups', (r, i) => handleListGroups(groups, r, i.apiVersion))
    .on('DescribeGroups', (r, i) => handleDescribeGroups(groups, r, i.apiVersion))
    .on('DeleteGroups', (r) => handleDeleteGroups(groups, r));
}

export function createHandlers(ctx: BrokerContext, groups: GroupCoordinator): { handlers: Map<number, ApiHandler>; advertised: AdvertisedApis } {
  const table = new HandlerTable()
    .on('Produce', (r, i) => handleProduce(ctx, r, i))
    .on('Fetch', (r, i) => handleFetch(ctx, r, i))
    .on('ListOffsets', (r, i) => handleListOffsets(ctx, r, i))
    .on('Metadata', (r, i) => handleMetadata(ctx, r, i))
    .on('CreateTopics', (r) => handleCreateTopics(ctx, r))
    .on('DeleteTopics', (r, i) => handleDeleteTopics(ctx, r, i))
    .on('CreatePartitions', (r) => handleCreatePartitions(ctx, r))
    .on('DescribeConfigs', (r) => handleDescribeConfigs(ctx, r))
    .on('AlterConfigs', (r) => handleAlterConfigs(ctx, r))
    .on('IncrementalAlterConfigs', (r) => handleIncrementalAlterConfigs(ctx, r))
    .on('DescribeCluster', (r) => handleDescribeCluster(ctx, r))
    .on('DeleteRecords', (r) => handleDeleteRecords(ctx, r));
  addGroupHandlers(table, ctx, groups);
  const advertised = new AdvertisedApis([...table.map.keys(), ApiKey.ApiVersions]);
  table.on('ApiVersions', (r, i) => handleApiVersions(advertised, r, i));
  return { handlers: table.map, advertised };
}
