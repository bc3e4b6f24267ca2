// ACL administration with Spate's client: CreateAcls, DescribeAcls and DeleteAcls, each error raised as a coded
// KafkaResponseError naming the ACL or filter it belongs to.
import { ApiKey, type CreateAclsResponse, type DeleteAclsResponse, type DescribeAclsResponse } from '../protocol/generated/index.js';
import { describeAcl, type AclBinding, type AclBindingFilter } from '../security/acl-model.js';
import type { Cluster } from './cluster.js';
import { checkErrorCode } from './errors.js';

function wireFilter(filter: AclBindingFilter) {
  return {
    resourceTypeFilter: filter.resourceType,
    resourceNameFilter: filter.resourceName,
    patternTypeFilter: filter.patternType,
    principalFilter: filter.principal,
    hostFilter: filter.host,
    operation: filter.operation,
    permissionType: filter.permissionType,
  };
}

export class AclAdmin {
  readonly #cluster: Cluster;

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
  }

  async create(acls: readonly AclBinding[]): Promise<void> {
    const connection = await this.#cluster.anyConnection();
    const response = await connection.request<CreateAclsResponse>(ApiKey.CreateAcls, connection.version(ApiKey.CreateAcls), {
      creations: acls.map((acl) => ({
        resourceType: acl.resourceType,
        resourceName: acl.resourceName,
        resourcePatternType: acl.patternType,
        principal: acl.principal,
        host: acl.host,
        operation: acl.operation,
        permissionType: acl.permissionType,
      })),
    });
    response.results.forEach((result, i) => checkErrorCode(result.errorCode, `creating ACL ${describeAcl(acls[i]!)}`, result.errorMessage));
  }

  async list(filter: AclBindingFilter): Promise<AclBinding[]> {
    const connection = await this.#cluster.anyConnection();
    const response = await connection.request<DescribeAclsResponse>(ApiKey.DescribeAcls, connection.version(ApiKey.DescribeAcls), wireFilter(filter));
    checkErrorCode(response.errorCode, 'listing ACLs', response.errorMessage);
    return response.resources.flatMap((resource) =>
      resource.acls.map((acl) => ({ resourceType: resource.resourceType, resourceName: resource.resourceName, patternType: resource.patternType, ...acl })),
    );
  }

  /** Deletes every ACL the filters match; returns those deleted. */
  async delete(filters: readonly AclBindingFilter[]): Promise<AclBinding[]> {
    const connection = await this.#cluster.anyConnection();
    const response = await connection.request<DeleteAclsResponse>(ApiKey.DeleteAcls, connection.version(ApiKey.DeleteAcls), { filters: filters.map(wireFilter) });
    const deleted: AclBinding[] = [];
    for (const result of response.filterResults) {
      checkErrorCode(result.errorCode, 'deleting ACLs', result.errorMessage);
      for (const m of result.matchingAcls) {
        checkErrorCode(m.errorCode, 'deleting an ACL', m.errorMessage);
        deleted.push({
          resourceType: m.resourceType,
          resourceName: m.resourceName,
          patternType: m.patternType,
          principal: m.principal,
          host: m.host,
          operation: m.operation,
          permissionType: m.permissionType,
        });
      }
    }
    return deleted;
  }
}
