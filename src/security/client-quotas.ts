// Client quotas as AlterClientQuotas sets them and DescribeClientQuotas lists them: values (producer_byte_rate,
// consumer_byte_rate, request_percentage, controller_mutation_rate) per entity, an entity being a user, a client
// id, or both, each either named or the default (null). Checked as Kafka's ClientQuotaControlManager checks them,
// described as its ClientQuotasImage filters them, and looked up for a connection as Kafka's default quota
// callback does: the most specific entity that has a value wins, in the order
//   user+client-id, user+default client-id, user, default user+client-id, default user+default client-id,
//   default user, client-id, default client-id.
import { ErrorCode } from '../protocol/error-codes.js';

export const QuotaKey = {
  PRODUCER_BYTE_RATE: 'producer_byte_rate',
  CONSUMER_BYTE_RATE: 'consumer_byte_rate',
  REQUEST_PERCENTAGE: 'request_percentage',
  CONTROLLER_MUTATION_RATE: 'controller_mutation_rate',
} as const;

export type QuotaKeyName = (typeof QuotaKey)[keyof typeof QuotaKey];

/** Kafka's quota config types: LONG keys take whole numbers only. */
const KEY_TYPES: ReadonlyMap<string, 'long' | 'double'> = new Map([
  [QuotaKey.PRODUCER_BYTE_RATE, 'long'],
  [QuotaKey.CONSUMER_BYTE_RATE, 'long'],
  [QuotaKey.REQUEST_PERCENTAGE, 'double'],
  [QuotaKey.CONTROLLER_MUTATION_RATE, 'double'],
]);

export const EntityType = { USER: 'user', CLIENT_ID: 'client-id', IP: 'ip' } as const;

/** A quota entity: each part absent (undefined), the default (null) or a name. */
export interface QuotaEntity {
  readonly user?: string | null;
  readonly clientId?: string | null;
}

export interface QuotaEntry {
  readonly entity: QuotaEntity;
  readonly values: ReadonlyMap<string, number>;
}

/** One AlterClientQuotas entry as it arrives: entity parts by type, and set (value) or remove (null) per key. */
export interface QuotaAlteration {
  readonly entity: ReadonlyArray<{ entityType: string; entityName: string | null }>;
  readonly ops: ReadonlyArray<{ key: string; value: number; remove: boolean }>;
}

export interface QuotaProblem {
  readonly errorCode: number;
  readonly message: string;
}

/** A DescribeClientQuotas filter component: match type 0 exact name, 1 the default, 2 any entity having that part. */
export interface QuotaFilterComponent {
  readonly entityType: string;
  readonly matchType: number;
  readonly match: string | null;
}

/** Java's Long.MAX_VALUE as a double, the largest LONG quota. */
const LONG_MAX = 9223372036854775807;

const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;
const MATCH_SPECIFIED = 2;

export function entityKey(entity: QuotaEntity): string {
  const part = (v: string | null | undefined): string => (v === undefined ? '-' : v === null ? '*' : `=${v}`);
  return `${part(entity.user)}\u0000${part(entity.clientId)}`;
}

function invalid(message: string): QuotaProblem {
  return { errorCode: ErrorCode.INVALID_REQUEST, message };
}

/** The entity an alteration names, or why it names none Spate takes. */
function parseEntity(parts: QuotaAlteration['entity']): QuotaEntity | QuotaProblem {
  if (parts.length === 0) return invalid('Invalid empty client quota entity');
  const seen = new Set<string>();
  let user: string | null | undefined;
  let clientId: string | null | undefined;
  for (const { entityType, entityName } of parts) {
    if (seen.has(entityType)) return invalid(`Invalid client quota entity, duplicate entity entry ${entityType}`);
    seen.add(entityType);
    if (entityType === EntityType.IP) return invalid('ip entities (connection_creation_rate) are not supported by Spate');
    if (entityType !== EntityType.USER && entityType !== EntityType.CLIENT_ID) return invalid(`Unhandled client quota entity type: ${entityType}`);
    if (entityName === '') return invalid(`Empty ${entityType} not supported`);
    if (entityType === EntityType.USER) user = entityName;
    else clientId = entityName;
  }
  return { ...(user !== undefined ? { user } : {}), ...(clientId !== undefined ? { clientId } : {}) };
}

