// The client connection: handshake and version negotiation against a live broker and against fake brokers
// (ApiVersions fallback to v0, a broker that never answers, one that hangs up), pipelining, bad bootstrap lists.
import test from 'ava';
import { createServer, type Server, type Socket } from 'node:net';
import { Cluster, parseBootstrap } from '../../src/client/cluster.js';
import { Connection } from '../../src/client/connection.js';
import type { SpateError } from '../../src/errors.js';
import { ApiKey, encodeApiVersionsResponse, encodeResponseHeader, type MetadataResponse } from '../../src/protocol/generated/index.js';
import { Writer } from '../../src/protocol/writer.js';
import { startTestBroker } from '../helpers/broker.js';

interface FakeRequest {
  apiKey: number;
  version: number;
  correlationId: number;
}

/** A fake broker: calls `onRequest` for each request frame with a function that sends a raw response body. */
async function fakeBroker(onRequest: (req: FakeRequest, reply: (body: (w: Writer) => void) => void, socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + frame.length);
        const req = { apiKey: frame.readInt16BE(0), version: frame.readInt16BE(2), correlationId: frame.readInt32BE(4) };
        onRequest(
          req,
          (body) => {
            const w = new Writer();
            const size = w.reserveInt32();
            encodeResponseHeader(w, 0, req.correlationId);
            body(w);
            w.fillInt32(size, w.length - 4);
            socket.write(w.toBuffer());
          },
          socket,
        );
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

test('handshake with Spate negotiates min(client max, broker max) per API and pipelines requests', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const connection = await Connection.connect(broker.host, broker.port);
  t.teardown(() => connection.close());
  t.is(connection.version(ApiKey.Produce), 10);
  t.is(connection.version(ApiKey.Fetch), 12); // the client names topics, so it stays below v13
  t.is(connection.version(ApiKey.Metadata), 12);
  t.is(connection.version(ApiKey.ListOffsets), 8);
  t.deepEqual(connection.brokerVersions.get(ApiKey.Fetch), { minVersion: 4, maxVersion: 16 });
  const version = connection.version(ApiKey.Metadata);
  const responses = await Promise.all(
    Array.from({ length: 50 }, () =>
      connection.request<MetadataResponse>(ApiKey.Metadata, version, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }),
    ),
  );
  t.is(responses.length, 50);
  t.true(responses.every((r) => r.brokers.length === 1 && r.brokers[0]!.port === broker.port));
});

test('ApiVersions falls back to v0 when the broker answers UNSUPPORTED_VERSION; versions are picked inside both ranges', async (t) => {
  const seen: number[] = [];
  const { server, port } = await fakeBroker((req, reply) => {
    if (req.apiKey !== ApiKey.ApiVersions) return;
    seen.push(req.version);
    if (req.version > 0) {
      // What a Kafka broker does: a v0 body with the error and its own ApiVersions range.
      reply((w) => encodeApiVersionsResponse(w, 0, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 0 }], throttleTimeMs: 0 }));
      return;
    }
    reply((w) =>
      encodeApiVersionsResponse(w, 0, {
        errorCode: 0,
        apiKeys: [
          { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 0 },
          { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 5 },
          { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 2 },
          { apiKey: ApiKey.Fetch, minVersion: 13, maxVersion: 17 },
        ],
        throttleTimeMs: 0,
      }),
    );
  });
  t.teardown(() => server.close());
  const connection = await Connection.connect('127.0.0.1', port);
  t.teardown(() => connection.close());
  t.deepEqual(seen, [3, 0]);
  t.is(connection.version(ApiKey.Metadata), 5);
  t.false(connection.supports(ApiKey.Produce)); // the client needs v3+ (record batch v2)
  t.false(connection.supports(ApiKey.Fetch)); // no overlap with the client's v4-12
  t.false(connection.supports(ApiKey.JoinGroup)); // not offered at all
  const error = t.throws<SpateError>(() => connection.version(ApiKey.Produce));
  t.is(error?.code, 'SPATE_CLIENT_UNSUPPORTED');
  t.regex(error!.message, /offers Produce v0-2; this client speaks v3-10/);
});

test('a request without an answer times out; a broker hanging up fails pending requests', async (t) => {
  const { server, port } = await fakeBroker((req, reply, socket) => {
    if (req.apiKey === ApiKey.ApiVersions) {
      reply((w) => encodeApiVersionsResponse(w, req.version, { errorCode: 0, apiKeys: [{ apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 12 }, { apiKey: ApiKey.ListGroups, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0 }));
    } else if (req.apiKey === ApiKey.ListGroups) {
      socket.destroy();
    }
    // Metadata is never answered.
  });
  t.teardown(() => server.close());
  const connection = await Connection.connect('127.0.0.1', port, { requestTimeoutMs: 200 });
  const started = Date.now();
  const timeout = await t.throwsAsync<SpateError>(
    connection.request(ApiKey.Metadata, 12, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }),
  );
  t.is(timeout?.code, 'SPATE_CLIENT_TIMEOUT');
  t.regex(timeout!.message, /Metadata request to 127\.0\.0\.1:\d+ timed out after 200 ms/);
  t.true(Date.now() - started >= 190);
  const closed = await t.throwsAsync<SpateError>(connection.request(ApiKey.ListGroups, 4, { statesFilter: [] }));
  t.is(closed?.code, 'SPATE_CLIENT_CONNECTION');
  t.regex(closed!.message, /ListGroups request failed: connection to .* closed/);
  t.true(connection.closed);
});

test('bootstrap lists are parsed strictly and an unreachable one is a clear connection error', async (t) => {
  t.deepEqual(parseBootstrap('a:1, b:2'), [{ host: 'a', port: 1 }, { host: 'b', port: 2 }]);
  t.deepEqual(parseBootstrap('[::1]:9092'), [{ host: '::1', port: 9092 }]);
  for (const bad of ['', 'nohost', 'h:0', 'h:99999', 'h:x']) {
    t.is(t.throws<SpateError>(() => parseBootstrap(bad))?.code, 'SPATE_CLIENT_INVALID_ARGUMENT', bad);
  }
  // A port nothing listens on: bind one, then close it.
  const { server, port } = await fakeBroker(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  const error = await t.throwsAsync<SpateError>(Cluster.connect({ bootstrap: `127.0.0.1:${port}` }));
  t.is(error?.code, 'SPATE_CLIENT_CONNECTION');
  t.regex(error!.message, new RegExp(`cannot reach any bootstrap broker: cannot connect to 127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
});
