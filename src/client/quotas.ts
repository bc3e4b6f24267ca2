// Client quota administration with Spate's client: DescribeClientQuotas and AlterClientQuotas for users and
// client ids (each named, or the default when null).
import { ApiKey, type AlterClientQuotasResponse, type DescribeClientQuotasResponse } from '../protocol/generated/index.js';
import type { Cluster } from './cluster.js';
import { checkErrorCode } from './errors.js';

/** A quota entity: `user` and/or `clientId`, each a name or null for the default; absent parts are not part of it. */
export interface QuotaEntityName {
  user?: string | null;
  clientId?: string | null;
}

export interface DescribedQuota {
  entity: QuotaEntityName;
  values: Record<string, number>;
}

const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;

function wireEntity(entity: QuotaEntityName): Array<{ entityType: string; entityName: string | null }> {
  const parts: Array<{ entityType: string; entityName: string | null }> = [];
  if (entity.user !== undefined) parts.push({ entityType: 'user', entityName: entity.user });
  if (entity.clientId !== undefined) parts.push({ entityType: 'client-id', entityName: entity.clientId });
  return parts;
}

function entityText(entity: QuotaEntityName): string {
  return wireEntity(entity)
    .map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`)
    .join(',');
}

export class QuotaAdmin {
  readonly #cluster: Cluster;

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
  }

  /** Sets the `set` values and removes the `remove` keys of one entity. */
  async alter(entity: QuotaEntityName, set: Record<string, number>, remove: readonly string[] = []): Promise<void> {
    const connection = await this.#cluster.anyConnection();
    const ops = [...Object.entries(set).map(([key, value]) => ({ key, value, remove: false })), ...remove.map((key) => ({ key, value: 0, remove: true }))];
    const response = await connection.request<AlterClientQuotasResponse>(ApiKey.AlterClientQuotas, connection.version(ApiKey.AlterClientQuotas), {
      entries: [{ entity: wireEntity(entity), ops }],
      validateOnly: false,
    });
    for (const entry of response.entries) checkErrorCode(entry.errorCode, `altering the quotas of ${entityText(entity)}`, entry.errorMessage);
  }

  /** The quotas of entities matching `filter` (each named part exact, a null part the default); {} lists every entity. */
  async describe(filter: QuotaEntityName = {}): Promise<DescribedQuota[]> {
    const connection = await this.#cluster.anyConnection();
    const components = wireEntity(filter).map((p) => ({ entityType: p.entityType, matchType: p.entityName === null ? MATCH_DEFAULT : MATCH_EXACT, match: p.entityName }));
    const response = await connection.request<DescribeClientQuotasResponse>(ApiKey.DescribeClientQuotas, connection.version(ApiKey.DescribeClientQuotas), {
      components,
      strict: false,
    });
    checkErrorCode(response.errorCode, 'describing client quotas', response.errorMessage);
    return (response.entries ?? []).map((entry) => {
      const entity: QuotaEntityName = {};
      for (const part of entry.entity) {
        if (part.entityType === 'user') entity.user = part.entityName;
        else if (part.entityType === 'client-id') entity.clientId = part.entityName;
      }
      return { entity, values: Object.fromEntries(entry.values.map((v) => [v.key, v.value])) };
    });
  }
}
