// Which ACL bindings a filter matches (Kafka's ResourcePatternFilter and AccessControlEntryFilter), and the checks
// a new binding or a filter must pass before CreateAcls, DescribeAcls or DeleteAcls act on it (AclApis and
// AclControlManager). A problem is answered INVALID_REQUEST with its reason.
import { parsePrincipal } from '../network/principal.js';
import {
  AclOperation,
  AclPermissionType,
  CLUSTER_RESOURCE_NAME,
  PatternType,
  ResourceType,
  WILDCARD,
  operationName,
  patternTypeName,
  permissionTypeName,
  resourceTypeName,
  type AclBinding,
  type AclBindingFilter,
} from './acl-model.js';

const known = (names: (code: number) => string, code: number): boolean => names(code) !== 'UNKNOWN';

/** Does the filter's resource part match the binding's pattern? */
function patternMatches(filter: AclBindingFilter, acl: AclBinding): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== acl.resourceType) return false;
  const pattern = filter.patternType;
  if (pattern !== PatternType.ANY && pattern !== PatternType.MATCH && pattern !== acl.patternType) return false;
  const name = filter.resourceName;
  if (name === null) return true;
  if (pattern === PatternType.ANY || pattern === acl.patternType) return name === acl.resourceName;
  // MATCH: the bindings that would apply to a resource of that name.
  if (acl.patternType === PatternType.LITERAL) return name === acl.resourceName || acl.resourceName === WILDCARD;
  return name.startsWith(acl.resourceName);
}

/** Does the filter's entry part match the binding's principal, host, operation and permission? */
function entryMatches(filter: AclBindingFilter, acl: AclBinding): boolean {
  if (filter.principal !== null && filter.principal !== acl.principal) return false;
  if (filter.host !== null && filter.host !== acl.host) return false;
  if (filter.operation !== AclOperation.ANY && filter.operation !== acl.operation) return false;
  return filter.permissionType === AclPermissionType.ANY || filter.permissionType === acl.permissionType;
}

export function filterMatches(filter: AclBindingFilter, acl: AclBinding): boolean {
  return patternMatches(filter, acl) && entryMatches(filter, acl);
}

/** Why a filter cannot be used (a field Kafka does not know), or null. */
export function filterProblem(filter: AclBindingFilter): string | null {
  if (!known(resourceTypeName, filter.resourceType) || filter.resourceType === ResourceType.UNKNOWN) return `unknown resource type ${filter.resourceType}`;
  if (!known(patternTypeName, filter.patternType) || filter.patternType === PatternType.UNKNOWN) return `unknown pattern type ${filter.patternType}`;
  if (!known(operationName, filter.operation) || filter.operation === AclOperation.UNKNOWN) return `unknown operation ${filter.operation}`;
  if (!known(permissionTypeName, filter.permissionType) || filter.permissionType === AclPermissionType.UNKNOWN) return `unknown permission type ${filter.permissionType}`;
  return null;
}

/** Why a binding cannot be created, or null: Kafka's AclApis and AclControlManager.validateNewAcl checks. */
export function bindingProblem(acl: AclBinding): string | null {
  if (acl.resourceType === ResourceType.CLUSTER && acl.resourceName !== CLUSTER_RESOURCE_NAME) {
    return `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`;
  }
  if (acl.resourceName === '') return 'Invalid empty resource name';
  if (acl.resourceType === ResourceType.ANY || !known(resourceTypeName, acl.resourceType) || acl.resourceType === ResourceType.UNKNOWN) {
    return `Invalid resourceType ${resourceTypeName(acl.resourceType)}`;
  }
  if (acl.patternType !== PatternType.LITERAL && acl.patternType !== PatternType.PREFIXED) return `Invalid patternType ${patternTypeName(acl.patternType)}`;
  if (acl.operation === AclOperation.ANY || !known(operationName, acl.operation) || acl.operation === AclOperation.UNKNOWN) {
    return `Invalid operation ${operationName(acl.operation)}`;
  }
  if (acl.permissionType !== AclPermissionType.ALLOW && acl.permissionType !== AclPermissionType.DENY) {
    return `Invalid permissionType ${permissionTypeName(acl.permissionType)}`;
  }
  // Kafka would fail every later authorization against such an ACL; refusing it up front is kinder.
  if (parsePrincipal(acl.principal) === null) return `Invalid principal "${acl.principal}": expected type:name, e.g. User:alice`;
  if (acl.host === '') return 'Invalid empty host: use * for every host';
  return null;
}
