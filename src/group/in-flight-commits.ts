// One group's offset commits whose `__consumer_offsets` append has not answered yet.
//
// A commit changes the group's offsets only once its append succeeded, so that OffsetFetch never shows an
// offset a restart would not bring back. The log keeps writes in the order they were issued (a group's
// records all go to one partition), so the offset to show for a partition is that of the latest-issued write
// that took effect: a commit that succeeded, or a removal (OffsetDelete), which takes effect at once as in
// Kafka. Writes are numbered in issue order; a commit that completes after a later write for the same
// partition took effect must not overwrite it.

export interface TopicPartition {
  topic: string;
  partition: number;
}

interface PartitionState extends TopicPartition {
  /** Commits in flight that include this partition. */
  count: number;
  /** Sequence number of the latest write that took effect for this partition while commits were in flight. */
  appliedSeq: number;
}

function keyOf(topic: string, partition: number): string {
  // JSON of a tuple cannot collide, whatever characters the topic name contains.
  return JSON.stringify([topic, partition]);
}

export class InFlightCommits {
  // Holds only partitions with commits in flight, so it is bounded by the commits being written.
  private readonly states = new Map<string, PartitionState>();

  get size(): number {
    return this.states.size;
  }

  has(topic: string, partition: number): boolean {
    return this.states.has(keyOf(topic, partition));
  }

  /** Partitions with commits in flight. */
  partitions(): TopicPartition[] {
    return [...this.states.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  /**
   * A commit starts writing these partitions. Whatever a partition shows now was issued before it (sequence
   * numbers only grow), so a partition without other commits in flight starts from 0.
   */
  begin(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) {
      const key = keyOf(topic, partition);
      const state = this.states.get(key);
      if (state) state.count++;
      else this.states.set(key, { topic, partition, count: 1, appliedSeq: 0 });
    }
  }

  /** A write numbered `seq` took effect for a partition at once (a removal). */
  applied(topic: string, partition: number, seq: number): void {
    const state = this.states.get(keyOf(topic, partition));
    if (state && seq > state.appliedSeq) state.appliedSeq = seq;
  }

  /**
   * The commit numbered `seq` finished writing a partition. Returns whether its offset should now be shown:
   * it succeeded and no later write for the partition took effect meanwhile.
   */
  settle(topic: string, partition: number, seq: number, succeeded: boolean): boolean {
    const key = keyOf(topic, partition);
    const state = this.states.get(key);
    if (!state) return false;
    const apply = succeeded && seq > state.appliedSeq;
    if (apply) state.appliedSeq = seq;
    if (--state.count === 0) this.states.delete(key);
    return apply;
  }
}
