import test from 'ava';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import {
  ApiKey,
  apiDefinitions,
  decodeApiVersionsRequest,
  decodeApiVersionsResponse,
  decodeFetchResponse,
  decodeMetadataRequest,
  decodeProduceRequest,
  decodeRequestHeader,
  decodeResponseHeader,
  encodeApiVersionsRequest,
  encodeApiVersionsResponse,
  encodeFetchResponse,
  encodeMetadataRequest,
  encodeProduceRequest,
  encodeRequestHeader,
  encodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  type ApiVersionsResponse,
  type FetchResponse,
  type MetadataRequest,
  type ProduceRequest,
} from '../../src/protocol/generated/index.js';

// Expected bytes below were worked out by hand from the wire format rules
// (int16/int32 big-endian lengths in classic versions; unsigned varint
// length+1 and a trailing tag section in flexible versions).

const hex = (s: string): number[] => s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16));

/** Writes a size-prefixed frame with a request header, like a client would. */
function requestFrame(apiKey: number, version: number, correlationId: number, clientId: string | null, body: (w: Writer) => void): Buffer {
  const w = new Writer();
  const size = w.reserveInt32();
  encodeRequestHeader(w, requestHeaderVersion(apiKey, version), { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId });
  body(w);
  w.fillInt32(size, w.length - 4);
  return w.toBuffer();
}

function responseFrame(apiKey: number, version: number, correlationId: number, body: (w: Writer) => void): Buffer {
  const w = new Writer();
  const size = w.reserveInt32();
  encodeResponseHeader(w, responseHeaderVersion(apiKey, version), correlationId);
  body(w);
  w.fillInt32(size, w.length - 4);
  return w.toBuffer();
}

test('header versions follow flexible versions, with the ApiVersions response exception', (t) => {
  t.is(requestHeaderVersion(ApiKey.ApiVersions, 2), 1);
  t.is(requestHeaderVersion(ApiKey.ApiVersions, 3), 2);
  t.is(responseHeaderVersion(ApiKey.ApiVersions, 3), 0);
  t.is(requestHeaderVersion(ApiKey.Metadata, 8), 1);
  t.is(requestHeaderVersion(ApiKey.Metadata, 9), 2);
  t.is(responseHeaderVersion(ApiKey.Metadata, 8), 0);
  t.is(responseHeaderVersion(ApiKey.Metadata, 9), 1);
  t.is(requestHeaderVersion(ApiKey.SaslHandshake, 1), 1);
  t.is(responseHeaderVersion(ApiKey.SaslHandshake, 1), 0);
  t.is(requestHeaderVersion(ApiKey.DescribeCluster, 0), 2);
  t.is(requestHeaderVersion(7, 0), 0);
  t.is(apiDefinitions[ApiKey.OffsetDelete]!.firstFlexibleVersion, Infinity);
  t.is(apiDefinitions[ApiKey.Fetch]!.firstFlexibleVersion, 12);
  t.is(apiDefinitions[4], undefined);
});

test('ApiVersions v0 request frame', (t) => {
  const frame = requestFrame(ApiKey.ApiVersions, 0, 1, 'ab', (w) => encodeApiVersionsRequest(w, 0, { clientSoftwareName: '', clientSoftwareVersion: '' }));
  t.deepEqual([...frame], hex('0000000c 0012 0000 00000001 0002 6162'));
  const r = new Reader(frame, 4);
  t.deepEqual(decodeRequestHeader(r, 1), { requestApiKey: 18, requestApiVersion: 0, correlationId: 1, clientId: 'ab' });
  t.deepEqual(decodeApiVersionsRequest(r, 0), { clientSoftwareName: '', clientSoftwareVersion: '' });
  t.is(r.remaining(), 0);
});

