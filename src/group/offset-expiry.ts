// offsets.retention.minutes: the periodic sweep (offsets.retention.check.interval.ms) that deletes expired
// committed offsets and forgets Empty groups left without any, so one-off group ids do not pile up forever.
import type { Logger } from 'pino';
import type { OffsetEntry } from './group.js';
import type { GroupRegistry } from './group-registry.js';
import type { OffsetKey, OffsetStore } from './offset-store.js';
import type { GroupTimers } from './timers.js';

export interface ExpirySettings {
  /**
   * `offsets.retention.minutes` in ms: offsets of a group that has been Empty this long (counted from the later
   * of the commit and the moment the group became empty) are deleted; so are offsets of topics an active
   * consumer group no longer subscribes to, counted from the commit.
   */
  retentionMs: number;
  /** `offsets.retention.check.interval.ms`: how often the sweep runs. */
  checkIntervalMs: number;
}

export class OffsetExpiry {
  constructor(
    private readonly registry: GroupRegistry,
    private readonly store: OffsetStore,
    private readonly timers: GroupTimers,
    private readonly settings: ExpirySettings,
    private readonly log: Logger | undefined,
  ) {}

  /** Runs the sweep every check interval until the coordinator closes. */
  start(): void {
    this.timers.schedule(this.settings.checkIntervalMs, () => {
      void this.expire()
        .catch((err: unknown) => this.log?.warn({ err }, 'offset expiration failed'))
        .finally(() => {
          if (!this.registry.closed) this.start();
        });
    });
  }

  /**
   * Applies `offsets.retention.minutes` now (Kafka's rules, see ExpirySettings): deletes expired offsets,
   * writes their tombstones, and forgets Empty groups left without offsets. Returns how many offsets expired.
   */
  async expire(): Promise<number> {
    if (this.registry.closed || !this.registry.loaded) return 0;
    const now = this.timers.now();
    const tombstones: OffsetKey[] = [];
    for (const g of this.registry.all()) {
      if (g.state === 'Dead') continue;
      const empty = g.state === 'Empty';
      // An active consumer group keeps the offsets of topics it subscribes to; other active groups keep all.
      const subscribed = !empty && g.protocolType === 'consumer' ? g.subscribedTopics : null;
      if (empty || subscribed !== null) {
        for (const [topic, parts] of g.offsets) {
          if (subscribed?.has(topic)) continue;
          for (const [partition, e] of parts) {
            // As in Kafka, an offset being committed again does not expire.
            if (g.inFlight.has(topic, partition) || !this.isExpired(e, empty ? g.emptySince : null, now)) continue;
            parts.delete(partition);
            tombstones.push({ groupId: g.groupId, topic, partition });
          }
          if (parts.size === 0) g.offsets.delete(topic);
        }
      }
      if (empty && !g.hasOffsets && g.inFlight.size === 0 && g.pendingMembers.size === 0 && g.members.size === 0) this.registry.drop(g);
    }
    if (tombstones.length > 0) {
      this.log?.info({ offsets: tombstones.length }, 'expired committed offsets');
      await this.store.remove(tombstones);
    }
    return tombstones.length;
  }

  /**
   * Kafka's OffsetExpirationCondition: a commit that chose its own retention expires at its expire timestamp;
   * others `offsets.retention.minutes` after their commit, or, in an empty group, after the later of the commit
   * and the moment the group became empty.
   */
  private isExpired(e: OffsetEntry, emptySince: number | null, now: number): boolean {
    if (e.expireTimestamp !== null) return now >= e.expireTimestamp;
    return Math.max(e.commitTimestamp, emptySince ?? 0) + this.settings.retentionMs <= now;
  }
}
