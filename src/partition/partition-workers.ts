// The front-end's side of the partition workers: it starts them, owns the routing table (partition -> worker),
// and turns produce/fetch/list-offsets calls into frames on each worker's request ring.
// Back-pressure: when a request ring is full, frames wait in a per-worker backlog (holding a reference to the
// socket bytes, not a copy) until the worker frees space; connections stop reading long before that backlog
// can grow without bound (see network/connection.ts).
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import * as Comlink from 'comlink';
import type { Logger } from 'pino';
import { SpateError } from '../errors.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { createRingMemory, RingReader, RingWriter, ringUsedBytes, wakeReader, type RingMemory } from '../threads/ring.js';
import { createLatencyBuffer, createSharedLatencyBuffer, LatencyRecorder } from '../metrics/latency-histogram.js';
import type { PartitionWorkerControl, PartitionWorkerData } from './worker-host.js';
import { FLAG_ACKS_ALL, FLAG_FIRST_BATCH_WHOLE, Op, Rep, Req } from './ring-messages.js';
import { LogDirHealth } from './log-dir-health.js';
import { handleWorkerEvent, type LogStartMoved, type WorkerEventSinks } from './worker-event-handler.js';
import type { WorkerEvent } from './worker-events.js';

export type { LogStartMoved } from './worker-event-handler.js';

/** Produce acks: 0 and 1 reply once the batch is in the page cache, -1 once an fdatasync covers it. */
export type Acks = -1 | 0 | 1;

export interface ProduceReply {
  errorCode: number;
  baseOffset: number;
  logStartOffset: number;
  logEndOffset: number;
}

export interface FetchReply {
  errorCode: number;
  /** The log end offset on the worker when it read (the front end's Partition derives its high watermark). */
  logEndOffset: number;
  logStartOffset: number;
  records: Buffer | null;
}

export interface ListOffsetReply {
  errorCode: number;
  offset: number;
  timestamp: number;
  logStartOffset: number;
}

type Reply = ProduceReply | FetchReply | ListOffsetReply;

interface PendingCall {
  op: number;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

interface QueuedFrame {
  payloadBytes: number;
  alignMod8: number;
  fill: (view: DataView, bytes: Uint8Array, at: number) => void;
  /** performance.now() when the frame entered the backlog (ring wait metric). */
  queuedAt: number;
}

/** How full a worker's rings are, for metrics. */
export interface RingOccupancy {
  capacityBytes: number;
  requestUsedBytes: number;
  replyUsedBytes: number;
}

const WORKER_SCRIPT = fileURLToPath(new URL('../../workers/partition-worker.js', import.meta.url));

class WorkerLink {
  readonly index: number;
  readonly thread: Worker;
  readonly control: Comlink.Remote<PartitionWorkerControl>;
  readonly requests: RingWriter;
  readonly replies: RingReader;
  readonly #requestMemory: RingMemory;
  readonly replyMemory: RingMemory;
  /** fdatasync latencies, written by the worker thread, read at metrics scrape time. */
  readonly fsyncLatency = createSharedLatencyBuffer();
  /** Time frames spent in the backlog waiting for request-ring space. */
  readonly ringWaitLatency = createLatencyBuffer();
  readonly ringWait = new LatencyRecorder(this.ringWaitLatency);
  readonly pending = new Map<number, PendingCall>();
  readonly backlog: QueuedFrame[] = [];
  nextRequestId = 1;
  publishScheduled = false;
  drainingBacklog = false;
  dead: Error | null = null;
  readonly #port: MessagePort;
  /** The worker's WorkerEvents arrive here. */
  readonly events: MessagePort;

