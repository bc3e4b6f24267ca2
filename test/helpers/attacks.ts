// Hostile connections for the memory-bound tests and perf/memory-attacks.ts: sockets that write requests and
// never read, size prefixes with no body behind them, bytes dripped one at a time, crowds of idle sockets; and a
// well-behaved producer that measures its produce latency while the attack runs.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey } from '../../src/protocol/generated/index.js';
import { buildRecordBatch } from './batch-builder.js';
import { RawClient } from './raw-client.js';

/** A connection whose reading side is paused from the start: responses pile up on the broker. */
export function openSilentSocket(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, noDelay: true });
    socket.pause();
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // Errors after connecting (the broker closing us) are expected; they must not crash the attacker.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** Opens `count` sockets, `concurrency` at a time; a refused or reset connection counts as refused. */
export async function openSockets(port: number, count: number, concurrency = 200, silent = false): Promise<{ sockets: Socket[]; refused: number }> {
  const sockets: Socket[] = [];
  let refused = 0;
  let next = 0;
  const open = async (): Promise<void> => {
    while (next < count) {
      next++;
      try {
        const socket = await openSilentSocket(port);
        if (!silent) socket.resume();
        sockets.push(socket);
      } catch {
        refused++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, open));
  return { sockets, refused };
}

/** Sockets the broker has closed (their 'close' event fired). */
export function countClosed(sockets: readonly Socket[]): number {
  return sockets.filter((s) => s.destroyed || s.closed).length;
}

export function destroyAll(sockets: readonly Socket[]): void {
  for (const socket of sockets) socket.destroy();
}

/** `count` Fetch v12 frames of one partition from offset 0, each allowed `maxBytes` of response. */
export function fetchFrames(encoder: RawClient, topic: string, count: number, maxBytes: number): Buffer {
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    frames.push(encoder.encode(ApiKey.Fetch, 12, RawClient.fetchBody(topic, 0, 0, { maxWaitMs: 0, maxBytes, partitionMaxBytes: maxBytes })));
  }
  return Buffer.concat(frames);
}

/** A size prefix declaring `size` bytes, followed by `bodyBytes` of them. */
export function declaredFrame(size: number, bodyBytes: number): Buffer {
  const bytes = Buffer.alloc(4 + bodyBytes, 0x55);
  bytes.writeInt32BE(size, 0);
  return bytes;
}

/** Writes all of `bytes` with back-pressure; resolves when written or when the socket is gone. */
export async function writeAll(socket: Socket, bytes: Buffer, chunkBytes = 256 * 1024): Promise<void> {
  for (let at = 0; at < bytes.length && !socket.destroyed; at += chunkBytes) {
    if (!socket.write(bytes.subarray(at, at + chunkBytes))) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.once('drain', done);
        socket.once('close', done);
      });
    }
  }
}

/** Writes `bytes` one byte every `intervalMs` until written or the socket is closed; never completes a frame early. */
export async function drip(socket: Socket, bytes: Buffer, intervalMs: number): Promise<void> {
  for (let i = 0; i < bytes.length && !socket.destroyed; i++) {
    socket.write(bytes.subarray(i, i + 1));
    await sleep(intervalMs);
  }
}

export interface LatencySummary {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * A well-behaved producer: one 1 KiB record per request (acks=1), one request at a time, on its own connection,
 * until stopped. It measures each request's round trip; a request that fails or times out counts as an error.
 */
export class ProduceProbe {
  readonly #client: RawClient;
  readonly #topic: string;
  readonly #latencies: number[] = [];
  #errors = 0;
  #running = true;
  readonly #loop: Promise<void>;

  private constructor(client: RawClient, topic: string) {
    this.#client = client;
    this.#topic = topic;
    this.#loop = this.#run();
  }

  static async start(port: number, topic: string): Promise<ProduceProbe> {
    return new ProduceProbe(await RawClient.connect(port), topic);
  }

  async #run(): Promise<void> {
    const value = Buffer.alloc(1024, 0x61);
    while (this.#running && !this.#client.isClosed) {
      const started = performance.now();
      try {
        const response = await this.#client.request<{ responses: Array<{ partitionResponses: Array<{ errorCode: number }> }> }>(
          ApiKey.Produce,
          9,
          RawClient.produceBody(this.#topic, { partition: 0, records: buildRecordBatch([{ value }]) }, 1),
          { timeoutMs: 60_000 },
        );
        if (response.responses[0]!.partitionResponses[0]!.errorCode !== 0) this.#errors++;
        else this.#latencies.push(performance.now() - started);
      } catch {
        this.#errors++;
      }
      await sleep(5);
    }
  }

  async stop(): Promise<LatencySummary> {
    this.#running = false;
    await this.#loop;
    await this.#client.close();
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const at = (p: number): number => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
    return { requests: sorted.length, errors: this.#errors, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? Number.NaN };
  }
}
