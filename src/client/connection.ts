// One TCP connection to a Kafka-compatible broker: the ApiVersions handshake, per-API version negotiation,
// size-prefixed frames, pipelined requests matched to responses by correlation id, and per-request timeouts.
import { connect as netConnect, type Socket } from 'node:net';
import {
  ApiKey,
  apiDefinitions,
  decodeApiVersionsResponse,
  decodeResponseHeader,
  encodeRequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  type ApiVersionsResponse,
} from '../protocol/generated/index.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { ClientError, kafkaErrorName } from './errors.js';

export interface ConnectionOptions {
  /** Sent in every request header; default "spate". */
  clientId?: string;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Time a request waits for its response; default 30 s. */
  requestTimeoutMs?: number;
}

export interface RequestOptions {
  /** Overrides the connection's request timeout (a long-poll Fetch adds its max wait to it). */
  timeoutMs?: number;
}

export interface VersionRange {
  minVersion: number;
  maxVersion: number;
}

const UNSUPPORTED_VERSION = 35;
const CLIENT_SOFTWARE_NAME = 'spate';
const CLIENT_SOFTWARE_VERSION = '0.1.0';
/** A response frame larger than this is treated as a broken stream. */
const MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;

/**
 * The versions this client sends, per API: the generated codec range, narrowed where the client relies on a
 * feature. Fetch stays at v12 and below, where topics are named (v13+ names them by topic id); ListOffsets,
 * Metadata, OffsetCommit and OffsetFetch start where the semantics the client uses begin.
 */
const CLIENT_RANGES: Readonly<Record<number, VersionRange>> = {
  // Produce v0-2 carry the legacy message format, which this client does not write.
  [ApiKey.Produce]: { minVersion: 3, maxVersion: 10 },
  [ApiKey.Fetch]: { minVersion: 4, maxVersion: 12 },
  [ApiKey.ListOffsets]: { minVersion: 1, maxVersion: 8 },
  [ApiKey.Metadata]: { minVersion: 1, maxVersion: 12 },
  [ApiKey.OffsetCommit]: { minVersion: 2, maxVersion: 9 },
  [ApiKey.OffsetFetch]: { minVersion: 1, maxVersion: 9 },
};

export function clientVersionRange(apiKey: number): VersionRange | undefined {
  const range = CLIENT_RANGES[apiKey];
  if (range !== undefined) return range;
  const def = apiDefinitions[apiKey];
  return def === undefined ? undefined : { minVersion: def.minVersion, maxVersion: def.maxVersion };
}

function apiName(apiKey: number): string {
  return apiDefinitions[apiKey]?.name ?? `api ${apiKey}`;
}

interface Pending {
  apiKey: number;
  version: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class Connection {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  /** The broker's advertised range per API key, from the handshake. */
  readonly brokerVersions = new Map<number, VersionRange>();
  readonly #socket: Socket;
  readonly #pending = new Map<number, Pending>();
  readonly #closeListeners: Array<() => void> = [];
  #chunks: Buffer[] = [];
  #buffered = 0;
  #nextCorrelationId = 1;
  #closed = false;
  #closeReason: string | null = null;

  private constructor(socket: Socket, host: string, port: number, options: ConnectionOptions) {
    this.#socket = socket;
    this.host = host;
    this.port = port;
    this.clientId = options.clientId ?? 'spate';
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error: Error) => {
      this.#closeReason ??= error.message;
    });
    socket.on('close', () => this.#onClose());
  }

