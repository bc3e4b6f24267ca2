// Where ACLs live. The authorizer keeps them in memory and asks the store to make each change durable before it
// answers; a single broker keeps them in its data dir (spate-acls.json), a cluster can keep them in etcd behind
// the same interface (and tell every broker of changes made elsewhere through `watch`).
import {
  aclKey,
  operationCode,
  operationName,
  patternTypeCode,
  patternTypeName,
  permissionTypeCode,
  permissionTypeName,
  resourceTypeCode,
  resourceTypeName,
  type AclBinding,
} from './acl-model.js';
import { bindingProblem } from './acl-filter.js';
import { JsonStateFile } from './json-state-file.js';

export interface AclChange {
  readonly added: readonly AclBinding[];
  readonly removed: readonly AclBinding[];
}

export interface AclStore {
  /** Every stored ACL, read once at start. */
  load(): Promise<AclBinding[]>;
  /** Makes one change durable; the authorizer applies it once this resolves. */
  apply(change: AclChange): Promise<void>;
  /** Changes made by other brokers (a shared store); a store only this broker writes never calls it. */
  watch?(onChange: (acls: readonly AclBinding[]) => void): void;
}

export const ACL_FILE = 'spate-acls.json';

/** One ACL as the file keeps it: Kafka's enum names, so the file reads like `kafka-acls.sh --list`. */
interface StoredAcl {
  resourceType: string;
  resourceName: string;
  patternType: string;
  principal: string;
  host: string;
  operation: string;
  permissionType: string;
}

function toStored(acl: AclBinding): StoredAcl {
  return {
    resourceType: resourceTypeName(acl.resourceType),
    resourceName: acl.resourceName,
    patternType: patternTypeName(acl.patternType),
    principal: acl.principal,
    host: acl.host,
    operation: operationName(acl.operation),
    permissionType: permissionTypeName(acl.permissionType),
  };
}

/** The binding a stored entry names, or why it is not one. */
function fromStored(value: unknown): AclBinding | string {
  if (typeof value !== 'object' || value === null) return 'an entry is not an object';
  const v = value as Record<string, unknown>;
  const text = (field: string): string | undefined => (typeof v[field] === 'string' ? (v[field] as string) : undefined);
  const resourceType = resourceTypeCode(text('resourceType') ?? '');
  const patternType = patternTypeCode(text('patternType') ?? '');
  const operation = operationCode(text('operation') ?? '');
  const permissionType = permissionTypeCode(text('permissionType') ?? '');
  const resourceName = text('resourceName');
  const principal = text('principal');
  const host = text('host');
  if (resourceType === undefined || patternType === undefined || operation === undefined || permissionType === undefined) return `entry ${JSON.stringify(value)} has an unknown type name`;
  if (resourceName === undefined || principal === undefined || host === undefined) return `entry ${JSON.stringify(value)} lacks a resource name, principal or host`;
  const acl = { resourceType, resourceName, patternType, principal, host, operation, permissionType };
  const problem = bindingProblem(acl);
  return problem === null ? acl : `entry ${JSON.stringify(value)}: ${problem}`;
}

/** ACLs in `<data-dir>/spate-acls.json`, rewritten atomically on every change. */
export class FileAclStore implements AclStore {
  readonly #file: JsonStateFile;
  /** What the file holds, in creation order. */
  readonly #acls = new Map<string, AclBinding>();
  /** Changes are applied one after the other, each on the result of the one before. */
  #queue: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.#file = new JsonStateFile(dataDir, ACL_FILE);
  }

  async load(): Promise<AclBinding[]> {
    const parsed = await this.#file.read();
    if (parsed === undefined) return [];
    if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== 1 || !Array.isArray((parsed as { acls?: unknown }).acls)) {
      throw this.#file.invalid('is not a version 1 ACL file ({"version": 1, "acls": [...]})');
    }
    for (const entry of (parsed as { acls: unknown[] }).acls) {
      const acl = fromStored(entry);
      if (typeof acl === 'string') throw this.#file.invalid(`is damaged: ${acl}`);
      this.#acls.set(aclKey(acl), acl);
    }
    return [...this.#acls.values()];
  }

  apply(change: AclChange): Promise<void> {
    const run = this.#queue.then(() => this.#applyNow(change));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #applyNow(change: AclChange): Promise<void> {
    const next = new Map(this.#acls);
    for (const acl of change.removed) next.delete(aclKey(acl));
    for (const acl of change.added) next.set(aclKey(acl), acl);
    await this.#file.write({ version: 1, acls: [...next.values()].map(toStored) });
    this.#acls.clear();
    for (const [key, acl] of next) this.#acls.set(key, acl);
  }
}
