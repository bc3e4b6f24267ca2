// Storage for committed consumer-group offsets.
//
// The interface is deliberately narrow (load once, then append commits / remove keys). The broker keeps offsets
// in the internal `__consumer_offsets` topic (PartitionOffsetStore, partition-offset-store.ts); the in-memory
// store below serves unit tests and a coordinator built without a broker.

/** One committed offset, as persisted. */
export interface StoredOffset {
  groupId: string;
  topic: string;
  partition: number;
  offset: number;
  /** -1 when the client did not send one (OffsetCommit < v6). */
  leaderEpoch: number;
  metadata: string;
  /** Epoch milliseconds. */
  commitTimestamp: number;
  /**
   * When the commit set its own retention (OffsetCommit v2-4 `retention_time_ms`): commit time plus that
   * retention, epoch ms. Null: `offsets.retention.minutes` applies.
   */
  expireTimestamp: number | null;
}

/** Identifies one committed offset, for deletion. */
export interface OffsetKey {
  groupId: string;
  topic: string;
  partition: number;
}

export interface OffsetStore {
  /** Reads the latest value of every live offset. Called once, before any append/remove. */
  load(): Promise<Iterable<StoredOffset>>;
  /**
   * Persists one commit (records of one group); later records for the same key win. Calls are applied in call
   * order. It resolves once the records are durable and rejects if they were not written.
   */
  append(records: StoredOffset[]): Promise<void>;
  /** Persists deletions (DeleteGroups, OffsetDelete). Ordered with append. */
  remove(keys: OffsetKey[]): Promise<void>;
  /** Waits for queued writes and releases resources. */
  close(): Promise<void>;
}

export function offsetKeyString(k: OffsetKey): string {
  // JSON of a tuple cannot collide, whatever characters the group or topic names contain.
  return JSON.stringify([k.groupId, k.topic, k.partition]);
}

/** Keeps offsets in memory only; a new coordinator given the same instance sees earlier commits. */
export class MemoryOffsetStore implements OffsetStore {
  private readonly live = new Map<string, StoredOffset>();

  async load(): Promise<Iterable<StoredOffset>> {
    return [...this.live.values()].map((o) => ({ ...o }));
  }

  async append(records: StoredOffset[]): Promise<void> {
    for (const r of records) this.live.set(offsetKeyString(r), { ...r });
  }

  async remove(keys: OffsetKey[]): Promise<void> {
    for (const k of keys) this.live.delete(offsetKeyString(k));
  }

  async close(): Promise<void> {}
}