  /** Opens a connection and performs the ApiVersions handshake. */
  static async connect(host: string, port: number, options: ConnectionOptions = {}): Promise<Connection> {
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new ClientError('SPATE_CLIENT_CONNECTION', `cannot connect to ${host}:${port}: no answer within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      s.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new ClientError('SPATE_CLIENT_CONNECTION', `cannot connect to ${host}:${port}: ${error.code ?? error.message}`, { cause: error }));
      });
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
    });
    const connection = new Connection(socket, host, port, options);
    try {
      await connection.#handshake();
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called once when the connection closes, for whatever reason. */
  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#closeListeners.push(listener);
  }

  /** Whether the broker serves this API at a version this client can speak. */
  supports(apiKey: number): boolean {
    return this.#negotiate(apiKey) !== undefined;
  }

  /** The version to use for an API: the highest inside both the client's and the broker's range. */
  version(apiKey: number): number {
    const version = this.#negotiate(apiKey);
    if (version === undefined) {
      const broker = this.brokerVersions.get(apiKey);
      const ours = clientVersionRange(apiKey);
      const theirs = broker === undefined ? `does not offer ${apiName(apiKey)}` : `offers ${apiName(apiKey)} v${broker.minVersion}-${broker.maxVersion}`;
      const mine = ours === undefined ? 'no version of it' : `v${ours.minVersion}-${ours.maxVersion}`;
      throw new ClientError('SPATE_CLIENT_UNSUPPORTED', `broker ${this.address} ${theirs}; this client speaks ${mine}`);
    }
    return version;
  }

  #negotiate(apiKey: number): number | undefined {
    const ours = clientVersionRange(apiKey);
    const theirs = this.brokerVersions.get(apiKey);
    if (ours === undefined || theirs === undefined) return undefined;
    const max = Math.min(ours.maxVersion, theirs.maxVersion);
    const min = Math.max(ours.minVersion, theirs.minVersion);
    return max >= min ? max : undefined;
  }

  async #handshake(): Promise<void> {
    let response = await this.#apiVersions(3);
    if (response.errorCode === UNSUPPORTED_VERSION) response = await this.#apiVersions(0);
    if (response.errorCode !== 0) {
      throw new ClientError('SPATE_CLIENT_PROTOCOL', `ApiVersions handshake with ${this.address} failed: ${kafkaErrorName(response.errorCode)}`);
    }
    for (const api of response.apiKeys) this.brokerVersions.set(api.apiKey, { minVersion: api.minVersion, maxVersion: api.maxVersion });
  }

  /**
   * A broker that does not know the requested ApiVersions version answers with a v0 body carrying
   * UNSUPPORTED_VERSION, so the error code is read before the body is decoded at the version sent.
   */
  async #apiVersions(version: number): Promise<ApiVersionsResponse> {
    const frame = await this.#send(ApiKey.ApiVersions, version, { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION }, true, this.requestTimeoutMs, true);
    const reader = frame as Reader;
    if (reader.remaining() >= 2 && reader.buffer.readInt16BE(reader.offset) === UNSUPPORTED_VERSION) {
      return { errorCode: UNSUPPORTED_VERSION, apiKeys: [], throttleTimeMs: 0 };
    }
    try {
      return decodeApiVersionsResponse(reader, version);
    } catch (error) {
      throw new ClientError('SPATE_CLIENT_PROTOCOL', `malformed ApiVersions v${version} response from ${this.address}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Sends a request at an explicit version and resolves with the decoded response. */
  request<T>(apiKey: number, version: number, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.#send(apiKey, version, body, true, options.timeoutMs ?? this.requestTimeoutMs, false) as Promise<T>;
  }

  /** Sends a request the broker does not answer (Produce with acks=0). Resolves once written. */
  async sendOnly(apiKey: number, version: number, body: unknown): Promise<void> {
    await this.#send(apiKey, version, body, false, this.requestTimeoutMs, false);
  }

  #send(apiKey: number, version: number, body: unknown, expectResponse: boolean, timeoutMs: number, raw: boolean): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closedError(`cannot send ${apiName(apiKey)}`));
    const definition = apiDefinitions[apiKey];
    if (definition === undefined) return Promise.reject(new ClientError('SPATE_CLIENT_UNSUPPORTED', `no codec for api key ${apiKey}`));
    const correlationId = this.#nextCorrelationId;
    this.#nextCorrelationId = (this.#nextCorrelationId + 1) & 0x7fffffff || 1;
    const writer = new Writer();
    const size = writer.reserveInt32();
    try {
      encodeRequestHeader(writer, requestHeaderVersion(apiKey, version), { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: this.clientId });
      definition.encodeRequest(writer, version, body);
    } catch (error) {
      return Promise.reject(new ClientError('SPATE_CLIENT_PROTOCOL', `cannot encode ${definition.name} v${version}: ${(error as Error).message}`, { cause: error }));
    }
    writer.fillInt32(size, writer.length - 4);
    const buffers = writer.toBuffers();
    if (!expectResponse) {
      return new Promise((resolve, reject) => {
        const last = buffers.length - 1;
        this.#socket.cork();
        buffers.forEach((b, i) => {
          if (i < last) this.#socket.write(b);
          else this.#socket.write(b, (error) => (error ? reject(this.#closedError(`cannot send ${definition.name}`)) : resolve(undefined)));
        });
        this.#socket.uncork();
      });
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(correlationId);
        reject(new ClientError('SPATE_CLIENT_TIMEOUT', `${definition.name} request to ${this.address} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const pending: Pending = {
        apiKey,
        version,
        timer,
        reject,
        resolve: raw
          ? resolve
          : (reader) => {
              try {
                resolve(definition.decodeResponse(reader as Reader, version));
              } catch (error) {
                reject(new ClientError('SPATE_CLIENT_PROTOCOL', `malformed ${definition.name} v${version} response from ${this.address}: ${(error as Error).message}`, { cause: error }));
              }
            },
      };
      this.#pending.set(correlationId, pending);
      this.#socket.cork();
      for (const b of buffers) this.#socket.write(b);
      this.#socket.uncork();
    });
  }

  #onData(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#buffered < 4) return;
      if (this.#chunks[0]!.length < 4) this.#flatten();
      const size = this.#chunks[0]!.readInt32BE(0);
      if (size < 4 || size > MAX_RESPONSE_BYTES) {
        this.#fail(`response frame size ${size} is invalid`);
        return;
      }
      if (this.#buffered < size + 4) return;
      if (this.#chunks[0]!.length < size + 4) this.#flatten();
      const head = this.#chunks[0]!;
      const frame = head.subarray(4, size + 4);
      if (head.length === size + 4) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(size + 4);
      this.#buffered -= size + 4;
      this.#onFrame(frame);
      if (this.#closed) return;
    }
  }

  #flatten(): void {
    this.#chunks = [Buffer.concat(this.#chunks, this.#buffered)];
  }

  #onFrame(frame: Buffer): void {
    if (frame.length < 4) return;
    const correlationId = frame.readInt32BE(0);
    const pending = this.#pending.get(correlationId);
    // A response to a request that already timed out is dropped.
    if (pending === undefined) return;
    this.#pending.delete(correlationId);
    clearTimeout(pending.timer);
    try {
      const reader = new Reader(frame);
      decodeResponseHeader(reader, responseHeaderVersion(pending.apiKey, pending.version));
      pending.resolve(reader);
    } catch (error) {
      pending.reject(new ClientError('SPATE_CLIENT_PROTOCOL', `malformed response header from ${this.address}: ${(error as Error).message}`));
    }
  }

  #fail(reason: string): void {
    this.#closeReason ??= reason;
    this.#socket.destroy();
  }

  #closedError(what: string): ClientError {
    return new ClientError('SPATE_CLIENT_CONNECTION', `${what}: connection to ${this.address} closed${this.#closeReason ? ` (${this.#closeReason})` : ''}`);
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(this.#closedError(`${apiName(pending.apiKey)} request failed`));
    }
    this.#pending.clear();
    for (const listener of this.#closeListeners.splice(0)) listener();
  }

  close(): void {
    if (this.#closed) return;
    this.#closeReason ??= 'closed by the client';
    this.#socket.destroy();
    this.#onClose();
  }
}
