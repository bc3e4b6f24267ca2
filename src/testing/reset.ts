// Putting a running broker back to the state a test suite declared, through the Kafka API: every consumer
// group deleted, every non-internal topic deleted, the declared topics created again (empty).
import type { Admin } from '../client/index.js';
import { SpateError } from '../errors.js';
import type { TopicSpec } from '../api.js';
import { createTopicsWith } from '../topic-specs.js';

export interface ResetResult {
  deletedTopics: string[];
  deletedGroups: string[];
  createdTopics: string[];
  durationMs: number;
}

export async function resetBroker(admin: Admin, topics: readonly TopicSpec[]): Promise<ResetResult> {
  const started = performance.now();
  const groups = await admin.listGroups();
  const active = groups.filter((g) => g.state !== 'Empty' && g.state !== 'Dead');
  if (active.length > 0) {
    throw new SpateError(
      'SPATE_CLIENT_INVALID_ARGUMENT',
      `cannot reset while consumer groups have members: ${active.map((g) => `${g.groupId} (${g.state})`).join(', ')}; disconnect their consumers first`,
    );
  }
  const groupIds = groups.map((g) => g.groupId);
  if (groupIds.length > 0) await admin.deleteGroups(groupIds);
  const names = await admin.listTopics();
  if (names.length > 0) await admin.deleteTopics(names);
  await createTopicsWith(admin, topics);
  return { deletedTopics: names, deletedGroups: groupIds, createdTopics: topics.map((t) => t.name), durationMs: performance.now() - started };
}
