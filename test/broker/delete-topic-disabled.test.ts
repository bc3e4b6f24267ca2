import test from 'ava';
import { startTestBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

test('delete.topic.enable=false refuses DeleteTopics with TOPIC_DELETION_DISABLED and keeps the topic', async (t) => {
  const broker = await startTestBroker({ config: { 'delete.topic.enable': false } });
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is((await client.createTopic('kept', 1)).topics[0]!.errorCode, 0);
  const deleted = await client.deleteTopics(['kept']);
  t.is(deleted.responses[0]!.errorCode, 73);
  t.deepEqual((await client.metadata(null)).topics.map((topic) => topic.name), ['kept']);
});