function valueProblem(key: string, value: number): QuotaProblem | null {
  const type = KEY_TYPES.get(key);
  if (type === undefined) return invalid(`Invalid configuration key ${key}`);
  if (!(value > 0)) return invalid(`Quota ${key} must be greater than 0`);
  if (type === 'long') {
    if (value > LONG_MAX) return invalid(`Proposed value for ${key} is too large for a LONG.`);
    if (Math.abs(value % 1) > 1e-6) return invalid(`${key} cannot be a fractional value.`);
  }
  if (!Number.isFinite(value)) return invalid(`Quota ${key} must be a finite number`);
  return null;
}

/** The entities' values, with the checks and lookups above. Changes go through `prepare` and then `commit`. */
export class ClientQuotas {
  readonly #entries = new Map<string, QuotaEntry>();
  /** Per key, which entity shapes have a value for it: what lookups and metric tags depend on. */
  #shapes = new Map<string, Set<'user' | 'client' | 'both'>>();

  constructor(entries: Iterable<QuotaEntry> = []) {
    for (const entry of entries) this.#entries.set(entityKey(entry.entity), entry);
    this.#reindex();
  }

  get entries(): QuotaEntry[] {
    return [...this.#entries.values()];
  }

  /** Has any entity a value for `key`? Without one, nothing is measured for it. */
  has(key: QuotaKeyName): boolean {
    return (this.#shapes.get(key)?.size ?? 0) > 0;
  }

  /**
   * Checks every alteration; returns one outcome per alteration (null = accepted) and the entries as they would
   * be after the accepted ones (alterations of an entity named twice are all refused, as in Kafka).
   */
  prepare(alterations: readonly QuotaAlteration[]): { outcomes: Array<QuotaProblem | null>; next: Map<string, QuotaEntry> } {
    const next = new Map(this.#entries);
    const parsed = alterations.map((a) => parseEntity(a.entity));
    const counts = new Map<string, number>();
    for (const entity of parsed) if (!('errorCode' in entity)) counts.set(entityKey(entity), (counts.get(entityKey(entity)) ?? 0) + 1);
    const outcomes = alterations.map((alteration, i): QuotaProblem | null => {
      const entity = parsed[i]!;
      if ('errorCode' in entity) return entity;
      const key = entityKey(entity);
      if ((counts.get(key) ?? 0) > 1) return invalid(`Ignoring duplicate entity ${describeEntity(entity)}`);
      const keys = new Set<string>();
      for (const op of alteration.ops) {
        if (keys.has(op.key)) return invalid(`Duplicate quota key ${op.key} not updating quota for this entity ${describeEntity(entity)}`);
        keys.add(op.key);
      }
      const values = new Map(next.get(key)?.values ?? []);
      for (const op of alteration.ops) {
        if (op.remove) {
          values.delete(op.key);
          continue;
        }
        const problem = valueProblem(op.key, op.value);
        if (problem) return problem;
        values.set(op.key, op.value);
      }
      if (values.size === 0) next.delete(key);
      else next.set(key, { entity, values });
      return null;
    });
    return { outcomes, next };
  }

  /** Takes another broker's entries as they are (a shared store's watch). */
  replaceAll(entries: Iterable<QuotaEntry>): void {
    this.commit(new Map([...entries].map((entry) => [entityKey(entry.entity), entry])));
  }

  /** Makes a prepared state the current one. */
  commit(next: ReadonlyMap<string, QuotaEntry>): void {
    this.#entries.clear();
    for (const [key, entry] of next) this.#entries.set(key, entry);
    this.#reindex();
  }

  /** DescribeClientQuotas: the entries the filter matches, or the problem with the filter. */
  describe(components: readonly QuotaFilterComponent[], strict: boolean): QuotaEntry[] | QuotaProblem {
    const exact = new Map<string, string | null>();
    const specified = new Set<string>();
    for (const c of components) {
      if (c.entityType === '') return invalid('Invalid empty entity type.');
      if (exact.has(c.entityType) || specified.has(c.entityType)) return invalid(`Entity type ${c.entityType} cannot appear more than once in the filter.`);
      if (c.entityType !== EntityType.USER && c.entityType !== EntityType.CLIENT_ID && c.entityType !== EntityType.IP) {
        return { errorCode: ErrorCode.UNSUPPORTED_VERSION, message: `Unsupported entity type ${c.entityType}` };
      }
      if (c.matchType === MATCH_EXACT) {
        if (c.match === null) return invalid('Request specified MATCH_TYPE_EXACT, but set match string to null.');
        exact.set(c.entityType, c.match);
      } else if (c.matchType === MATCH_DEFAULT) {
        if (c.match !== null) return invalid('Request specified MATCH_TYPE_DEFAULT, but also specified a match string.');
        exact.set(c.entityType, null);
      } else if (c.matchType === MATCH_SPECIFIED) {
        if (c.match !== null) return invalid('Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.');
        specified.add(c.entityType);
      } else {
        return invalid(`Unknown match type ${c.matchType}`);
      }
    }
    const hasIp = exact.has(EntityType.IP) || specified.has(EntityType.IP);
    const hasOther = [EntityType.USER, EntityType.CLIENT_ID].some((t) => exact.has(t) || specified.has(t));
    if (hasIp && hasOther) return invalid('Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.');
    return this.entries.filter(({ entity }) => {
      const parts = new Map<string, string | null>();
      if (entity.user !== undefined) parts.set(EntityType.USER, entity.user);
      if (entity.clientId !== undefined) parts.set(EntityType.CLIENT_ID, entity.clientId);
      if (strict && parts.size !== exact.size + specified.size) return false;
      for (const [type, name] of exact) if (!parts.has(type) || parts.get(type) !== name) return false;
      for (const type of specified) if (!parts.has(type)) return false;
      return true;
    });
  }

  /**
   * Which (user, client id) a connection's usage is counted under for `key` (Kafka's quotaMetricTags): with one
   * kind of entity configured, only the parts that kind names; otherwise those of the entity whose value applies.
   */
  metricTags(key: QuotaKeyName, user: string, clientId: string): { user: string; clientId: string } {
    const shapes = this.#shapes.get(key);
    if (!shapes || shapes.size === 0 || (shapes.size === 1 && shapes.has('client'))) return { user: '', clientId };
    if (shapes.size === 1 && shapes.has('user')) return { user, clientId: '' };
    if (shapes.size === 1 && shapes.has('both')) return { user, clientId };
    const has = (entity: QuotaEntity): boolean => this.#entries.get(entityKey(entity))?.values.has(key) ?? false;
    if (has({ user, clientId }) || has({ user, clientId: null })) return { user, clientId };
    if (has({ user })) return { user, clientId: '' };
    if (has({ user: null, clientId }) || has({ user: null, clientId: null })) return { user, clientId };
    if (has({ user: null })) return { user, clientId: '' };
    return { user: '', clientId };
  }

  /** The limit for usage counted under these tags (Kafka's DefaultQuotaCallback.quotaLimit); undefined = none. */
  limit(key: QuotaKeyName, tags: { user: string; clientId: string }): number | undefined {
    const value = (entity: QuotaEntity): number | undefined => this.#entries.get(entityKey(entity))?.values.get(key);
    const { user, clientId } = tags;
    if (user !== '' && clientId !== '') {
      return value({ user, clientId }) ?? value({ user, clientId: null }) ?? value({ user: null, clientId }) ?? value({ user: null, clientId: null });
    }
    if (user !== '') return value({ user }) ?? value({ user: null });
    if (clientId !== '') return value({ clientId }) ?? value({ clientId: null });
    return undefined;
  }

  #reindex(): void {
    const shapes = new Map<string, Set<'user' | 'client' | 'both'>>();
    for (const { entity, values } of this.#entries.values()) {
      const shape = entity.user !== undefined && entity.clientId !== undefined ? 'both' : entity.user !== undefined ? 'user' : 'client';
      for (const key of values.keys()) {
        let set = shapes.get(key);
        if (!set) shapes.set(key, (set = new Set()));
        set.add(shape);
      }
    }
    this.#shapes = shapes;
  }
}

/** "user alice client-id app", "default user", as Kafka names entities. */
export function describeEntity(entity: QuotaEntity): string {
  const parts: string[] = [];
  if (entity.user !== undefined) parts.push(entity.user === null ? 'default user' : `user ${entity.user}`);
  if (entity.clientId !== undefined) parts.push(entity.clientId === null ? 'default client-id' : `client-id ${entity.clientId}`);
  return parts.join(' ');
}
