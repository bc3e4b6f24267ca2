// Topics a started broker should have (startBroker's `topics` option, spate/testing's reset): created through
// the Kafka API with Spate's own client, as any application would create them.
import { Admin, Cluster, KafkaResponseError } from './client/index.js';

export interface TopicSpec {
  name: string;
  /** Default: the broker's num.partitions. */
  partitions?: number;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Topic configs with Kafka's names, e.g. `{ 'cleanup.policy': 'compact' }`. */
  configs?: Record<string, string | number | boolean>;
}

/** Kafka's TOPIC_ALREADY_EXISTS. */
const TOPIC_ALREADY_EXISTS = 36;

/** Creates `topics` on the broker at `bootstrap`, one request; a topic that exists already is left as it is. */
export async function createTopicsOver(bootstrap: string, topics: readonly TopicSpec[], clientId = 'spate-start'): Promise<void> {
  const cluster = await Cluster.connect({ bootstrap, clientId });
  try {
    await createTopicsWith(new Admin(cluster), topics);
  } finally {
    cluster.close();
  }
}

export async function createTopicsWith(admin: Admin, topics: readonly TopicSpec[]): Promise<void> {
  for (const topic of topics) {
    try {
      await admin.createTopics([
        {
          name: topic.name,
          partitions: topic.partitions ?? -1,
          replicationFactor: topic.replicationFactor ?? -1,
          configs: Object.fromEntries(Object.entries(topic.configs ?? {}).map(([k, v]) => [k, String(v)])),
        },
      ]);
    } catch (error) {
      if (!(error instanceof KafkaResponseError && error.errorCode === TOPIC_ALREADY_EXISTS)) throw error;
    }
  }
}
