// DescribeClientQuotas and AlterClientQuotas. With an authorizer, as Kafka: describing needs DESCRIBE_CONFIGS on
// the cluster, altering ALTER_CONFIGS on it (else CLUSTER_AUTHORIZATION_FAILED). Quotas work without an
// authorizer too (they then apply per client id, or to User:ANONYMOUS).
import { ErrorCode } from '../../protocol/error-codes.js';
import type {
  AlterClientQuotasRequest,
  AlterClientQuotasResponse,
  DescribeClientQuotasRequest,
  DescribeClientQuotasResponse,
} from '../../protocol/generated/index.js';
import { EntityType, type QuotaEntity } from '../../security/client-quotas.js';
import { AclOperation } from '../../security/acl-model.js';
import { allowsCluster } from '../authorization.js';
import type { BrokerContext } from '../context.js';
import type { RequestInfo } from '../request-dispatcher.js';

function wireEntity(entity: QuotaEntity): Array<{ entityType: string; entityName: string | null }> {
  const parts: Array<{ entityType: string; entityName: string | null }> = [];
  if (entity.user !== undefined) parts.push({ entityType: EntityType.USER, entityName: entity.user });
  if (entity.clientId !== undefined) parts.push({ entityType: EntityType.CLIENT_ID, entityName: entity.clientId });
  return parts;
}

export function handleDescribeClientQuotas(ctx: BrokerContext, request: DescribeClientQuotasRequest, info: RequestInfo): DescribeClientQuotasResponse {
  if (!allowsCluster(ctx.authorizer, info, AclOperation.DESCRIBE_CONFIGS)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', entries: null };
  }
  const described = ctx.quotas.describe(request.components, request.strict);
  if (!Array.isArray(described)) return { throttleTimeMs: 0, errorCode: described.errorCode, errorMessage: described.message, entries: null };
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    entries: described.map((entry) => ({ entity: wireEntity(entry.entity), values: [...entry.values].map(([key, value]) => ({ key, value })) })),
  };
}

export async function handleAlterClientQuotas(ctx: BrokerContext, request: AlterClientQuotasRequest, info: RequestInfo): Promise<AlterClientQuotasResponse> {
  const all = (errorCode: number, errorMessage: string): AlterClientQuotasResponse => ({
    throttleTimeMs: 0,
    entries: request.entries.map((e) => ({ errorCode, errorMessage, entity: e.entity })),
  });
  if (!allowsCluster(ctx.authorizer, info, AclOperation.ALTER_CONFIGS)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
  let outcomes;
  try {
    outcomes = await ctx.quotas.alter(request.entries, request.validateOnly);
  } catch (error) {
    ctx.log.error({ err: error }, 'could not save the client quotas');
    return all(ErrorCode.KAFKA_STORAGE_ERROR, `could not save the client quotas: ${(error as Error).message}`);
  }
  if (!request.validateOnly && outcomes.some((o) => o === null)) ctx.log.info({ entries: request.entries.length }, 'client quotas changed');
  return {
    throttleTimeMs: 0,
    entries: request.entries.map((e, i) => {
      const problem = outcomes[i];
      return { errorCode: problem ? problem.errorCode : ErrorCode.NONE, errorMessage: problem ? problem.message : null, entity: e.entity };
    }),
  };
}
