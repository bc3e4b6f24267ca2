// Kafka's ACL model: resource types, pattern types, operations and permission types with their wire codes
// (org.apache.kafka.common.acl and .resource), an ACL binding (a resource pattern and an access control entry)
// and a binding filter, as CreateAcls, DescribeAcls and DeleteAcls carry them.

export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

export const PatternType = {
  UNKNOWN: 0,
  ANY: 1,
  /** Filters only: literal, wildcard and prefixed patterns that match a name. */
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const;

export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;

export const AclPermissionType = {
  UNKNOWN: 0,
  ANY: 1,
  DENY: 2,
  ALLOW: 3,
} as const;

export type ResourceTypeCode = (typeof ResourceType)[keyof typeof ResourceType];
export type AclOperationCode = (typeof AclOperation)[keyof typeof AclOperation];

/** The one name a CLUSTER resource has. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** A LITERAL resource name, host or principal name that matches every one. */
export const WILDCARD = '*';
export const WILDCARD_PRINCIPAL = 'User:*';

/** One ACL: who (principal, host) may or may not (permission) do what (operation) on which resources (pattern). */
export interface AclBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  /** "User:alice", or "User:*" for everyone. */
  readonly principal: string;
  /** A client address, or "*". */
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

/** Matches ACL bindings: ANY codes and null strings match everything; MATCH patterns match names (see acl-filter.ts). */
export interface AclBindingFilter {
  readonly resourceType: number;
  readonly resourceName: string | null;
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

function namesOf(codes: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  return new Map(Object.entries(codes).map(([name, code]) => [code, name]));
}

const RESOURCE_TYPE_NAMES = namesOf(ResourceType);
const PATTERN_TYPE_NAMES = namesOf(PatternType);
const OPERATION_NAMES = namesOf(AclOperation);
const PERMISSION_NAMES = namesOf(AclPermissionType);

/** Kafka's enum name of a code ("TOPIC", "PREFIXED", "READ", "ALLOW"), or UNKNOWN for a code it does not define. */
export const resourceTypeName = (code: number): string => RESOURCE_TYPE_NAMES.get(code) ?? 'UNKNOWN';
export const patternTypeName = (code: number): string => PATTERN_TYPE_NAMES.get(code) ?? 'UNKNOWN';
export const operationName = (code: number): string => OPERATION_NAMES.get(code) ?? 'UNKNOWN';
export const permissionTypeName = (code: number): string => PERMISSION_NAMES.get(code) ?? 'UNKNOWN';

/** The code of an enum name, case-insensitive, "-" or "_" alike (the CLI's `--operation describe-configs`); undefined if none. */
function codeOf(codes: Readonly<Record<string, number>>, name: string): number | undefined {
  const key = name.trim().toUpperCase().replace(/-/g, '_');
  return Object.hasOwn(codes, key) ? codes[key] : undefined;
}

export const resourceTypeCode = (name: string): number | undefined => codeOf(ResourceType, name);
export const patternTypeCode = (name: string): number | undefined => codeOf(PatternType, name);
export const operationCode = (name: string): number | undefined => codeOf(AclOperation, name);
export const permissionTypeCode = (name: string): number | undefined => codeOf(AclPermissionType, name);

/** The operations each concrete resource type supports (Kafka 3.7's AclEntry.supportedOperations). */
export const SUPPORTED_OPERATIONS: ReadonlyMap<number, readonly AclOperationCode[]> = new Map<number, readonly AclOperationCode[]>([
  [
    ResourceType.TOPIC,
    [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  ],
  [ResourceType.GROUP, [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE]],
  [
    ResourceType.CLUSTER,
    [
      AclOperation.CREATE,
      AclOperation.CLUSTER_ACTION,
      AclOperation.DESCRIBE_CONFIGS,
      AclOperation.ALTER_CONFIGS,
      AclOperation.IDEMPOTENT_WRITE,
      AclOperation.ALTER,
      AclOperation.DESCRIBE,
    ],
  ],
  [ResourceType.TRANSACTIONAL_ID, [AclOperation.DESCRIBE, AclOperation.WRITE]],
  [ResourceType.DELEGATION_TOKEN, [AclOperation.DESCRIBE]],
  [ResourceType.USER, [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS]],
]);

/** Two bindings are the same ACL when every field is equal. */
export function aclKey(acl: AclBinding): string {
  return [acl.resourceType, acl.patternType, acl.operation, acl.permissionType, acl.resourceName, acl.principal, acl.host].join('\u0000');
}

/** "ALLOW User:alice from * READ on TOPIC:LITERAL:orders", for logs and the CLI. */
export function describeAcl(acl: AclBinding): string {
  return `${permissionTypeName(acl.permissionType)} ${acl.principal} from ${acl.host} ${operationName(acl.operation)} on ${resourceTypeName(acl.resourceType)}:${patternTypeName(acl.patternType)}:${acl.resourceName}`;
}
