// The partition façade: the front end's one object per partition, between the Kafka layer (handlers, the
// offsets topic, metrics) and the partition actor that owns the log on its worker thread. It alone keeps the
// front end's view of the partition's offsets (log start, log end, high watermark) and its fetch waits; every
// append, read, offset lookup and DeleteRecords goes through it, so that view cannot drift between handlers.
// Replication will cut in here: the high watermark then trails the log end until the in-sync replicas have it.
import type { Acks, FetchReply, ListOffsetReply, ProduceReply } from '../partition/partition-workers.js';
import { ErrorCode } from '../protocol/error-codes.js';

/** What the façade needs from the worker pool: the data-plane calls and the control-plane DeleteRecords. */
export interface PartitionIo {
  produce(worker: number, partitionId: number, batch: Buffer, nowMs: number, acks: Acks): Promise<ProduceReply>;
  fetch(worker: number, partitionId: number, offset: number, maxBytes: number, firstBatchWhole: boolean): Promise<FetchReply>;
  listOffset(worker: number, partitionId: number, timestamp: number): Promise<ListOffsetReply>;
  deleteRecords(worker: number, partitionId: number, offset: number): Promise<{ errorCode: number; lowWatermark: number }>;
  /** Whether the worker is alive and its log dir online. */
  isServing(worker: number): boolean;
}

export interface PartitionAddress {
  /** Broker-wide numeric id used on the rings; never reused while the broker runs. */
  readonly id: number;
  readonly topic: string;
  readonly index: number;
  /** The worker thread whose partition actor owns the log. */
  readonly worker: number;
  readonly dir: string;
}

export class Partition implements PartitionAddress {
  readonly id: number;
  readonly topic: string;
  readonly index: number;
  readonly worker: number;
  readonly dir: string;
  readonly #io: PartitionIo;
  #logStartOffset = 0;
  #logEndOffset = 0;
  #highWatermark = 0;
  /** Long-poll fetches waiting for an append (or for the partition to go away). */
  readonly #appendListeners = new Set<() => void>();

  constructor(address: PartitionAddress, io: PartitionIo) {
    this.id = address.id;
    this.topic = address.topic;
    this.index = address.index;
    this.worker = address.worker;
    this.dir = address.dir;
    this.#io = io;
  }

  /** `topic-index`, as Kafka names a partition in logs. */
  get name(): string {
    return `${this.topic}-${this.index}`;
  }

  get logStartOffset(): number {
    return this.#logStartOffset;
  }

  /** The offset the next appended record gets. */
  get logEndOffset(): number {
    return this.#logEndOffset;
  }

  /** Consumers read up to here. */
  get highWatermark(): number {
    return this.#highWatermark;
  }

  /** Whether its worker can serve it (alive, log dir online). */
  get serving(): boolean {
    return this.#io.isServing(this.worker);
  }

  /** The offsets the partition actor reported when it opened the log. */
  opened(logStartOffset: number, logEndOffset: number): void {
    this.#logStartOffset = logStartOffset;
    this.#advanceEnd(logEndOffset);
  }

  /** The worker moved the log start (retention, DeleteRecords): the front end's copy only ever moves up. */
  observeLogStart(logStartOffset: number): void {
    if (logStartOffset > this.#logStartOffset) this.#logStartOffset = logStartOffset;
  }

  /** Appends one batch through the owning worker; on success the end offsets move and waiting fetches wake. */
  async append(batch: Buffer, nowMs: number, acks: Acks): Promise<ProduceReply> {
    const reply = await this.#io.produce(this.worker, this.id, batch, nowMs, acks);
    this.observeLogStart(reply.logStartOffset);
    if (reply.errorCode === ErrorCode.NONE) {
      this.#advanceEnd(reply.logEndOffset);
      this.wake();
    }
    return reply;
  }

  /**
   * Reads whole batches from `offset` (see PartitionWorkerPool.fetch). The reply's log end may be ahead of the
   * produce replies seen so far (an append whose reply is still on the ring): the data is in the log, so the
   * end moves up to it. With one replica that is also the high watermark; replication will cap reads there.
   */
  async read(offset: number, maxBytes: number, firstBatchWhole: boolean): Promise<FetchReply> {
    const reply = await this.#io.fetch(this.worker, this.id, offset, maxBytes, firstBatchWhole);
    this.observeLogStart(reply.logStartOffset);
    if (reply.errorCode === ErrorCode.NONE) this.#advanceEnd(reply.logEndOffset);
    return reply;
  }

  /** ListOffsets for one timestamp (or the special -1, -2, -3). */
  async listOffset(timestamp: number): Promise<ListOffsetReply> {
    const reply = await this.#io.listOffset(this.worker, this.id, timestamp);
    this.observeLogStart(reply.logStartOffset);
    return reply;
  }

  /** DeleteRecords: moves the log start up to `offset` (-1: the high watermark). */
  async deleteRecords(offset: number): Promise<{ errorCode: number; lowWatermark: number }> {
    const target = offset === -1 ? this.#highWatermark : offset;
    const result = await this.#io.deleteRecords(this.worker, this.id, target);
    if (result.errorCode === ErrorCode.NONE) this.observeLogStart(result.lowWatermark);
    return result;
  }

  /** Calls `listener` once, at the next append (or wake()); returns a function that cancels it. */
  onAppend(listener: () => void): () => void {
    this.#appendListeners.add(listener);
    return () => this.#appendListeners.delete(listener);
  }

  /** Wakes every waiting fetch: after an append, and when the partition is deleted or the broker stops. */
  wake(): void {
    if (this.#appendListeners.size === 0) return;
    const listeners = [...this.#appendListeners];
    this.#appendListeners.clear();
    for (const listener of listeners) listener();
  }

  /**
   * One replica: the high watermark follows the log end at once (replies from one worker arrive in append
   * order, so neither moves back). Replication will hold the high watermark at the in-sync replicas' end.
   */
  #advanceEnd(logEndOffset: number): void {
    if (logEndOffset > this.#logEndOffset) this.#logEndOffset = logEndOffset;
    this.#highWatermark = this.#logEndOffset;
  }
}
