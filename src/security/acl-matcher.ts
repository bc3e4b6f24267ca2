// Deciding one action against a set of ACLs, as Kafka's StandardAuthorizerData does: every ACL whose pattern
// covers the resource (the literal name, a prefix of it, the literal wildcard "*") is looked at; one DENY that
// matches the principal, host and operation denies; otherwise one matching ALLOW allows; otherwise the action is
// denied if the resource has ACLs at all (for anyone), and falls to allow.everyone.if.no.acl.found if it has none.
// An ALLOW for READ, WRITE, DELETE or ALTER also allows DESCRIBE, and ALTER_CONFIGS allows DESCRIBE_CONFIGS; a
// DENY only denies its own operation (or ALL).
import { AclOperation, AclPermissionType, PatternType, WILDCARD, WILDCARD_PRINCIPAL, type AclBinding } from './acl-model.js';

export type AclDecision = 'allowed' | 'denied' | 'no-acls';

/** Who asks: Kafka's principal string ("User:alice") and the client's address. */
export interface AclSubject {
  readonly principal: string;
  readonly host: string;
}

const IMPLIES_DESCRIBE: ReadonlySet<number> = new Set([AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER]);
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<number> = new Set([AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]);

/** The ACLs of one resource type, indexed by what they cover. */
interface TypeIndex {
  readonly literal: Map<string, AclBinding[]>;
  readonly prefixed: Map<string, AclBinding[]>;
  readonly wildcard: AclBinding[];
  readonly all: AclBinding[];
}

function push(map: Map<string, AclBinding[]>, key: string, acl: AclBinding): void {
  const list = map.get(key);
  if (list) list.push(acl);
  else map.set(key, [acl]);
}

/** Does `acl` say something about this subject doing `operation`? (Its pattern is already known to cover the resource.) */
function applies(acl: AclBinding, subject: AclSubject, operation: number): boolean {
  if (acl.principal !== subject.principal && acl.principal !== WILDCARD_PRINCIPAL) return false;
  if (acl.host !== WILDCARD && acl.host !== subject.host) return false;
  if (acl.operation === AclOperation.ALL || acl.operation === operation) return true;
  if (acl.permissionType !== AclPermissionType.ALLOW) return false;
  if (operation === AclOperation.DESCRIBE) return IMPLIES_DESCRIBE.has(acl.operation);
  if (operation === AclOperation.DESCRIBE_CONFIGS) return IMPLIES_DESCRIBE_CONFIGS.has(acl.operation);
  return false;
}

export class AclMatcher {
  readonly #byType = new Map<number, TypeIndex>();

  constructor(acls: Iterable<AclBinding>) {
    for (const acl of acls) {
      let index = this.#byType.get(acl.resourceType);
      if (!index) {
        index = { literal: new Map(), prefixed: new Map(), wildcard: [], all: [] };
        this.#byType.set(acl.resourceType, index);
      }
      index.all.push(acl);
      if (acl.patternType === PatternType.PREFIXED) push(index.prefixed, acl.resourceName, acl);
      else if (acl.resourceName === WILDCARD) index.wildcard.push(acl);
      else push(index.literal, acl.resourceName, acl);
    }
  }

  decide(subject: AclSubject, operation: number, resourceType: number, resourceName: string): AclDecision {
    const index = this.#byType.get(resourceType);
    if (!index) return 'no-acls';
    let covered = false;
    let allowed = false;
    // Returns true once a DENY settles it.
    const scan = (acls: readonly AclBinding[] | undefined): boolean => {
      if (!acls) return false;
      covered = true;
      for (const acl of acls) {
        if (!applies(acl, subject, operation)) continue;
        if (acl.permissionType === AclPermissionType.DENY) return true;
        allowed = true;
      }
      return false;
    };
    if (scan(index.literal.get(resourceName))) return 'denied';
    if (index.prefixed.size > 0) {
      for (let length = 1; length <= resourceName.length; length++) {
        if (scan(index.prefixed.get(resourceName.slice(0, length)))) return 'denied';
      }
    }
    if (index.wildcard.length > 0 && scan(index.wildcard)) return 'denied';
    if (allowed) return 'allowed';
    return covered ? 'denied' : 'no-acls';
  }

  /**
   * Kafka's Authorizer.authorizeByResourceType: may the subject do `operation` on at least one resource of the
   * type, given its ALLOWs and the DENYs that would cover them (a literal or prefixed DENY for the same name,
   * a prefixed DENY for a prefix of it, a wildcard DENY for everything)? Super users are decided by the caller.
   */
  allowsSomeOfType(subject: AclSubject, operation: number, resourceType: number): boolean {
    const index = this.#byType.get(resourceType);
    if (!index) return false;
    const denied = { literal: new Set<string>(), prefixed: new Set<string>() };
    const allowed = { literal: new Set<string>(), prefixed: new Set<string>() };
    for (const acl of index.all) {
      if (acl.principal !== subject.principal && acl.principal !== WILDCARD_PRINCIPAL) continue;
      if (acl.host !== WILDCARD && acl.host !== subject.host) continue;
      if (acl.operation !== operation && acl.operation !== AclOperation.ALL) continue;
      const literal = acl.patternType === PatternType.LITERAL;
      if (acl.permissionType === AclPermissionType.DENY) {
        if (literal && acl.resourceName === WILDCARD) return false;
        (literal ? denied.literal : denied.prefixed).add(acl.resourceName);
      } else if (acl.permissionType === AclPermissionType.ALLOW) {
        if (literal && acl.resourceName === WILDCARD) return true;
        (literal ? allowed.literal : allowed.prefixed).add(acl.resourceName);
      }
    }
    const dominated = (name: string): boolean => {
      for (let length = 1; length <= name.length; length++) if (denied.prefixed.has(name.slice(0, length))) return true;
      return false;
    };
    for (const name of allowed.literal) if (!denied.literal.has(name) && !dominated(name)) return true;
    for (const name of allowed.prefixed) if (!dominated(name)) return true;
    return false;
  }
}
