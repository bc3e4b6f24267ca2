// The standard authorizer (Kafka's org.apache.kafka.metadata.authorizer.StandardAuthorizer): super users may do
// anything; everyone else is decided by the ACLs (acl-matcher.ts), and an action on a resource no ACL covers is
// allowed only with allow.everyone.if.no.acl.found. ACL changes are made durable by the store before they take
// effect, one change at a time. Decisions are cached per (principal, host, operation, resource) until the ACLs
// change; the cache holds at most CACHE_ENTRIES decisions with keys of at most MAX_CACHED_KEY_CHARS characters
// (at most about 10 MiB, some 2 MiB with ordinary names) and starts over when full.
import { configError } from '../errors.js';
import { parsePrincipal, principalString, type KafkaPrincipal } from '../network/principal.js';
import { bindingProblem, filterMatches, filterProblem } from './acl-filter.js';
import { AclMatcher, type AclSubject } from './acl-matcher.js';
import { SUPPORTED_OPERATIONS, aclKey, type AclBinding, type AclBindingFilter } from './acl-model.js';
import type { AclStore } from './acl-store.js';

/** Kafka's class name for it, which `authorizer.class.name` takes. */
export const STANDARD_AUTHORIZER_CLASS = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';

/** Decisions kept at most; each costs its key and a map entry (about 100 bytes with ordinary names). */
const CACHE_ENTRIES = 16_384;
/** Longer keys (a client may name a group of any length) are decided every time rather than cached. */
const MAX_CACHED_KEY_CHARS = 256;

export interface AuthorizerSettings {
  /** `super.users`: principals separated by ";", e.g. "User:admin;User:ops". */
  superUsers: string;
  /** `allow.everyone.if.no.acl.found`. */
  allowIfNoAcl: boolean;
}

/** Who is asking, as a connection knows it. */
export interface Session {
  readonly principal: KafkaPrincipal;
  /** The client's IP address (IPv4-mapped IPv6 addresses in their IPv4 form). */
  readonly host: string;
}

/** One binding's outcome in CreateAcls: null on success, else why not. */
export type AclCreateOutcome = { problem: string } | null;

/** One filter's outcome in DeleteAcls: the bindings it removed, or why it could not be used. */
export type AclDeleteOutcome = { deleted: AclBinding[] } | { problem: string };

/** Parses `super.users` as Kafka does: ";"-separated, blanks ignored, each a type:name principal. */
export function parseSuperUsers(value: string): Set<string> {
  const users = new Set<string>();
  for (const part of value.split(';')) {
    const text = part.trim();
    if (text === '') continue;
    if (parsePrincipal(text) === null) throw configError(`config "super.users" must list principals as type:name separated by ";", got "${text}"`);
    users.add(text);
  }
  return users;
}

export class StandardAuthorizer {
  readonly #superUsers: ReadonlySet<string>;
  readonly #allowIfNoAcl: boolean;
  readonly #store: AclStore;
  /** Every ACL, by its identity (aclKey), in creation order. */
  readonly #acls = new Map<string, AclBinding>();
  #matcher = new AclMatcher([]);
  readonly #cache = new Map<string, boolean>();
  #changing: Promise<unknown> = Promise.resolve();

  private constructor(settings: AuthorizerSettings, store: AclStore) {
    this.#superUsers = parseSuperUsers(settings.superUsers);
    this.#allowIfNoAcl = settings.allowIfNoAcl;
    this.#store = store;
  }

