// Versions the broker does not support: ApiVersions is answered in the v0 layout with UNSUPPORTED_VERSION and
// the supported ranges (KIP-511: the client then retries with a version it finds there); any other API at an
// unsupported version closes the connection, with a log line naming the peer and the reason.
import test from 'ava';
import { ApiKey, type ApiVersionsResponse, type ProduceResponse } from '../../src/protocol/generated/index.js';
import { startBrokerProcess, startTestBroker, temporaryDir } from '../helpers/broker.js';
import { RawClient, assertRoundTrip, waitForLogLine } from '../helpers/raw-client.js';

const TOPIC = 'healthy';

test('ApiVersions v99 gets a v0-layout UNSUPPORTED_VERSION answer with the api key list, and the connection stays usable', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const observer = await RawClient.connect(broker.port);
  t.teardown(() => observer.close());
  t.is((await observer.createTopic(TOPIC, 1)).topics[0]!.errorCode, 0);
  await assertRoundTrip(observer, TOPIC);

  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  // A newer client sends the body of its own (flexible) version: compact strings and tagged fields.
  const futureBody = Buffer.from([0x05, ...Buffer.from('java'), 0x04, ...Buffer.from('9.9'), 0x00]);
  for (const version of [4, 99, 32767]) {
    const correlationId = client.nextCorrelationId();
    client.write(client.encodeRaw(ApiKey.ApiVersions, version, futureBody, correlationId));
    const raw = await client.rawResponse(correlationId);
    t.is(raw.readInt32BE(0), correlationId);
    // Response header v0 (no tagged fields), then exactly the v0 body: decode() rejects trailing bytes.
    const answer = RawClient.decode<ApiVersionsResponse>(ApiKey.ApiVersions, 0, raw);
    t.is(answer.errorCode, 35, `v${version}: expected UNSUPPORTED_VERSION`);
    t.true(answer.apiKeys.length >= 10);
    t.deepEqual(
      answer.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions),
      { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 },
    );
    t.deepEqual(answer.apiKeys.find((k) => k.apiKey === ApiKey.Produce), { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 10 });
    t.false(client.isClosed, `v${version}: connection closed`);
  }
  // The client retries at a version from the list, on the same connection, and gets the same ranges.
  const retried = await client.apiVersions(3);
  t.is(retried.errorCode, 0);
  const v0 = await client.apiVersions(0);
  t.is(v0.errorCode, 0);
  t.deepEqual(v0.apiKeys, retried.apiKeys);
  await assertRoundTrip(client, TOPIC);
  await assertRoundTrip(observer, TOPIC);
});

test('Metadata (and Produce) at unsupported versions close the connection with a logged reason', async (t) => {
  const dir = temporaryDir();
  const broker = await startBrokerProcess(dir.path);
  t.teardown(async () => {
    await broker.stop();
    dir.remove();
  });
  const observer = await RawClient.connect(broker.port);
  t.teardown(() => observer.close());
  t.is((await observer.createTopic(TOPIC, 1)).topics[0]!.errorCode, 0);

  const cases: Array<[number, number, RegExp]> = [
    [ApiKey.Metadata, 13, /unsupported version 13 of api key 3 \(supported 0-12\)/],
    [ApiKey.Metadata, 99, /unsupported version 99 of api key 3/],
    [ApiKey.Produce, 11, /unsupported version 11 of api key 0 \(supported 0-10\)/],
    [ApiKey.Fetch, 3, /unsupported version 3 of api key 1 \(supported 4-16\)/],
  ];
  for (const [apiKey, version, reason] of cases) {
    const client = await RawClient.connect(broker.port);
    const behind = client.prepare(ApiKey.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    client.write([client.encodeRaw(apiKey, version, Buffer.alloc(8)), behind.frame]);
    t.true(await client.waitForClose(5000), `api ${apiKey} v${version}: connection was not closed`);
    t.is(client.received.length, 0, `api ${apiKey} v${version}: got an answer`);
    const peer = client.localPeer;
    const line = await waitForLogLine(broker.logs, (l) => l.msg === 'closing connection' && l.peer === peer);
    t.regex(String(line.reason), reason);
    await assertRoundTrip(observer, TOPIC);
  }
  const fresh = await RawClient.connect(broker.port);
  await assertRoundTrip(fresh, TOPIC);
  await fresh.close();
});

// Produce v0-2 are advertised (librdkafka needs v0 in the range to enable gzip, snappy and lz4) but carry the
// legacy message format: every partition is answered UNSUPPORTED_VERSION and nothing is stored.
test('Produce v0-2 requests are answered with UNSUPPORTED_VERSION per partition and store nothing', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is((await client.createTopic('legacy', 1)).topics[0]!.errorCode, 0);
  const versions = await client.apiVersions();
  const produce = versions.apiKeys.find((k) => k.apiKey === ApiKey.Produce)!;
  t.is(produce.minVersion, 0);
  const body = RawClient.produceBody('legacy', { partition: 0, records: Buffer.from('legacy message set bytes') }, 1);
  for (const version of [0, 1, 2]) {
    const response = await client.request<ProduceResponse>(ApiKey.Produce, version, body);
    t.is(response.responses[0]!.partitionResponses[0]!.errorCode, 35, `Produce v${version}`);
  }
  t.is(await client.offset('legacy', 0), 0);
});