test('ApiVersions v0 response frame', (t) => {
  const value: ApiVersionsResponse = {
    errorCode: 0,
    apiKeys: [
      { apiKey: 0, minVersion: 3, maxVersion: 10 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ],
    throttleTimeMs: 0,
  };
  const frame = responseFrame(ApiKey.ApiVersions, 0, 1, (w) => encodeApiVersionsResponse(w, 0, value));
  t.deepEqual([...frame], hex('00000016 00000001 0000 00000002 0000 0003 000a 0012 0000 0003'));
  const r = new Reader(frame, 4);
  t.is(decodeResponseHeader(r, 0), 1);
  t.deepEqual(decodeApiVersionsResponse(r, 0), value);
});

test('ApiVersions v3 request and response (flexible body, v0 response header)', (t) => {
  const req = requestFrame(ApiKey.ApiVersions, 3, 7, 'c1', (w) =>
    encodeApiVersionsRequest(w, 3, { clientSoftwareName: 'spate', clientSoftwareVersion: '1.0' }),
  );
  t.deepEqual([...req], hex('00000018 0012 0003 00000007 0002 6331 00 06 7370617465 04 312e30 00'));
  const rr = new Reader(req, 4);
  t.deepEqual(decodeRequestHeader(rr, 2), { requestApiKey: 18, requestApiVersion: 3, correlationId: 7, clientId: 'c1' });
  t.deepEqual(decodeApiVersionsRequest(rr, 3), { clientSoftwareName: 'spate', clientSoftwareVersion: '1.0' });

  const value: ApiVersionsResponse = {
    errorCode: 0,
    apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
    throttleTimeMs: 0,
    finalizedFeaturesEpoch: 5,
    zkMigrationReady: true,
  };
  const res = responseFrame(ApiKey.ApiVersions, 3, 7, (w) => encodeApiVersionsResponse(w, 3, value));
  t.deepEqual(
    [...res],
    hex('00000020 00000007 0000 02 0012 0000 0003 00 00000000 02 01 08 0000000000000005 03 01 01'),
  );
  const r = new Reader(res, 4);
  t.is(decodeResponseHeader(r, 0), 7);
  t.deepEqual(decodeApiVersionsResponse(r, 3), value);
  t.is(r.remaining(), 0);
});

test('Metadata v0 request frame', (t) => {
  const value: MetadataRequest = {
    topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: 'foo' }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
  const frame = requestFrame(ApiKey.Metadata, 0, 2, null, (w) => encodeMetadataRequest(w, 0, value));
  t.deepEqual([...frame], hex('00000013 0003 0000 00000002 ffff 00000001 0003 666f6f'));
  const r = new Reader(frame, 4);
  t.deepEqual(decodeRequestHeader(r, 1), { requestApiKey: 3, requestApiVersion: 0, correlationId: 2, clientId: null });
  // Absent v4+/v8+ fields come back as their defaults (AllowAutoTopicCreation defaults to true).
  t.deepEqual(decodeMetadataRequest(r, 0), value);
});

test('Metadata v9 request frame: compact strings, tag sections, header v2', (t) => {
  const value: MetadataRequest = {
    topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: 'foo' }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: true,
  };
  const frame = requestFrame(ApiKey.Metadata, 9, 3, 'x', (w) => encodeMetadataRequest(w, 9, value));
  t.deepEqual([...frame], hex('00000016 0003 0009 00000003 0001 78 00 02 04 666f6f 00 01 00 01 00'));
  const r = new Reader(frame, 4);
  t.deepEqual(decodeRequestHeader(r, 2), { requestApiKey: 3, requestApiVersion: 9, correlationId: 3, clientId: 'x' });
  t.deepEqual(decodeMetadataRequest(r, 9), value);
  t.is(r.remaining(), 0);

  // A null topic list (all topics) is a single 0 byte in compact encoding.
  const w = new Writer();
  encodeMetadataRequest(w, 9, { ...value, topics: null });
  t.deepEqual([...w.toBuffer()], hex('00 01 00 01 00'));
});

test('a request header v2 with an unknown tagged field still parses', (t) => {
  const buf = Buffer.from(hex('0003 0009 00000003 ffff 01 05 02 abcd 02'));
  const r = new Reader(buf);
  t.deepEqual(decodeRequestHeader(r, 2), { requestApiKey: 3, requestApiVersion: 9, correlationId: 3, clientId: null });
  t.is(r.offset, buf.length - 1);
});

test('Produce v3 request with a records blob', (t) => {
  const records = Buffer.from([1, 2, 3, 4, 5]);
  const value: ProduceRequest = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
  };
  const w = new Writer();
  encodeProduceRequest(w, 3, value);
  const body = w.toBuffer();
  t.deepEqual([...body], hex('ffff ffff 00007530 00000001 0001 74 00000001 00000000 00000005 0102030405'));
  t.true(w.toBuffers().includes(records), 'records are referenced, not copied');
  const decoded = decodeProduceRequest(new Reader(body), 3);
  t.deepEqual(decoded, value);
  const got = decoded.topicData[0]!.partitionData[0]!.records!;
  t.is(got.buffer, body.buffer, 'decoded records are a view of the input');
  t.is(got.byteOffset, body.byteOffset + body.length - 5);
});

test('Produce v9 request uses compact encodings', (t) => {
  const w = new Writer();
  encodeProduceRequest(w, 9, {
    transactionalId: 'tx',
    acks: 1,
    timeoutMs: 1,
    topicData: [{ name: 't', partitionData: [{ index: 2, records: null }] }],
  });
  t.deepEqual([...w.toBuffer()], hex('03 7478 0001 00000001 02 02 74 02 00000002 00 00 00 00'));
});

test('Fetch v12 response writes record chunks by reference', (t) => {
  const a = Buffer.alloc(3000, 1);
  const b = Buffer.alloc(10, 2);
  const value: FetchResponse<Uint8Array[]> = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topic: 't',
        topicId: '00000000-0000-0000-0000-000000000000',
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            highWatermark: 10,
            lastStableOffset: 10,
            logStartOffset: 0,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: [a, b],
          },
        ],
      },
    ],
  };
  const w = new Writer();
  encodeFetchResponse(w, 12, value);
  const chunks = w.toBuffers();
  t.true(chunks.includes(a));
  t.true(chunks.includes(b));
  const decoded = decodeFetchResponse(new Reader(w.toBuffer()), 12);
  t.deepEqual(decoded.responses[0]!.partitions[0]!.records, Buffer.concat([a, b]));
});
