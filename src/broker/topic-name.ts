// Kafka's rules for topic names, shared by topic creation and by everything that reads names back from disk.
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's topic-name rule; returns why a name is illegal, or null. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `topic name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`;
  if (!LEGAL_TOPIC_NAME.test(name)) return `topic name "${name}" contains characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}
