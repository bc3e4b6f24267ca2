// The API key -> handler table. One place shows every API the broker answers.
import { ApiKey } from '../../protocol/generated/index.js';
import type * as M from '../../protocol/generated/index.js';
import type { BrokerContext } from '../context.js';
import type { ApiHandler, RequestInfo } from '../request-dispatcher.js';
import { AdvertisedApis } from '../supported-apis.js';
import { handleAlterConfigs, handleIncrementalAlterConfigs } from './alter-configs.js';
import { handleApiVersions } from './api-versions.js';
import { handleDescribeCluster } from './describe-cluster.js';
import { handleDeleteRecords } from './delete-records.js';
import { handleDescribeConfigs } from './describe-configs.js';
import { handleFetch } from './fetch.js';
import { handleListOffsets } from './list-offsets.js';
import { handleMetadata } from './metadata.js';
import { handleProduce } from './produce.js';
import { handleCreatePartitions, handleCreateTopics, handleDeleteTopics } from './topics.js';
import type { GroupCoordinator } from '../../group/index.js';

/** Binds a typed handler to the untyped dispatch table; the generated decoder for `apiKey` produces `Req`. */
function bind<Req>(fn: (request: Req, info: RequestInfo) => unknown): ApiHandler {
  return fn as ApiHandler;
}

/** Group APIs go straight to the coordinator, which owns their whole state machine. */
function groupHandlers(ctx: BrokerContext, groups: GroupCoordinator): Array<[number, ApiHandler]> {
  const clientHost = (i: RequestInfo): string => i.connection.peer.replace(/:\d+$/, '');
  return [
    [ApiKey.FindCoordinator, bind<M.FindCoordinatorRequest>((r, i) => groups.findCoordinator(r, i.apiVersion, { host: ctx.advertisedHost, port: ctx.advertisedPort }))],
    [ApiKey.JoinGroup, bind<M.JoinGroupRequest>((r, i) => groups.joinGroup(r, i.apiVersion, i.clientId ?? '', clientHost(i)))],
    [ApiKey.SyncGroup, bind<M.SyncGroupRequest>((r, i) => groups.syncGroup(r, i.apiVersion))],
    [ApiKey.Heartbeat, bind<M.HeartbeatRequest>((r, i) => groups.heartbeat(r, i.apiVersion))],
    [ApiKey.LeaveGroup, bind<M.LeaveGroupRequest>((r, i) => groups.leaveGroup(r, i.apiVersion))],
    [ApiKey.OffsetCommit, bind<M.OffsetCommitRequest>((r, i) => groups.offsetCommit(r, i.apiVersion))],
    [ApiKey.OffsetFetch, bind<M.OffsetFetchRequest>((r, i) => groups.offsetFetch(r, i.apiVersion))],
    [ApiKey.ListGroups, bind<M.ListGroupsRequest>((r, i) => groups.listGroups(r, i.apiVersion))],
    [ApiKey.DescribeGroups, bind<M.DescribeGroupsRequest>((r, i) => groups.describeGroups(r, i.apiVersion))],
    [ApiKey.DeleteGroups, bind<M.DeleteGroupsRequest>((r, i) => groups.deleteGroups(r, i.apiVersion))],
    [ApiKey.OffsetDelete, bind<M.OffsetDeleteRequest>((r, i) => groups.offsetDelete(r, i.apiVersion))],
  ];
}

export function createHandlers(ctx: BrokerContext, groups: GroupCoordinator): { handlers: Map<number, ApiHandler>; advertised: AdvertisedApis } {
  const handlers = new Map<number, ApiHandler>([
    [ApiKey.Produce, bind<M.ProduceRequest>((r, i) => handleProduce(ctx, r, i))],
    [ApiKey.Fetch, bind<M.FetchRequest>((r, i) => handleFetch(ctx, r, i))],
    [ApiKey.ListOffsets, bind<M.ListOffsetsRequest>((r, i) => handleListOffsets(ctx, r, i))],
    [ApiKey.Metadata, bind<M.MetadataRequest>((r, i) => handleMetadata(ctx, r, i))],
    [ApiKey.CreateTopics, bind<M.CreateTopicsRequest>((r) => handleCreateTopics(ctx, r))],
    [ApiKey.DeleteTopics, bind<M.DeleteTopicsRequest>((r, i) => handleDeleteTopics(ctx, r, i))],
    [ApiKey.CreatePartitions, bind<M.CreatePartitionsRequest>((r) => handleCreatePartitions(ctx, r))],
    [ApiKey.DescribeConfigs, bind<M.DescribeConfigsRequest>((r) => handleDescribeConfigs(ctx, r))],
    [ApiKey.AlterConfigs, bind<M.AlterConfigsRequest>((r) => handleAlterConfigs(ctx, r))],
    [ApiKey.IncrementalAlterConfigs, bind<M.IncrementalAlterConfigsRequest>((r) => handleIncrementalAlterConfigs(ctx, r))],
    [ApiKey.DescribeCluster, bind<M.DescribeClusterRequest>((r) => handleDescribeCluster(ctx, r))],
    [ApiKey.DeleteRecords, bind<M.DeleteRecordsRequest>((r) => handleDeleteRecords(ctx, r))],
    ...groupHandlers(ctx, groups),
  ]);
  const advertised = new AdvertisedApis([...handlers.keys(), ApiKey.ApiVersions]);
  handlers.set(ApiKey.ApiVersions, bind<M.ApiVersionsRequest>((r, i) => handleApiVersions(advertised, r, i)));
  return { handlers, advertised };
}
