// Names of the topics only the broker writes. Kept apart from the offsets store and its adapter so the
// request handlers, the topic admin and the group layer can all ask without importing each other.

/** Where committed offsets live, as in Kafka. */
export const OFFSETS_TOPIC = '__consumer_offsets';

/** Topics only the broker writes. Kafka lists them in Metadata with isInternal=true and refuses client produce. */
export function isInternalTopic(name: string | null): boolean {
  return name === OFFSETS_TOPIC;
}
