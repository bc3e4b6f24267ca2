// Consumer lag from committed offsets and log end offsets.

/** The committed-offset fields lag needs; `CommittedOffset` from the coordinator satisfies it. */
export interface CommittedPosition {
  topic: string;
  partition: number;
  offset: number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committedOffset: number;
  /** null when the partition is unknown to the caller (e.g. the topic was deleted). */
  logEndOffset: number | null;
  /** Records between the committed position and the log end; null when the log end is unknown. */
  lag: number | null;
}

/**
 * Lag per committed partition of one group, sorted by topic then partition. A negative committed offset
 * (nothing consumed yet) counts the whole log; a commit beyond the log end (e.g. after truncation) is lag 0.
 */
export function consumerLag(
  group: Iterable<CommittedPosition>,
  logEndOffsetOf: (topic: string, partition: number) => number | undefined,
): PartitionLag[] {
  const out: PartitionLag[] = [];
  for (const c of group) {
    const leo = logEndOffsetOf(c.topic, c.partition);
    const logEndOffset = leo === undefined ? null : leo;
    const lag = logEndOffset === null ? null : Math.max(0, logEndOffset - Math.max(0, c.offset));
    out.push({ topic: c.topic, partition: c.partition, committedOffset: c.offset, logEndOffset, lag });
  }
  out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return out;
}
