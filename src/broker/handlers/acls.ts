// DescribeAcls, CreateAcls and DeleteAcls, as Kafka's AclApis answers them: describing needs DESCRIBE on the
// cluster, creating and deleting ALTER on it (else CLUSTER_AUTHORIZATION_FAILED); without an authorizer they are
// SECURITY_DISABLED. A binding or filter Kafka would not take is INVALID_REQUEST with the reason (Kafka closes the
// connection for UNKNOWN codes; an error code tells the client more). v0 knows LITERAL patterns only.
import { ErrorCode } from '../../protocol/error-codes.js';
import type {
  CreateAclsRequest,
  CreateAclsResponse,
  DeleteAclsRequest,
  DeleteAclsResponse,
  DeleteAclsResponseDeleteAclsFilterResult,
  DescribeAclsRequest,
  DescribeAclsResponse,
  DescribeAclsResponseDescribeAclsResource,
} from '../../protocol/generated/index.js';
import { filterProblem } from '../../security/acl-filter.js';
import { AclOperation, PatternType, type AclBinding, type AclBindingFilter } from '../../security/acl-model.js';
import { allowsCluster } from '../authorization.js';
import type { BrokerContext } from '../context.js';
import type { RequestInfo } from '../request-dispatcher.js';

const NO_AUTHORIZER = 'No Authorizer is configured on the broker';
const CLUSTER_DENIED = 'Cluster authorization failed.';

interface WireFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

function toFilter(wire: WireFilter): AclBindingFilter {
  return {
    resourceType: wire.resourceTypeFilter,
    resourceName: wire.resourceNameFilter,
    patternType: wire.patternTypeFilter,
    principal: wire.principalFilter,
    host: wire.hostFilter,
    operation: wire.operation,
    permissionType: wire.permissionType,
  };
}

/** Why a v0 request cannot carry this pattern type (v0 predates pattern types: everything is LITERAL), or null. */
function v0Problem(version: number, patternType: number, forFilter: boolean): string | null {
  if (version > 0 || patternType === PatternType.LITERAL || (forFilter && patternType === PatternType.ANY)) return null;
  return 'Version 0 only supports literal resource pattern types';
}

export function handleDescribeAcls(ctx: BrokerContext, request: DescribeAclsRequest, info: RequestInfo): DescribeAclsResponse {
  const fail = (errorCode: number, errorMessage: string): DescribeAclsResponse => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });
  if (!allowsCluster(ctx.authorizer, info, AclOperation.DESCRIBE)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, CLUSTER_DENIED);
  if (ctx.authorizer === null) return fail(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
  const filter = toFilter(request);
  const unsupported = v0Problem(info.apiVersion, filter.patternType, true);
  if (unsupported) return fail(ErrorCode.UNSUPPORTED_VERSION, unsupported);
  const problem = filterProblem(filter);
  if (problem) return fail(ErrorCode.INVALID_REQUEST, problem);
  // One entry per resource pattern, its ACLs under it (Kafka's DescribeAclsResponse.aclsResources).
  const resources = new Map<string, DescribeAclsResponseDescribeAclsResource>();
  for (const acl of ctx.authorizer.describe(filter)) {
    const key = `${acl.resourceType}\u0000${acl.patternType}\u0000${acl.resourceName}`;
    let resource = resources.get(key);
    if (!resource) {
      resource = { resourceType: acl.resourceType, resourceName: acl.resourceName, patternType: acl.patternType, acls: [] };
      resources.set(key, resource);
    }
    resource.acls.push({ principal: acl.principal, host: acl.host, operation: acl.operation, permissionType: acl.permissionType });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...resources.values()] };
}

export async function handleCreateAcls(ctx: BrokerContext, request: CreateAclsRequest, info: RequestInfo): Promise<CreateAclsResponse> {
  const all = (errorCode: number, errorMessage: string): CreateAclsResponse => ({ throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode, errorMessage })) });
  if (!allowsCluster(ctx.authorizer, info, AclOperation.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, CLUSTER_DENIED);
  if (ctx.authorizer === null) return all(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
  const bindings: AclBinding[] = request.creations.map((c) => ({
    resourceType: c.resourceType,
    resourceName: c.resourceName,
    patternType: c.resourcePatternType,
    principal: c.principal,
    host: c.host,
    operation: c.operation,
    permissionType: c.permissionType,
  }));
  const unsupported = bindings.map((b) => v0Problem(info.apiVersion, b.patternType, false));
  const supported = bindings.filter((_, i) => unsupported[i] === null);
  let outcomes;
  try {
    outcomes = await ctx.authorizer.create(supported);
  } catch (error) {
    ctx.log.error({ err: error }, 'could not save the ACLs');
    return all(ErrorCode.KAFKA_STORAGE_ERROR, `could not save the ACLs: ${(error as Error).message}`);
  }
  let next = 0;
  return {
    throttleTimeMs: 0,
    results: bindings.map((_, i) => {
      const refusal = unsupported[i];
      if (refusal) return { errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: refusal };
      const outcome = outcomes[next++];
      return outcome ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: outcome.problem } : { errorCode: ErrorCode.NONE, errorMessage: null };
    }),
  };
}

export async function handleDeleteAcls(ctx: BrokerContext, request: DeleteAclsRequest, info: RequestInfo): Promise<DeleteAclsResponse> {
  const all = (errorCode: number, errorMessage: string): DeleteAclsResponse => ({
    throttleTimeMs: 0,
    filterResults: request.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
  });
  if (!allowsCluster(ctx.authorizer, info, AclOperation.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, CLUSTER_DENIED);
  if (ctx.authorizer === null) return all(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
  const filters = request.filters.map(toFilter);
  const unsupported = filters.map((f) => v0Problem(info.apiVersion, f.patternType, true));
  let outcomes;
  try {
    outcomes = await ctx.authorizer.delete(filters.filter((_, i) => unsupported[i] === null));
  } catch (error) {
    ctx.log.error({ err: error }, 'could not save the ACLs');
    return all(ErrorCode.KAFKA_STORAGE_ERROR, `could not save the ACLs: ${(error as Error).message}`);
  }
  let next = 0;
  return {
    throttleTimeMs: 0,
    filterResults: filters.map((_, i): DeleteAclsResponseDeleteAclsFilterResult => {
      const refusal = unsupported[i];
      if (refusal) return { errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: refusal, matchingAcls: [] };
      const outcome = outcomes[next++]!;
      if ('problem' in outcome) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: outcome.problem, matchingAcls: [] };
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        matchingAcls: outcome.deleted.map((acl) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...acl })),
      };
    }),
  };
}
