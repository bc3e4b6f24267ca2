// A minimal raw Kafka protocol client over node:net, for tests that need to see (or break) the wire.
// It encodes requests with the generated codecs, matches responses to requests by correlation id, keeps the
// order in which response frames arrived, and can also write arbitrary bytes to the broker.
//
// Typical use:
//   const client = await RawClient.connect(broker.port);
//   const md = await client.metadata(['t']);
//   const { frame, response } = client.prepare(ApiKey.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
//   client.write(frame); await response;
import { connect, type Socket } from 'node:net';
import {
  ApiKey,
  apiDefinitions,
  decodeResponseHeader,
  encodeRequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  type ApiVersionsRequest,
  type ApiVersionsResponse,
  type CreateTopicsResponse,
  type DeleteTopicsResponse,
  type DescribeConfigsResponse,
  type FetchRequest,
  type FetchResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '../../src/protocol/generated/index.js';
import { Reader, ZERO_UUID } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { buildRecordBatch } from './batch-builder.js';

export { ApiKey };

/** Default time a request waits for its response before the promise rejects (a hang must fail a test fast). */
const DEFAULT_TIMEOUT_MS = 10_000;

export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
}

interface Waiter {
  resolve: (frame: Buffer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface ReceivedFrame {
  correlationId: number;
  /** performance.now() when the frame was complete. */
  at: number;
}

export interface PreparedRequest<T> {
  correlationId: number;
  /** The whole frame, size prefix included, ready for write(). */
  frame: Buffer;
  /** The decoded response once it arrives (rejects if the connection closes first or the timeout passes). */
  response: Promise<T>;
}

export interface RequestOptions {
  timeoutMs?: number;
  correlationId?: number;
}

export class RawClient {
  readonly socket: Socket;
  clientId: string | null;
  /** Every response frame that arrived, in arrival order. */
  readonly received: ReceivedFrame[] = [];
  /** Resolves once the connection is closed (by either side). */
  readonly closed: Promise<void>;
  readonly #waiters = new Map<number, Waiter>();
  readonly #unclaimed = new Map<number, Buffer>();
  #nextCorrelationId = 1;
  #pending: Buffer = Buffer.alloc(0);
  #isClosed = false;
  #closeError: Error | null = null;
  readonly #localPeer: string;

  private constructor(socket: Socket, clientId: string | null) {
    this.socket = socket;
    this.clientId = clientId;
    // Captured now: a destroyed socket no longer knows its address.
    this.#localPeer = `${socket.localAddress}:${socket.localPort}`;
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.#isClosed = true;
        const error = new ConnectionClosedError(`connection closed by ${this.#closeError ? `error: ${this.#closeError.message}` : 'peer or client'}`);
        for (const [id, waiter] of this.#waiters) {
          clearTimeout(waiter.timer);
          waiter.reject(new ConnectionClosedError(`${error.message} (awaiting correlation id ${id})`));
        }
        this.#waiters.clear();
        resolve();
      });
    });
    socket.on('error', (error) => {
      this.#closeError = error;
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
  }

  static connect(port: number, host = '127.0.0.1', clientId: string | null = 'spate-raw-client'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true });
      const onError = (error: Error): void => reject(error);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new RawClient(socket, clientId));
      });
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** `host:port` of our end, as the broker names this peer in its logs. */
  get localPeer(): string {
    return this.#localPeer;
  }

  nextCorrelationId(): number {
    const id = this.#nextCorrelationId;
    this.#nextCorrelationId = (this.#nextCorrelationId + 1) | 0 || 1;
    return id;
  }

  /** Encodes a request frame (size prefix, header, body) with the generated codecs; sends nothing. */
  encode(apiKey: number, apiVersion: number, body: unknown, correlationId = this.nextCorrelationId()): Buffer {
    const definition = apiDefinitions[apiKey];
    if (!definition) throw new Error(`no codec for api key ${apiKey}`);
    const writer = new Writer();
    const size = writer.reserveInt32();
    encodeRequestHeader(writer, requestHeaderVersion(apiKey, apiVersion), { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId: this.clientId });
    definition.encodeRequest(writer, apiVersion, body);
    writer.fillInt32(size, writer.length - 4);
    return writer.toBuffer();
  }

  /** A frame with a v1 request header (api key, version, correlation id, client id) and an arbitrary body. */
  encodeRaw(apiKey: number, apiVersion: number, body: Buffer, correlationId = this.nextCorrelationId()): Buffer {
    const writer = new Writer();
    const size = writer.reserveInt32();
    encodeRequestHeader(writer, 1, { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId: this.clientId });
    writer.writeRaw(body);
    writer.fillInt32(size, writer.length - 4);
    return writer.toBuffer();
  }

  /** Decodes a response frame (without its size prefix) of the given API and version. */
  static decode<T>(apiKey: number, apiVersion: number, frame: Buffer): T {
    const definition = apiDefinitions[apiKey];
    if (!definition) throw new Error(`no codec for api key ${apiKey}`);
    const reader = new Reader(frame);
    decodeResponseHeader(reader, responseHeaderVersion(apiKey, apiVersion));
    const value = definition.decodeResponse(reader, apiVersion) as T;
    if (reader.remaining() !== 0) throw new Error(`api ${apiKey} v${apiVersion} response has ${reader.remaining()} trailing bytes`);
    return value;
  }

  /** Waits for the response frame with this correlation id (the frame without its size prefix). */
  rawResponse(correlationId: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
    const early = this.#unclaimed.get(correlationId);
    if (early) {
      this.#unclaimed.delete(correlationId);
      return Promise.resolve(early);
    }
    if (this.#isClosed) return Promise.reject(new ConnectionClosedError(`connection already closed (awaiting correlation id ${correlationId})`));
    if (this.#waiters.has(correlationId)) return Promise.reject(new Error(`correlation id ${correlationId} is already awaited`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(correlationId);
        reject(new Error(`no response to correlation id ${correlationId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(correlationId, { resolve, reject, timer });
    });
  }

  /** Encodes a request and registers for its response, without sending: for pipelining several in one write. */
  prepare<T>(apiKey: number, apiVersion: number, body: unknown, options: RequestOptions = {}): PreparedRequest<T> {
    const correlationId = options.correlationId ?? this.nextCorrelationId();
    const frame = this.encode(apiKey, apiVersion, body, correlationId);
    const response = this.rawResponse(correlationId, options.timeoutMs).then((raw) => RawClient.decode<T>(apiKey, apiVersion, raw));
    // Callers may never await a response whose connection they expect to be closed; that is not an error.
    response.catch(() => undefined);
    return { correlationId, frame, response };
  }

  /** Sends one request and resolves with its decoded response. */
  request<T>(apiKey: number, apiVersion: number, body: unknown, options: RequestOptions = {}): Promise<T> {
    const prepared = this.prepare<T>(apiKey, apiVersion, body, options);
    this.write(prepared.frame);
    return prepared.response;
  }

  /** Writes arbitrary bytes (one socket write per call; an array is concatenated first). */
  write(bytes: Buffer | Buffer[]): void {
    this.socket.write(Array.isArray(bytes) ? Buffer.concat(bytes) : bytes);
  }

  /** Half-closes our side (FIN) after whatever was written. */
  end(): void {
    this.socket.end();
  }

  /** True if the connection closes within `timeoutMs`. */
  async waitForClose(timeoutMs = 5000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([this.closed.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }

  /** Closes our side and waits for the socket to be gone. */
  async close(): Promise<void> {
    if (!this.#isClosed) this.socket.destroy();
    await this.closed;
  }

  #onData(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= 4) {
      const size = this.#pending.readInt32BE(0);
      if (size < 4) {
        this.socket.destroy(new Error(`broker sent an invalid frame size ${size}`));
        return;
      }
      if (this.#pending.length < 4 + size) return;
      const frame = this.#pending.subarray(4, 4 + size);
      this.#pending = this.#pending.subarray(4 + size);
      const correlationId = frame.readInt32BE(0);
      this.received.push({ correlationId, at: performance.now() });
      const waiter = this.#waiters.get(correlationId);
      if (waiter) {
        this.#waiters.delete(correlationId);
        clearTimeout(waiter.timer);
        waiter.resolve(frame);
      } else {
        this.#unclaimed.set(correlationId, frame);
      }
    }
  }

  // ------------------------------------------------------------------ typed conveniences

  apiVersions(version = 3, request: ApiVersionsRequest = { clientSoftwareName: 'spate-raw-client', clientSoftwareVersion: '0.1.0' }): Promise<ApiVersionsResponse> {
    return this.request<ApiVersionsResponse>(ApiKey.ApiVersions, version, request);
  }

  /** Metadata v12 for these topics (null = all topics). */
  metadata(topics: string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
    return this.request<MetadataResponse>(ApiKey.Metadata, 12, {
      topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
  }

  /** CreateTopics v7 for one topic; partitions -1 = the broker default. */
  createTopic(name: string, partitions = 1, configs: Record<string, string> = {}): Promise<CreateTopicsResponse> {
    return this.request<CreateTopicsResponse>(ApiKey.CreateTopics, 7, {
      topics: [
        {
          name,
          numPartitions: partitions,
          replicationFactor: -1,
          assignments: [],
          configs: Object.entries(configs).map(([key, value]) => ({ name: key, value })),
        },
      ],
      timeoutMs: 10_000,
      validateOnly: false,
    });
  }

  /** DeleteTopics v5 by name. */
  deleteTopics(names: string[]): Promise<DeleteTopicsResponse> {
    return this.request<DeleteTopicsResponse>(ApiKey.DeleteTopics, 5, { topics: [], topicNames: names, timeoutMs: 10_000 });
  }

  /** DescribeConfigs v4 of one topic (all keys). */
  describeTopicConfigs(topic: string): Promise<DescribeConfigsResponse> {
    return this.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
  }

  /** Produce v9 (acks=-1) of one batch per listed partition. */
  produce(topic: string, batches: Array<{ partition: number; records: Buffer }> | { partition: number; records: Buffer }, acks = -1): Promise<ProduceResponse> {
    return this.request<ProduceResponse>(ApiKey.Produce, 9, produceRequest(topic, batches, acks));
  }

  /** The Produce v9 request body, for prepare() and pipelining. */
  static produceBody(topic: string, batches: Array<{ partition: number; records: Buffer }> | { partition: number; records: Buffer }, acks = -1): unknown {
    return produceRequest(topic, batches, acks);
  }

  /** Fetch v12 (topic names) of one partition. */
  fetch(topic: string, partition: number, fetchOffset: number, options: FetchOptions = {}): Promise<FetchResponse> {
    return this.request<FetchResponse>(ApiKey.Fetch, 12, RawClient.fetchBody(topic, partition, fetchOffset, options), options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {});
  }

  static fetchBody(topic: string, partition: number, fetchOffset: number, options: FetchOptions = {}): FetchRequest {
    return {
      replicaId: -1,
      maxWaitMs: options.maxWaitMs ?? 0,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          topicId: ZERO_UUID,
          partitions: [
            { partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: options.partitionMaxBytes ?? 10 * 1024 * 1024 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    };
  }

  /** ListOffsets v7 of one partition; timestamp -1 = latest, -2 = earliest. */
  listOffsets(topic: string, partition: number, timestamp = -1): Promise<ListOffsetsResponse> {
    return this.request<ListOffsetsResponse>(ApiKey.ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
    });
  }

  /** Shortcut: the offset ListOffsets returns for one partition (throws on an error code). */
  async offset(topic: string, partition: number, timestamp = -1): Promise<number> {
    const response = await this.listOffsets(topic, partition, timestamp);
    const p = response.topics[0]!.partitions[0]!;
    if (p.errorCode !== 0) throw new Error(`ListOffsets ${topic}-${partition} failed with error ${p.errorCode}`);
    return p.offset;
  }
}

export interface FetchOptions {
  maxWaitMs?: number;
  minBytes?: number;
  maxBytes?: number;
  partitionMaxBytes?: number;
  timeoutMs?: number;
}

function produceRequest(topic: string, batches: Array<{ partition: number; records: Buffer }> | { partition: number; records: Buffer }, acks: number): unknown {
  const list = Array.isArray(batches) ? batches : [batches];
  return {
    transactionalId: null,
    acks,
    timeoutMs: 10_000,
    topicData: [{ name: topic, partitionData: list.map((b) => ({ index: b.partition, records: b.records })) }],
  };
}

/**
 * Proves a connection still works end to end: ApiVersions, Metadata of `topic`, a produce of one fresh record
 * to `partition` and a fetch that returns it. Throws (with what went wrong) otherwise.
 */
export async function assertRoundTrip(client: RawClient, topic: string, partition = 0): Promise<void> {
  const versions = await client.apiVersions();
  if (versions.errorCode !== 0 || versions.apiKeys.length === 0) throw new Error(`ApiVersions failed: error ${versions.errorCode}`);
  const metadata = await client.metadata([topic]);
  const described = metadata.topics[0];
  if (!described || described.errorCode !== 0 || !described.partitions.some((p) => p.partitionIndex === partition)) {
    throw new Error(`Metadata of ${topic} failed: ${JSON.stringify(described)}`);
  }
  const end = await client.offset(topic, partition);
  const value = Buffer.from(`round-trip-${process.hrtime.bigint()}`);
  // Keyed, so the round trip works on compacted topics too (they refuse keyless records).
  const produced = await client.produce(topic, { partition, records: buildRecordBatch([{ key: Buffer.from('round-trip'), value }]) });
  const result = produced.responses[0]!.partitionResponses[0]!;
  if (result.errorCode !== 0 || result.baseOffset !== end) {
    throw new Error(`produce to ${topic}-${partition} failed: error ${result.errorCode}, base offset ${result.baseOffset}, expected ${end}`);
  }
  const fetched = await client.fetch(topic, partition, end);
  const data = fetched.responses[0]!.partitions[0]!;
  if (data.errorCode !== 0 || !data.records || data.records.indexOf(value) < 0 || data.highWatermark !== end + 1) {
    throw new Error(`fetch of ${topic}-${partition}@${end} did not return the record: error ${data.errorCode}, hw ${data.highWatermark}`);
  }
}

/** One parsed pino JSON log line. */
export type LogLine = Record<string, unknown> & { msg?: string };

/**
 * Waits until a JSON log line (e.g. from startBrokerProcess's `logs`) satisfies `match`; resolves with it, or
 * rejects after `timeoutMs` listing the lines seen. Non-JSON lines (stderr chunks) are skipped.
 */
export async function waitForLogLine(logs: readonly string[], match: (line: LogLine) => boolean, timeoutMs = 5000): Promise<LogLine> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    for (const text of logs) {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      if (match(line)) return line;
    }
    if (performance.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; logs:\n${logs.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