  /** Loads the stored ACLs; a store shared with other brokers keeps this one up to date through its watch. */
  static async start(settings: AuthorizerSettings, store: AclStore): Promise<StandardAuthorizer> {
    const authorizer = new StandardAuthorizer(settings, store);
    authorizer.#replaceAll(await store.load());
    store.watch?.((acls) => authorizer.#replaceAll(acls));
    return authorizer;
  }

  get aclCount(): number {
    return this.#acls.size;
  }

  /** May `session` do `operation` on the resource? */
  authorize(session: Session, operation: number, resourceType: number, resourceName: string): boolean {
    const principal = principalString(session.principal);
    if (this.#superUsers.has(principal)) return true;
    const key = `${principal}\u0000${session.host}\u0000${resourceType}\u0000${operation}\u0000${resourceName}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const decision = this.#matcher.decide({ principal, host: session.host }, operation, resourceType, resourceName);
    const allowed = decision === 'allowed' || (decision === 'no-acls' && this.#allowIfNoAcl);
    if (key.length <= MAX_CACHED_KEY_CHARS) {
      if (this.#cache.size >= CACHE_ENTRIES) this.#cache.clear();
      this.#cache.set(key, allowed);
    }
    return allowed;
  }

  /**
   * May `session` do `operation` on some resource of the type (Kafka's authorizeByResourceType, used by
   * InitProducerId: WRITE on any topic stands in for IDEMPOTENT_WRITE on the cluster)?
   */
  authorizeByResourceType(session: Session, operation: number, resourceType: number): boolean {
    // As Kafka: a name no ACL names decides super users and the no-ACL default.
    if (this.authorize(session, operation, resourceType, 'hardcode')) return true;
    const subject: AclSubject = { principal: principalString(session.principal), host: session.host };
    return this.#matcher.allowsSomeOfType(subject, operation, resourceType);
  }

  /** Kafka's authorized-operations bit field (KIP-430): bit n for each operation code n the session may do. */
  authorizedOperations(session: Session, resourceType: number, resourceName: string): number {
    let bits = 0;
    for (const operation of SUPPORTED_OPERATIONS.get(resourceType) ?? []) {
      if (this.authorize(session, operation, resourceType, resourceName)) bits |= 1 << operation;
    }
    return bits;
  }

  /** The ACLs a filter matches (DescribeAcls). */
  describe(filter: AclBindingFilter): AclBinding[] {
    return [...this.#acls.values()].filter((acl) => filterMatches(filter, acl));
  }

  /** Creates the valid bindings (an existing one is a success that changes nothing); one outcome per binding. */
  create(bindings: readonly AclBinding[]): Promise<AclCreateOutcome[]> {
    return this.#serialized(async () => {
      const outcomes: AclCreateOutcome[] = [];
      const added = new Map<string, AclBinding>();
      for (const acl of bindings) {
        const problem = bindingProblem(acl);
        outcomes.push(problem === null ? null : { problem });
        const key = aclKey(acl);
        if (problem === null && !this.#acls.has(key)) added.set(key, acl);
      }
      if (added.size > 0) {
        await this.#store.apply({ added: [...added.values()], removed: [] });
        for (const [key, acl] of added) this.#acls.set(key, acl);
        this.#rebuild();
      }
      return outcomes;
    });
  }

  /** Deletes every binding each filter matches; a binding matched by several filters is reported by each. */
  delete(filters: readonly AclBindingFilter[]): Promise<AclDeleteOutcome[]> {
    return this.#serialized(async () => {
      const removed = new Map<string, AclBinding>();
      const outcomes: AclDeleteOutcome[] = filters.map((filter) => {
        const problem = filterProblem(filter);
        if (problem !== null) return { problem };
        const deleted = [...this.#acls.entries()].filter(([, acl]) => filterMatches(filter, acl));
        for (const [key, acl] of deleted) removed.set(key, acl);
        return { deleted: deleted.map(([, acl]) => acl) };
      });
      if (removed.size > 0) {
        await this.#store.apply({ added: [], removed: [...removed.values()] });
        for (const key of removed.keys()) this.#acls.delete(key);
        this.#rebuild();
      }
      return outcomes;
    });
  }

  #serialized<T>(change: () => Promise<T>): Promise<T> {
    const run = this.#changing.then(change);
    this.#changing = run.catch(() => undefined);
    return run;
  }

  #replaceAll(acls: readonly AclBinding[]): void {
    this.#acls.clear();
    for (const acl of acls) this.#acls.set(aclKey(acl), acl);
    this.#rebuild();
  }

  #rebuild(): void {
    this.#matcher = new AclMatcher(this.#acls.values());
    this.#cache.clear();
  }
}