  constructor(index: number, ringBytes: number) {
    this.index = index;
    this.#requestMemory = createRingMemory(ringBytes);
    const replyMemory = createRingMemory(ringBytes);
    this.replyMemory = replyMemory;
    const channel = new MessageChannel();
    this.#port = channel.port1;
    const events = new MessageChannel();
    this.events = events.port1;
    const data: PartitionWorkerData = {
      index,
      requestRing: this.#requestMemory,
      replyRing: replyMemory,
      controlPort: channel.port2,
      fsyncLatency: this.fsyncLatency,
      events: events.port2,
    };
    this.thread = new Worker(WORKER_SCRIPT, { workerData: data, transferList: [channel.port2, events.port2], name: `spate-partitions-${index}` });
    this.control = Comlink.wrap<PartitionWorkerControl>(channel.port1 as unknown as Comlink.Endpoint);
    this.requests = new RingWriter(this.#requestMemory);
    this.replies = new RingReader(replyMemory);
  }

  get requestMemory(): RingMemory {
    return this.#requestMemory;
  }

  /** Control calls must interrupt a worker sleeping on its ring so the message is handled promptly. */
  async call<T>(fn: (control: Comlink.Remote<PartitionWorkerControl>) => Promise<T>): Promise<T> {
    if (this.dead) throw this.dead;
    const result = fn(this.control);
    wakeReader(this.#requestMemory);
    return await result;
  }

  closePort(): void {
    this.control[Comlink.releaseProxy]();
    this.#port.close();
    this.events.close();
  }
}

export class PartitionWorkerPool {
  /** Storage errors and the log dir's offline state, from the workers' events. */
  readonly health: LogDirHealth;
  readonly #links: WorkerLink[];
  readonly #log: Logger;
  readonly #logStartListeners: Array<(moved: LogStartMoved) => void> = [];
  #closed = false;

  private constructor(links: WorkerLink[], log: Logger) {
    this.#links = links;
    this.#log = log;
    this.health = new LogDirHealth(log);
    const sinks: WorkerEventSinks = {
      health: this.health,
      log,
      logStartMoved: (moved) => {
        for (const listener of this.#logStartListeners) listener(moved);
      },
    };
    this.health.onOffline(({ reason }) => {
      // Workers that did not see the failure themselves stop using the log dir too.
      for (const link of this.#links) {
        if (!link.dead) link.call((c) => c.takeOffline(reason)).catch(() => undefined);
      }
    });
    for (const link of links) {
      link.events.on('message', (event: WorkerEvent) => handleWorkerEvent(link.index, event, sinks));
      // Events must never keep the process alive on their own.
      link.events.unref();
      link.thread.on('error', (error) => this.#workerDied(link, error));
      link.thread.on('exit', (code) => {
        if (!this.#closed) this.#workerDied(link, new Error(`exited with code ${code}`));
      });
      void this.#readReplies(link);
    }
  }

  static async start(count: number, log: Logger, ringBytes = 32 * 1024 * 1024): Promise<PartitionWorkerPool> {
    const links = Array.from({ length: count }, (_, i) => new WorkerLink(i, ringBytes));
    await Promise.all(
      links.map(
        (link) =>
          new Promise<void>((resolve, reject) => {
            link.thread.once('online', () => resolve());
            link.thread.once('error', (error) => reject(new SpateError('SPATE_WORKER_STARTUP', `partition worker ${link.index} failed to start: ${error.message}`)));
          }),
      ),
    );
    return new PartitionWorkerPool(links, log);
  }

  get workerCount(): number {
    return this.#links.length;
  }

  /** Runs a control-plane call on one worker. */
  control<T>(worker: number, fn: (control: Comlink.Remote<PartitionWorkerControl>) => Promise<T>): Promise<T> {
    return this.#links[worker]!.call(fn);
  }

  isAlive(worker: number): boolean {
    return this.#links[worker]?.dead === null;
  }

  /** Alive and its log dir online: requests to it can succeed. */
  isServing(worker: number): boolean {
    return this.isAlive(worker) && this.health.offline === null;
  }

  /** Called whenever retention moves a partition's log start offset. */
  onLogStartMoved(listener: (moved: LogStartMoved) => void): void {
    this.#logStartListeners.push(listener);
  }

  /** Bytes in use on a worker's request and reply rings (metrics). */
  ringOccupancy(worker: number): RingOccupancy {
    const link = this.#links[worker]!;
    return {
      capacityBytes: link.requests.capacity,
      requestUsedBytes: ringUsedBytes(link.requestMemory),
      replyUsedBytes: ringUsedBytes(link.replyMemory),
    };
  }

  /** The worker's fdatasync latency histogram buffer (see metrics/latency-histogram.ts). */
  fsyncLatency(worker: number): SharedArrayBuffer | ArrayBuffer {
    return this.#links[worker]!.fsyncLatency;
  }

  /** Latency histogram of frames that waited in the backlog for request-ring space. */
  ringWaitLatency(worker: number): SharedArrayBuffer | ArrayBuffer {
    return this.#links[worker]!.ringWaitLatency;
  }

  /**
   * Test hook, never called by the broker itself: ends worker `index` abruptly (its thread stops wherever it
   * is, like a crash) so tests can check that the death is noticed, logged and turned into request errors.
   */
  terminateWorkerForTesting(index: number): Promise<number> {
    const link = this.#links[index];
    if (!link) return Promise.reject(new Error(`no partition worker ${index}`));
    return link.thread.terminate();
  }

  /** acks=-1 replies only once an fdatasync covers the batch; 0 and 1 once it is in the page cache. */
  produce(worker: number, partitionId: number, batch: Buffer, nowMs: number, acks: Acks = 1): Promise<ProduceReply> {
    const flags = acks === -1 ? FLAG_ACKS_ALL : 0;
    return this.#call(worker, Op.Produce, Req.headerBytes + batch.length, batch.byteOffset % 8, (view, bytes, at, id) => {
      writeHeader(view, at, id, Op.Produce, partitionId, batch.length, nowMs, flags);
      bytes.set(batch, at + Req.headerBytes);
    }) as Promise<ProduceReply>;
  }

  fetch(worker: number, partitionId: number, offset: number, maxBytes: number, firstBatchWhole: boolean): Promise<FetchReply> {
    return this.#call(worker, Op.Fetch, Req.headerBytes, 0, (view, _bytes, at, id) => {
      writeHeader(view, at, id, Op.Fetch, partitionId, maxBytes, offset, firstBatchWhole ? FLAG_FIRST_BATCH_WHOLE : 0);
    }) as Promise<FetchReply>;
  }

  /** DeleteRecords on one partition (control plane): its new log start offset, or an error code. */
  deleteRecords(worker: number, partitionId: number, offset: number): Promise<{ errorCode: number; lowWatermark: number }> {
    return this.control(worker, (c) => c.deleteRecords(partitionId, offset));
  }

  listOffset(worker: number, partitionId: number, timestamp: number): Promise<ListOffsetReply> {
    return this.#call(worker, Op.ListOffsets, Req.headerBytes, 0, (view, _bytes, at, id) => {
      writeHeader(view, at, id, Op.ListOffsets, partitionId, 0, timestamp, 0);
    }) as Promise<ListOffsetReply>;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      this.#links.map(async (link) => {
        if (!link.dead) {
          try {
            // Closing syncs every log, index and directory: thousands of partitions need seconds, not milliseconds.
            await withTimeout(link.call((c) => c.shutdown()), 60_000);
          } catch (error) {
            this.#log.warn({ worker: link.index, err: error }, 'partition worker did not shut down cleanly');
          }
        }
        link.closePort();
        await link.thread.terminate();
      }),
    );
  }

  #call(
    worker: number,
    op: number,
    payloadBytes: number,
    alignMod8: number,
    fill: (view: DataView, bytes: Uint8Array, at: number, requestId: number) => void,
  ): Promise<Reply> {
    const link = this.#links[worker];
    if (!link) return Promise.reject(new SpateError('SPATE_WORKER_DIED', `no partition worker ${worker}`));
    if (link.dead) return Promise.reject(link.dead);
    // An offline log dir answers without a trip to the worker.
    if (this.health.offline) return Promise.resolve(errorReply(op, ErrorCode.KAFKA_STORAGE_ERROR));
    if (payloadBytes > link.requests.maxFrameBytes) {
      return Promise.resolve(errorReply(op, ErrorCode.MESSAGE_TOO_LARGE));
    }
    return new Promise<Reply>((resolve, reject) => {
      const requestId = link.nextRequestId;
      link.nextRequestId = (link.nextRequestId + 1) >>> 0 || 1;
      link.pending.set(requestId, { op, resolve, reject });
      const frame: QueuedFrame = { payloadBytes, alignMod8, fill: (view, bytes, at) => fill(view, bytes, at, requestId), queuedAt: 0 };
      if (link.backlog.length === 0 && this.#tryWrite(link, frame)) return;
      frame.queuedAt = performance.now();
      link.backlog.push(frame);
      void this.#drainBacklog(link);
    });
  }

  #tryWrite(link: WorkerLink, frame: QueuedFrame): boolean {
    const at = link.requests.reserve(frame.payloadBytes, frame.alignMod8);
    if (at < 0) return false;
    frame.fill(link.requests.view, link.requests.bytes, at);
    if (!link.publishScheduled) {
      // One publish (and at most one wake-up) per microtask turn covers every frame written in it.
      link.publishScheduled = true;
      queueMicrotask(() => {
        link.publishScheduled = false;
        link.requests.publish();
      });
    }
    return true;
  }

  async #drainBacklog(link: WorkerLink): Promise<void> {
    if (link.drainingBacklog) return;
    link.drainingBacklog = true;
    try {
      while (link.backlog.length > 0 && !link.dead) {
        const frame = link.backlog[0]!;
        if (this.#tryWrite(link, frame)) {
          link.backlog.shift();
          link.ringWait.observe((performance.now() - frame.queuedAt) / 1000);
          continue;
        }
        link.requests.publish();
        await link.requests.waitForSpaceAsync();
      }
    } finally {
      link.drainingBacklog = false;
    }
  }

  async #readReplies(link: WorkerLink): Promise<void> {
    const ring = link.replies;
    while (!this.#closed && !link.dead) {
      let handled = 0;
      for (let at = ring.next(); at >= 0; at = ring.next()) {
        this.#handleReply(link, ring, at);
        handled++;
      }
      if (handled > 0) {
        ring.release();
        continue;
      }
      await ring.waitAsync(1000);
    }
  }

  #handleReply(link: WorkerLink, ring: RingReader, at: number): void {
    const view = ring.view;
    const requestId = view.getUint32(at + Rep.requestId, true);
    const call = link.pending.get(requestId);
    if (!call) return;
    link.pending.delete(requestId);
    const errorCode = view.getInt16(at + Rep.errorCode, true);
    const a = view.getFloat64(at + Rep.a, true);
    const logStartOffset = view.getFloat64(at + Rep.logStartOffset, true);
    const c = view.getFloat64(at + Rep.c, true);
    switch (call.op) {
      case Op.Produce:
        call.resolve({ errorCode, baseOffset: a, logStartOffset, logEndOffset: c });
        return;
      case Op.Fetch: {
        const length = view.getInt32(at + Rep.dataLength, true);
        let records: Buffer | null = null;
        if (length > 0) {
          // The ring slot is reused as soon as it is released, so the bytes leave it here (one copy).
          records = Buffer.allocUnsafeSlow(length);
          records.set(ring.bytes.subarray(at + Rep.headerBytes, at + Rep.headerBytes + length));
        }
        call.resolve({ errorCode, logEndOffset: a, logStartOffset, records });
        return;
      }
      default:
        call.resolve({ errorCode, offset: a, timestamp: c, logStartOffset });
    }
  }

  #workerDied(link: WorkerLink, error: Error): void {
    if (link.dead) return;
    link.dead = new SpateError('SPATE_WORKER_DIED', `partition worker ${link.index} died: ${error.message}`, { cause: error });
    this.#log.error({ worker: link.index, err: error }, 'partition worker died; its partitions are unavailable');
    for (const call of link.pending.values()) call.reject(link.dead);
    link.pending.clear();
    link.backlog.length = 0;
  }
}

function writeHeader(view: DataView, at: number, requestId: number, op: number, partitionId: number, length: number, n: number, flags: number): void {
  view.setUint32(at + Req.requestId, requestId, true);
  view.setUint8(at + Req.op, op);
  view.setUint8(at + Req.flags, flags);
  view.setUint32(at + Req.partitionId, partitionId, true);
  view.setInt32(at + Req.length, length, true);
  view.setFloat64(at + Req.number, n, true);
}

function errorReply(op: number, errorCode: number): Reply {
  if (op === Op.Produce) return { errorCode, baseOffset: -1, logStartOffset: -1, logEndOffset: -1 };
  if (op === Op.Fetch) return { errorCode, logEndOffset: -1, logStartOffset: -1, records: null };
  return { errorCode, offset: -1, timestamp: -1, logStartOffset: -1 };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
