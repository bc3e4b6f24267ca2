// Authorized operations for Metadata and DescribeCluster (KIP-430): a bit field with bit n set for Kafka's
// AclOperation code n. Spate has no authorizer, so, as Kafka without one, every client may do every
// operation a resource type supports.

/** Kafka's AclOperation codes. */
const AclOperation = {
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
} as const;

/** The schema default: the client did not ask, so nothing was computed. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

function bitField(operations: readonly number[]): number {
  return operations.reduce((bits, code) => bits | (1 << code), 0);
}

/** What a topic supports: read, write, create, delete, alter, describe, describe and alter configs. */
export const TOPIC_AUTHORIZED_OPERATIONS = bitField([
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.CREATE,
  AclOperation.DELETE,
  AclOperation.ALTER,
  AclOperation.DESCRIBE,
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
]);

/** What the cluster supports: create, cluster action, describe and alter configs, idempotent write, alter, describe. */
export const CLUSTER_AUTHORIZED_OPERATIONS = bitField([
  AclOperation.CREATE,
  AclOperation.CLUSTER_ACTION,
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
  AclOperation.IDEMPOTENT_WRITE,
  AclOperation.ALTER,
  AclOperation.DESCRIBE,
]);

/** What a consumer group supports: read, delete, describe. */
export const GROUP_AUTHORIZED_OPERATIONS = bitField([AclOperation.READ, AclOperation.DELETE, AclOperation.DESCRIBE]);
