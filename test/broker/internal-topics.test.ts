import test from 'ava';
import { startTestBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

// Regression: with __consumer_offsets created on the first commit, a client could otherwise create it first
// (by auto-creation or CreateTopics) as an ordinary one-partition topic and break offset storage.
test('clients cannot create __consumer_offsets, by CreateTopics or by Metadata auto-creation', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const created = await client.createTopic('__consumer_offsets', 1);
  t.is(created.topics[0]!.errorCode, 42, 'INVALID_REQUEST');
  const metadata = await client.metadata(['__consumer_offsets'], true);
  t.is(metadata.topics[0]!.errorCode, 3, 'UNKNOWN_TOPIC_OR_PARTITION, not auto-created');
  t.deepEqual((await client.metadata(null)).topics.map((topic) => topic.name), []);
});
