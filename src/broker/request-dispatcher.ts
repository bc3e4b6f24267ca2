// Turns one request frame into response bytes: header checks, decoding with the generated codecs, the bound on
// its response's size (for the network front-end's memory bounds), then, when the connection starts it, the API's
// handler and the size-prefixed response. Malformed input throws, which closes only that connection. With client
// quotas configured, the response carries its throttle time and the connection is muted for it (request-throttle.ts).
import type { Logger } from 'pino';
import { NO_METRICS, type MetricsRecorder } from '../metrics/recorder.js';
import type { ClientConnection, DecodedRequest, ResponseMemory } from '../network/connection.js';
import { ANONYMOUS, type KafkaPrincipal } from '../network/principal.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { decodeRequestHeader, encodeResponseHeader } from '../protocol/generated/headers.js';
import { ApiKey, apiDefinitions, requestHeaderVersion, responseHeaderVersion, type FetchRequest, type FetchResponse } from '../protocol/generated/index.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import type { RequestThrottle } from './request-throttle.js';
import type { AdvertisedApis } from './supported-apis.js';

export interface RequestInfo {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  connection: ClientConnection;
  /** The request's hold on the broker's response memory: a long poll gives it back while it waits. */
  responseMemory: ResponseMemory;
}

export interface FrameDecoderOptions {
  /** The largest record batch a partition may hold (message.max.bytes): a Fetch returns one whole, whatever its limits. */
  largestBatchBytes: number;
  /** The broker's fetch.max.bytes: caps a Fetch's max_bytes. */
  fetchMaxBytes: number;
  metrics?: MetricsRecorder;
  /** Client quotas: throttle times in responses and muted connections. */
  throttle?: RequestThrottle;
  /**
   * Test hook, until SASL authenticates connections: the principal an unauthenticated connection takes from the
   * client id of its requests (null: it stays as it is). Never set outside tests.
   */
  principalForTesting?: (clientId: string | null) => KafkaPrincipal | null;
}

/** What the response of a request other than Fetch is held at until it exists; its real size is counted then. */
const SMALL_RESPONSE_BOUND = 4096;
/** Response header, top-level fields and per-topic, per-partition fields of a Fetch response. */
const FETCH_RESPONSE_OVERHEAD = 64;
const FETCH_TOPIC_OVERHEAD = 32;
const FETCH_PARTITION_OVERHEAD = 64;

/** A handler returns the response body object, or null when the request gets no response (acks=0 produce). */
export type ApiHandler = (request: unknown, info: RequestInfo) => Promise<unknown> | unknown;

export class RequestRejected extends Error {}

