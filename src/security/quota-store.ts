// Where client quotas live: a single broker keeps them in its data dir (spate-client-quotas.json); a cluster can
// keep them in etcd behind the same interface, telling this broker of changes made elsewhere through `watch`.
import { entityKey, type QuotaEntity, type QuotaEntry } from './client-quotas.js';
import { JsonStateFile } from './json-state-file.js';

export interface QuotaStore {
  /** Every stored entry, read once at start. */
  load(): Promise<QuotaEntry[]>;
  /** Replaces the stored entries; resolves once that is durable. */
  save(entries: readonly QuotaEntry[]): Promise<void>;
  /** Changes made by other brokers (a shared store); a store only this broker writes never calls it. */
  watch?(onChange: (entries: readonly QuotaEntry[]) => void): void;
}

export const QUOTA_FILE = 'spate-client-quotas.json';

interface StoredEntry {
  /** Kafka's entity types as keys ("user", "client-id"); null is the default entity. */
  entity: Record<string, string | null>;
  values: Record<string, number>;
}

function toStored(entry: QuotaEntry): StoredEntry {
  const entity: Record<string, string | null> = {};
  if (entry.entity.user !== undefined) entity.user = entry.entity.user;
  if (entry.entity.clientId !== undefined) entity['client-id'] = entry.entity.clientId;
  return { entity, values: Object.fromEntries(entry.values) };
}

function fromStored(value: unknown): QuotaEntry | string {
  if (typeof value !== 'object' || value === null) return 'an entry is not an object';
  const v = value as { entity?: unknown; values?: unknown };
  if (typeof v.entity !== 'object' || v.entity === null || typeof v.values !== 'object' || v.values === null) return `entry ${JSON.stringify(value)} lacks entity or values`;
  const parts = v.entity as Record<string, unknown>;
  const name = (type: string): string | null | undefined | false => {
    if (!Object.hasOwn(parts, type)) return undefined;
    const n = parts[type];
    return n === null || typeof n === 'string' ? n : false;
  };
  const user = name('user');
  const clientId = name('client-id');
  if (user === false || clientId === false || Object.keys(parts).some((k) => k !== 'user' && k !== 'client-id')) return `entry ${JSON.stringify(value)} has a bad entity`;
  if (user === undefined && clientId === undefined) return `entry ${JSON.stringify(value)} has an empty entity`;
  const entity: QuotaEntity = { ...(user !== undefined ? { user } : {}), ...(clientId !== undefined ? { clientId } : {}) };
  const values = new Map<string, number>();
  for (const [key, n] of Object.entries(v.values as Record<string, unknown>)) {
    if (typeof n !== 'number' || !(n > 0)) return `entry ${JSON.stringify(value)}: ${key} is not a positive number`;
    values.set(key, n);
  }
  return { entity, values };
}

/** Client quotas in `<data-dir>/spate-client-quotas.json`, rewritten atomically on every change. */
export class FileQuotaStore implements QuotaStore {
  readonly #file: JsonStateFile;

  constructor(dataDir: string) {
    this.#file = new JsonStateFile(dataDir, QUOTA_FILE);
  }

  async load(): Promise<QuotaEntry[]> {
    const parsed = await this.#file.read();
    if (parsed === undefined) return [];
    if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== 1 || !Array.isArray((parsed as { entries?: unknown }).entries)) {
      throw this.#file.invalid('is not a version 1 client quota file ({"version": 1, "entries": [...]})');
    }
    const entries = new Map<string, QuotaEntry>();
    for (const stored of (parsed as { entries: unknown[] }).entries) {
      const entry = fromStored(stored);
      if (typeof entry === 'string') throw this.#file.invalid(`is damaged: ${entry}`);
      entries.set(entityKey(entry.entity), entry);
    }
    return [...entries.values()];
  }

  save(entries: readonly QuotaEntry[]): Promise<void> {
    return this.#file.write({ version: 1, entries: entries.map(toStored) });
  }
}
