// Turns one request frame into response bytes: header checks, decoding with the generated codecs, the API's
// handler, then the size-prefixed response. Malformed input throws, which closes only that connection.
import type { Logger } from 'pino';
import { NO_METRICS, type MetricsRecorder } from '../metrics/recorder.js';
import type { ClientConnection } from '../network/connection.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { decodeRequestHeader, encodeResponseHeader } from '../protocol/generated/headers.js';
import { ApiKey, apiDefinitions, requestHeaderVersion, responseHeaderVersion } from '../protocol/generated/index.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import type { AdvertisedApis } from './supported-apis.js';

export interface RequestInfo {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  connection: ClientConnection;
}

/** A handler returns the response body object, or null when the request gets no response (acks=0 produce). */
export type ApiHandler = (request: unknown, info: RequestInfo) => Promise<unknown> | unknown;

export class RequestRejected extends Error {}

export function createFrameProcessor(handlers: ReadonlyMap<number, ApiHandler>, advertised: AdvertisedApis, log: Logger, metrics: MetricsRecorder = NO_METRICS) {
  // One long-lived writer: reset() keeps its scratch memory, and bytes handed out earlier are never rewritten,
  // so responses still queued on slow sockets stay intact while small responses stop allocating.
  const writer = new Writer();
  return function processFrame(frame: Buffer, connection: ClientConnection): Promise<Buffer[] | null> | Buffer[] | null {
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
      if (apiKey === ApiKey.ApiVersions) return unsupportedApiVersionsResponse(correlationId, advertised);
      throw new RequestRejected(`unsupported version ${apiVersion} of api key ${apiKey} (supported ${api.minVersion}-${api.maxVersion})`);
    }
    const definition = apiDefinitions[apiKey]!;
    const reader = new Reader(frame);
    const header = decodeRequestHeader(reader, requestHeaderVersion(apiKey, apiVersion));
    const request = definition.decodeRequest(reader, apiVersion);
    const info: RequestInfo = { apiKey, apiVersion, correlationId, clientId: header.clientId, connection };
    const encode = (response: unknown): Buffer[] | null => {
      if (response === null) {
        metrics.request(apiKey, (performance.now() - started) / 1000);
        return null;
      }
      writer.reset();
      const size = writer.reserveInt32();
      encodeResponseHeader(writer, responseHeaderVersion(apiKey, apiVersion), correlationId);
      definition.encodeResponse(writer, apiVersion, response);
      writer.fillInt32(size, writer.length - 4);
      const buffers = writer.toBuffers();
      metrics.request(apiKey, (performance.now() - started) / 1000);
      return buffers;
    };
    const result = handler(request, info);
    if (result instanceof Promise) {
      return result.then(encode, (error: unknown) => {
        log.error({ err: error, apiKey, apiVersion, peer: connection.peer }, 'request handler failed');
        throw error;
      });
    }
    return encode(result);
  };
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