export function createFrameDecoder(handlers: ReadonlyMap<number, ApiHandler>, advertised: AdvertisedApis, log: Logger, options: FrameDecoderOptions) {
  const metrics = options.metrics ?? NO_METRICS;
  // Handler failures are bugs, but a peer that can trigger one at will must not flood the log with them.
  const failures = new RateLimitedLog(log);
  // One long-lived writer: reset() keeps its scratch memory, and bytes handed out earlier are never rewritten,
  // so responses still queued on slow sockets stay intact while small responses stop allocating.
  const writer = new Writer();
  const throttle = options.throttle;
  const principalForTesting = options.principalForTesting;
  return function decodeFrame(frame: Buffer, connection: ClientConnection): DecodedRequest {
    const started = performance.now();
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const api = advertised.get(apiKey);
    const handler = handlers.get(apiKey);
    if (!api || !handler) throw new RequestRejected(`unknown or unsupported api key ${apiKey} (version ${apiVersion})`);
    if (apiVersion < api.minVersion || apiVersion > api.maxVersion) {
      // KIP-511: an ApiVersions request of a version we do not know is answered in the v0 layout, so the client
      // learns our ranges and retries. Any other API's body layout is unknown to us at that version: close.
      if (apiKey === ApiKey.ApiVersions) {
        const response = unsupportedApiVersionsResponse(correlationId, advertised);
        return { responseBytesBound: SMALL_RESPONSE_BOUND, run: () => response };
      }
      throw new RequestRejected(`unsupported version ${apiVersion} of api key ${apiKey} (supported ${api.minVersion}-${api.maxVersion})`);
    }
    const definition = apiDefinitions[apiKey]!;
    const reader = new Reader(frame);
    const header = decodeRequestHeader(reader, requestHeaderVersion(apiKey, apiVersion));
    const request = definition.decodeRequest(reader, apiVersion);
    const clientId = header.clientId;
    if (principalForTesting && connection.principal === ANONYMOUS) {
      const principal = principalForTesting(clientId);
      if (principal) connection.authenticated(principal);
    }
    // Main-thread time spent on the request (its request_percentage usage): decoding, then the handler's
    // synchronous part (work after an await, and time waiting on workers or a long poll, is not counted).
    let threadMs = performance.now() - started;
    const write = (response: unknown): Buffer[] => {
      writer.reset();
      const size = writer.reserveInt32();
      encodeResponseHeader(writer, responseHeaderVersion(apiKey, apiVersion), correlationId);
      definition.encodeResponse(writer, apiVersion, response);
      writer.fillInt32(size, writer.length - 4);
      return writer.toBuffers();
    };
    const encode = (response: unknown, info: RequestInfo): Buffer[] | null => {
      let buffers: Buffer[] | null;
      if (throttle?.enabled) buffers = throttled(response, info);
      else buffers = response === null ? null : write(response);
      metrics.request(apiKey, (performance.now() - started) / 1000);
      return buffers;
    };
    const throttled = (response: unknown, info: RequestInfo): Buffer[] | null => {
      let throttleMs: number;
      let buffers: Buffer[] | null;
      if (apiKey === ApiKey.Fetch) {
        // A Fetch is throttled by its response's size, so it is encoded first; a throttled one goes out empty.
        buffers = write(response);
        throttleMs = throttle!.fetchThrottleMs(info, byteLength(buffers), threadMs);
        if (throttleMs > 0) buffers = write(emptyFetchResponse(throttleMs));
      } else {
        throttleMs = throttle!.throttleMs(request, info, frame.length, threadMs);
        if (response !== null && throttleMs > 0 && typeof response === 'object' && 'throttleTimeMs' in response) {
          (response as { throttleTimeMs: number }).throttleTimeMs = throttleMs;
        }
        buffers = response === null ? null : write(response);
      }
      if (throttleMs > 0) connection.throttle(throttleMs);
      return buffers;
    };
    const responseBytesBound =
      apiKey === ApiKey.Fetch ? fetchResponseBound(request as FetchRequest, options.fetchMaxBytes, options.largestBatchBytes) : SMALL_RESPONSE_BOUND;
    return {
      responseBytesBound,
      run(responseMemory: ResponseMemory): Promise<Buffer[] | null> | Buffer[] | null {
        const info: RequestInfo = { apiKey, apiVersion, correlationId, clientId, connection, responseMemory };
        const handlerStarted = performance.now();
        const result = handler(request, info);
        threadMs += performance.now() - handlerStarted;
        if (result instanceof Promise) {
          return result.then(
            (response) => encode(response, info),
            (error: unknown) => {
              failures.write('error', `handler-${apiKey}`, { err: error, apiKey, apiVersion, peer: connection.peer }, 'request handler failed');
              throw error;
            },
          );
        }
        return encode(result, info);
      },
    };
  };
}

/**
 * The most a Fetch response can take: max_bytes (capped by fetch.max.bytes) in all and partition_max_bytes per
 * partition, except that a partition's first batch goes out whole, however large (KIP-74); batches are at most
 * `largestBatchBytes` (a topic's own max.message.bytes may allow larger ones: the real size is counted once the
 * response exists). A partition asked for no bytes is not read.
 */
export function fetchResponseBound(request: FetchRequest, fetchMaxBytes: number, largestBatchBytes: number): number {
  let overhead = FETCH_RESPONSE_OVERHEAD;
  let partitionsData = 0;
  for (const topic of request.topics) {
    overhead += FETCH_TOPIC_OVERHEAD + Buffer.byteLength(topic.topic);
    for (const partition of topic.partitions) {
      overhead += FETCH_PARTITION_OVERHEAD;
      if (partition.partitionMaxBytes > 0) partitionsData += Math.max(partition.partitionMaxBytes, largestBatchBytes);
    }
  }
  return overhead + Math.min(Math.max(Math.min(request.maxBytes, fetchMaxBytes), largestBatchBytes), partitionsData);
}

function byteLength(buffers: readonly Buffer[]): number {
  let total = 0;
  for (const b of buffers) total += b.length;
  return total;
}

/** What a throttled Fetch answers (Kafka's throttled response of a session-less fetch): no partitions at all. */
function emptyFetchResponse(throttleTimeMs: number): FetchResponse {
  return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId: 0, responses: [] };
}

function unsupportedApiVersionsResponse(correlationId: number, advertised: AdvertisedApis): Buffer[] {
  const writer = new Writer();
  const size = writer.reserveInt32();
  encodeResponseHeader(writer, 0, correlationId);
  const definition = apiDefinitions[ApiKey.ApiVersions]!;
  definition.encodeResponse(writer, 0, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: advertised.list.map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion })),
    throttleTimeMs: 0,
  });
  writer.fillInt32(size, writer.length - 4);
  return writer.toBuffers();
}
