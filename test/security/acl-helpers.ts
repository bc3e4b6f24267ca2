// Shared by the security tests: raw connections as a principal, and granting ACLs through CreateAcls as the
// super user (so every ACL a test relies on went through the broker's own API).
import type { ExecutionContext } from 'ava';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey, type CreateAclsResponse } from '../../src/protocol/generated/index.js';
import { AclPermissionType, PatternType } from '../../src/security/acl-model.js';
import type { RunningBroker } from '../../src/index.js';
import { RawClient } from '../helpers/raw-client.js';
import { ADMIN, principal } from './principals.js';

export interface AclSpec {
  resourceType: number;
  resourceName: string;
  operation: number;
  patternType?: number;
  permissionType?: number;
  host?: string;
}

/** A raw connection whose requests the broker sees as User:<name>; closed when the test ends. */
export async function connectAs(t: ExecutionContext, broker: RunningBroker, name: string): Promise<RawClient> {
  const client = await RawClient.connect(broker.port, broker.host, principal(name).clientId);
  t.teardown(() => client.close());
  return client;
}

/** Creates ACLs for User:<name> through the admin's connection; fails the test if any is refused. */
export async function grant(admin: RawClient, name: string, acls: readonly AclSpec[]): Promise<void> {
  if (acls.length === 0) return;
  const response = await admin.request<CreateAclsResponse>(ApiKey.CreateAcls, 3, {
    creations: acls.map((a) => ({
      resourceType: a.resourceType,
      resourceName: a.resourceName,
      resourcePatternType: a.patternType ?? PatternType.LITERAL,
      principal: principal(name).principal,
      host: a.host ?? '*',
      operation: a.operation,
      permissionType: a.permissionType ?? AclPermissionType.ALLOW,
    })),
  });
  const refused = response.results.filter((r) => r.errorCode !== ErrorCode.NONE);
  if (refused.length > 0) throw new Error(`CreateAcls refused: ${JSON.stringify(refused)}`);
}

/** The super user's connection. */
export function connectAsAdmin(t: ExecutionContext, broker: RunningBroker): Promise<RawClient> {
  return connectAs(t, broker, ADMIN);
}
