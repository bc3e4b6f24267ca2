// ApiVersions v3+ names the client's software (KIP-511). Kafka checks both strings against its
// SOFTWARE_NAME_VERSION_PATTERN and answers a mismatch with INVALID_REQUEST and an empty version list
// (ApiVersionsRequest.isValid / getErrorResponse); the connection stays open and a good request then works.
import test from 'ava';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestBroker } from '../helpers/broker.js';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';

const BAD = ['', 'has space', '-leading-dash', 'trailing.', 'ünïcode', 'semi;colon', 'a\nnewline'];
const GOOD = ['librdkafka', '2.10.1', 'a', 'A-b.9', 'apache-kafka-java', '3.7.0-SNAPSHOT'];

test('ApiVersions v3 with a software name or version outside Kafka\'s pattern gets INVALID_REQUEST and no version list', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is((await client.createTopic('healthy', 1)).topics[0]!.errorCode, ErrorCode.NONE);

  for (const bad of BAD) {
    for (const request of [
      { clientSoftwareName: bad, clientSoftwareVersion: '1.0' },
      { clientSoftwareName: 'client', clientSoftwareVersion: bad },
    ]) {
      const answer = await client.apiVersions(3, request);
      t.is(answer.errorCode, ErrorCode.INVALID_REQUEST, JSON.stringify(request));
      t.deepEqual(answer.apiKeys, [], JSON.stringify(request));
      t.false(client.isClosed);
    }
  }
  for (const good of GOOD) {
    const answer = await client.apiVersions(3, { clientSoftwareName: good, clientSoftwareVersion: good });
    t.is(answer.errorCode, ErrorCode.NONE, good);
    t.true(answer.apiKeys.length >= 10, good);
  }
  // Before v3 there are no such fields, so nothing to reject.
  t.is((await client.apiVersions(2)).errorCode, ErrorCode.NONE);
  await assertRoundTrip(client, 'healthy');
});
