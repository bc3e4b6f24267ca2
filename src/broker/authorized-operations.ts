// Authorized operations for Metadata, DescribeCluster and DescribeGroups (KIP-430): a bit field with bit n set for
// Kafka's AclOperation code n. Without an authorizer, as in Kafka without one, every client may do every operation
// a resource type supports: the constants below. With one, the authorizer answers (authorization.ts).
import { ResourceType, SUPPORTED_OPERATIONS } from '../security/acl-model.js';

/** The schema default: the client did not ask, so nothing was computed. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

function everything(resourceType: number): number {
  return (SUPPORTED_OPERATIONS.get(resourceType) ?? []).reduce<number>((bits, code) => bits | (1 << code), 0);
}

/** What a topic supports: read, write, create, delete, alter, describe, describe and alter configs. */
export const TOPIC_AUTHORIZED_OPERATIONS = everything(ResourceType.TOPIC);

/** What the cluster supports: create, cluster action, describe and alter configs, idempotent write, alter, describe. */
export const CLUSTER_AUTHORIZED_OPERATIONS = everything(ResourceType.CLUSTER);

/** What a consumer group supports: read, delete, describe. */
export const GROUP_AUTHORIZED_OPERATIONS = everything(ResourceType.GROUP);
