// Pipelining: many requests written to one connection at once are answered strictly in request order, even
// though the broker works on them concurrently; a long-poll fetch holds back every answer queued behind it.
import test, { type ExecutionContext } from 'ava';
import {
  ApiKey,
  type ApiVersionsResponse,
  type FetchResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '../../src/protocol/generated/index.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { startTestBroker } from '../helpers/broker.js';
import { RawClient, assertRoundTrip, type PreparedRequest } from '../helpers/raw-client.js';

async function setup(t: ExecutionContext, topics: Array<[string, number]>): Promise<{ port: number; client: RawClient; observer: RawClient }> {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  const observer = await RawClient.connect(broker.port);
  t.teardown(async () => {
    await client.close();
    await observer.close();
  });
  for (const [name, partitions] of topics) t.is((await client.createTopic(name, partitions)).topics[0]!.errorCode, 0);
  return { port: broker.port, client, observer };
}

const API_VERSIONS_BODY = { clientSoftwareName: 'pipeline', clientSoftwareVersion: '1' };
const METADATA_BODY = { topics: [{ topicId: ZERO_UUID, name: 'p' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

/** Correlation ids in a shuffled order, so "in order" cannot be confused with "sorted by id". */
function shuffledIds(n: number): number[] {
  const ids = Array.from({ length: n }, (_, i) => 1000 + i * 7);
  let seed = 12345;
  for (let i = ids.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids;
}

test('50 mixed requests in one write are answered strictly in request order', async (t) => {
  const { client, observer } = await setup(t, [['p', 2]]);
  const ids = shuffledIds(50);
  const prepared: Array<{ kind: string; request: PreparedRequest<unknown> }> = [];
  const frames: Buffer[] = [];
  let producesToP0 = 0;
  let silentProduces = 0;
  for (let i = 0; i < ids.length; i++) {
    const correlationId = ids[i]!;
    const kind = ['metadata', 'produce', 'fetch', 'apiversions', 'listoffsets', 'produce'][i % 6]!;
    if (kind === 'produce' && i % 12 === 11) {
      // acks=0: no response at all; the answers behind it must still flow, in order.
      frames.push(client.encode(ApiKey.Produce, 9, RawClient.produceBody('p', { partition: 1, records: buildRecordBatch([{ value: Buffer.from(`silent-${i}`) }]) }, 0), correlationId));
      silentProduces++;
      continue;
    }
    let request: PreparedRequest<unknown>;
    switch (kind) {
      case 'metadata':
        request = client.prepare(ApiKey.Metadata, 12, METADATA_BODY, { correlationId });
        break;
      case 'produce':
        request = client.prepare(ApiKey.Produce, 9, RawClient.produceBody('p', { partition: 0, records: buildRecordBatch([{ value: Buffer.from(`r${i}`) }]) }), { correlationId });
        producesToP0++;
        break;
      case 'fetch':
        request = client.prepare(ApiKey.Fetch, 12, RawClient.fetchBody('p', 0, 0, { maxWaitMs: 0 }), { correlationId });
        break;
      case 'apiversions':
        request = client.prepare(ApiKey.ApiVersions, 3, API_VERSIONS_BODY, { correlationId });
        break;
      default:
        request = client.prepare(ApiKey.ListOffsets, 7, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{ name: 'p', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] }],
        }, { correlationId });
    }
    prepared.push({ kind, request });
    frames.push(request.frame);
  }
  const mark = client.received.length;
  client.write(frames); // one socket write
  const responses = await Promise.all(prepared.map((p) => p.request.response));

  t.deepEqual(
    client.received.slice(mark).map((r) => r.correlationId),
    prepared.map((p) => p.request.correlationId),
    'responses left in a different order than the requests arrived',
  );
  // Produces from one connection to one partition are appended in request order.
  const baseOffsets: number[] = [];
  responses.forEach((response, i) => {
    const kind = prepared[i]!.kind;
    if (kind === 'produce') {
      const r = (response as ProduceResponse).responses[0]!.partitionResponses[0]!;
      t.is(r.errorCode, 0);
      baseOffsets.push(r.baseOffset);
    } else if (kind === 'metadata') {
      t.is((response as MetadataResponse).topics[0]!.partitions.length, 2);
    } else if (kind === 'fetch') {
      t.is((response as FetchResponse).responses[0]!.partitions[0]!.errorCode, 0);
    } else if (kind === 'apiversions') {
      t.is((response as ApiVersionsResponse).errorCode, 0);
    } else {
      t.is((response as ListOffsetsResponse).topics[0]!.partitions[0]!.errorCode, 0);
    }
  });
  t.deepEqual(baseOffsets, Array.from({ length: producesToP0 }, (_, i) => i));
  t.is(await observer.offset('p', 0), producesToP0);
  t.is(await observer.offset('p', 1), silentProduces);
  await assertRoundTrip(client, 'p');
});

test.serial('an ApiVersions request behind a long-poll fetch waits for the fetch', async (t) => {
  const { client, observer } = await setup(t, [['lp', 1]]);
  const maxWaitMs = 800;
  const started = performance.now();
  const fetch = client.prepare<FetchResponse>(ApiKey.Fetch, 12, RawClient.fetchBody('lp', 0, 0, { maxWaitMs, minBytes: 1 }));
  const versions = client.prepare<ApiVersionsResponse>(ApiKey.ApiVersions, 3, API_VERSIONS_BODY);
  const mark = client.received.length;
  client.write([fetch.frame, versions.frame]);
  // Meanwhile another connection is answered: the parked fetch holds back only its own connection.
  t.is((await observer.apiVersions()).errorCode, 0);
  const otherAnsweredAt = observer.received.at(-1)!.at;

  const [fetched, answered] = await Promise.all([fetch.response, versions.response]);
  t.is(answered.errorCode, 0);
  t.is(fetched.responses[0]!.partitions[0]!.records!.length, 0);
  t.deepEqual(client.received.slice(mark).map((r) => r.correlationId), [fetch.correlationId, versions.correlationId]);
  const versionsAt = client.received[mark + 1]!.at - started;
  t.log(`ApiVersions answered after ${Math.round(versionsAt)} ms (fetch max wait ${maxWaitMs} ms)`);
  t.true(versionsAt >= maxWaitMs - 50, `ApiVersions answered after ${versionsAt} ms, before the fetch's wait was over`);
  t.true(otherAnsweredAt < client.received[mark]!.at, 'another connection was held back by the long poll');
});

test.serial('a produce pipelined behind a long-poll fetch of the same partition wakes it; answers stay in order', async (t) => {
  const { client } = await setup(t, [['wake', 1]]);
  const started = performance.now();
  const value = Buffer.from('wake-up');
  const fetch = client.prepare<FetchResponse>(ApiKey.Fetch, 12, RawClient.fetchBody('wake', 0, 0, { maxWaitMs: 10_000, minBytes: 1 }), { timeoutMs: 15_000 });
  const versions = client.prepare<ApiVersionsResponse>(ApiKey.ApiVersions, 3, API_VERSIONS_BODY, { timeoutMs: 15_000 });
  const produce = client.prepare<ProduceResponse>(ApiKey.Produce, 9, RawClient.produceBody('wake', { partition: 0, records: buildRecordBatch([{ value }]) }), { timeoutMs: 15_000 });
  const mark = client.received.length;
  client.write([fetch.frame, versions.frame, produce.frame]);
  const [fetched, answered, produced] = await Promise.all([fetch.response, versions.response, produce.response]);
  const elapsed = performance.now() - started;
  t.log(`all three answered after ${Math.round(elapsed)} ms`);
  // The produce behind the fetch was processed while the fetch was parked, and woke it long before max wait.
  t.true(elapsed < 5000, `took ${elapsed} ms: the fetch was not woken by the produce queued behind it`);
  t.is(produced.responses[0]!.partitionResponses[0]!.errorCode, 0);
  t.is(answered.errorCode, 0);
  const records = fetched.responses[0]!.partitions[0]!.records!;
  t.true(records.includes(value), 'the long poll did not return the record produced behind it');
  t.deepEqual(client.received.slice(mark).map((r) => r.correlationId), [fetch.correlationId, versions.correlationId, produce.correlationId]);
});

test('3000 pipelined requests (past the per-connection queue limit) are all answered, in order', async (t) => {
  // The broker stops reading a connection with 1000 requests outstanding and resumes as answers leave.
  const { client, observer } = await setup(t, [['bulk', 1]]);
  const requests: Array<PreparedRequest<unknown>> = [];
  for (let i = 0; i < 3000; i++) {
    requests.push(
      i % 2 === 0
        ? client.prepare(ApiKey.Produce, 9, RawClient.produceBody('bulk', { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(500, i & 0xff) }]) }), { timeoutMs: 30_000 })
        : client.prepare(ApiKey.ApiVersions, 3, API_VERSIONS_BODY, { timeoutMs: 30_000 }),
    );
  }
  const mark = client.received.length;
  const started = performance.now();
  client.write(requests.map((r) => r.frame));
  const responses = await Promise.all(requests.map((r) => r.response));
  t.log(`3000 pipelined requests answered in ${Math.round(performance.now() - started)} ms`);
  t.deepEqual(client.received.slice(mark).map((r) => r.correlationId), requests.map((r) => r.correlationId));
  const offsets = responses.filter((_, i) => i % 2 === 0).map((r) => (r as ProduceResponse).responses[0]!.partitionResponses[0]!.baseOffset);
  t.deepEqual(offsets, Array.from({ length: 1500 }, (_, i) => i));
  t.is(await observer.offset('bulk', 0), 1500);
});
