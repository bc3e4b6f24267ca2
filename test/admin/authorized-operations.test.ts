// Authorized operations (KIP-430) through @platformatic/kafka's Metadata and DescribeCluster requests: a
// client that asks gets, as from Kafka without an authorizer, every operation the resource type supports
// (bit n for AclOperation code n); one that does not ask gets the schema default. Regression: Spate always
// answered "not computed" (-2147483648).
import test from 'ava';
import { Connection, describeClusterV1, metadataV8, metadataV12 } from '@platformatic/kafka';
import { startTestBroker } from '../helpers/broker.js';

const OMITTED = -2147483648;

/** Bits of Kafka's AclOperation codes, written out: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8,
 * CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12. */
const bits = (...codes: number[]): number => codes.reduce((n, c) => n + 2 ** c, 0);
const TOPIC_OPERATIONS = bits(3, 4, 5, 6, 7, 8, 10, 11);
const CLUSTER_OPERATIONS = bits(5, 7, 8, 9, 10, 11, 12);

test('Metadata v8 and v12 and DescribeCluster v1 return every supported operation when asked, the default otherwise', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const connection = new Connection('authorized-operations-test');
  t.teardown(() => connection.close());
  await connection.connect(broker.host, broker.port);

  // Metadata v12, auto-creating the topic, with topic operations.
  const asked = await metadataV12.api.async(connection, ['ops'], true, true);
  const topic = asked.topics.find((x) => x.name === 'ops')!;
  t.is(topic.errorCode, 0);
  t.is(topic.topicAuthorizedOperations, TOPIC_OPERATIONS, 'READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS');
  // An unknown topic named in the request gets them too, as Kafka does.
  // (@platformatic/kafka rejects a response carrying an error; the response rides on the error.)
  const unknown = await metadataV12.api.async(connection, ['no-such-topic'], false, true).then(
    () => t.fail('an unknown topic is an error') as never,
    (error: { response: Awaited<ReturnType<typeof metadataV12.api.async>> }) => error.response,
  );
  t.is(unknown.topics[0]!.errorCode, 3);
  t.is(unknown.topics[0]!.topicAuthorizedOperations, TOPIC_OPERATIONS);
  const notAsked = await metadataV12.api.async(connection, ['ops'], false, false);
  t.is(notAsked.topics[0]!.topicAuthorizedOperations, OMITTED);

  // Metadata v8 carries the cluster's operations too.
  const v8 = await metadataV8.api.async(connection, ['ops'], false, true, true);
  t.is(v8.clusterAuthorizedOperations, CLUSTER_OPERATIONS, 'CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE');
  t.is(v8.topics[0]!.topicAuthorizedOperations, TOPIC_OPERATIONS);
  const v8NotAsked = await metadataV8.api.async(connection, ['ops'], false, false, false);
  t.is(v8NotAsked.clusterAuthorizedOperations, OMITTED);
  t.is(v8NotAsked.topics[0]!.topicAuthorizedOperations, OMITTED);

  const cluster = await describeClusterV1.api.async(connection, true, 1);
  t.is(cluster.errorCode, 0);
  t.is(cluster.clusterAuthorizedOperations, CLUSTER_OPERATIONS);
  t.is((await describeClusterV1.api.async(connection, false, 1)).clusterAuthorizedOperations, OMITTED);
});
