// The body of a partition worker thread: it owns many partition actors and serves them from its request ring.
// Data plane: frames arrive on the request ring and are handled synchronously, straight from ring memory;
// replies go out on the reply ring, published once per drained batch so one notify covers many replies.
// Control plane (open/close/describe partitions) arrives by comlink RPC on a MessagePort; the loop yields to
// the event loop between drains so those messages run between data-plane batches, never inside one.
import { asError } from '../errors.js';
import type { MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { ErrorCode } from '../protocol/error-codes.js';
import { RingReader, RingWriter, type RingMemory } from '../threads/ring.js';
import { LatencyRecorder } from '../metrics/latency-histogram.js';
import { PartitionActor, type PartitionDescription, type PartitionLimits, type PartitionSpec } from './partition-actor.js';
import { FLAG_ACKS_ALL, FLAG_FIRST_BATCH_WHOLE, Op, Rep, Req } from './ring-messages.js';
import { StorageFaults } from './storage-faults.js';
import type { WorkerEvent } from './worker-events.js';

export interface PartitionWorkerData {
  index: number;
  requestRing: RingMemory;
  replyRing: RingMemory;
  controlPort: MessagePort;
  /** Shared with the front-end: each fdatasync's duration is recorded here, read at metrics scrape time. */
  fsyncLatency: SharedArrayBuffer;
  /** Where the worker posts WorkerEvents (storage errors, the log dir going offline, retention). */
  events: MessagePort;
}

/** What the front-end may ask a worker over the control plane. */
export interface PartitionWorkerControl {
  open(specs: PartitionSpec[]): Array<{ partitionId: number; logStartOffset: number; logEndOffset: number; recovered: string | null; details: string[] }>;
  close(partitionIds: number[], deleteFiles: boolean): void;
  updateConfig(partitionId: number, limits: PartitionLimits): void;
  /** Each open partition's recovery point, for the recovery-point checkpoint. */
  recoveryPoints(): Array<{ partitionId: number; recoveryPoint: number }>;
  /** DeleteRecords for one partition. */
  deleteRecords(partitionId: number, offset: number): { errorCode: number; lowWatermark: number };
  describe(partitionIds: number[]): PartitionDescription[];
  /** The log dir is offline (another worker saw it fail): stop touching it. */
  takeOffline(reason: string): void;
  shutdown(): void;
}

/** A worker with nothing to do still wakes this often to let control-plane messages run. */
const IDLE_WAIT_MS = 50;
/** Longest stretch of data-plane work before yielding to the event loop. */
const MAX_SLICE_MS = 5;
/** How often partitions with unflushed data are checked against flush.ms. */
const FLUSH_CHECK_MS = 10;

interface HeldReply {
  requestId: number;
  actor: PartitionActor;
  baseOffset: number;
}

export function runPartitionWorker(data: PartitionWorkerData): void {
  const requests = new RingReader(data.requestRing);
  const replies = new RingWriter(data.replyRing);
  const actors = new Map<number, PartitionActor>();
  const fsyncLatency = new LatencyRecorder(data.fsyncLatency);
  const faults = new StorageFaults((event: WorkerEvent) => data.events.postMessage(event));
  let running = true;
  // Group commit: acks=-1 replies wait here until the end of the drain, when one fdatasync per partition
  // in `toSync` covers every batch appended to it since its last sync; then they are all released.
  const held: HeldReply[] = [];
  const toSync = new Set<PartitionActor>();
  // Partitions with data not yet fdatasynced, watched for flush.ms.
  const unflushed = new Set<PartitionActor>();
  // log.retention.check.interval.ms of the partitions opened so far (a broker setting): none open, no checks.
  // The next check is due that long after the previous one, so a worker that started before any partition was
  // opened still checks once one is (the next check must not be computed from the interval it had at start).
  let retentionCheckMs = Number.MAX_SAFE_INTEGER;
  let lastRetentionCheck = Date.now();
  let nextFlushCheck = 0;
  const offline = (): boolean => faults.offlineReason !== null;
  /** Closes a log: cleanly (flushed, with its clean-shutdown marker) unless the log dir is offline. */
  const closeActor = (actor: PartitionActor, deleteFiles: boolean): void => {
    if (offline()) actor.abandon();
    else if (deleteFiles) actor.delete();
    else actor.close();
  };

  const control: PartitionWorkerControl = {
    open(specs) {
      if (offline()) throw new Error(`the log dir is offline: ${faults.offlineReason}`);
      return specs.map((spec) => {
        const existing = actors.get(spec.partitionId);
        let actor = existing;
        if (!actor) {
          try {
            actor = PartitionActor.open(spec);
          } catch (error) {
            faults.record('open', `${spec.topic}-${spec.partition}`, error);
            throw error;
          }
          for (const damage of actor.recoveryDamage) data.events.postMessage({ type: 'segment-damaged', partition: actor.name, damage } satisfies WorkerEvent);
        }
        actors.set(spec.partitionId, actor);
        const report = actor.recoveryReport;
        const recovered =
          report && report.truncatedBytes > 0 ? `truncated ${report.truncatedBytes} bytes in ${report.segment ?? '?'}` : null;
        if (spec.retentionCheckMs < retentionCheckMs) retentionCheckMs = spec.retentionCheckMs;
        return {
          partitionId: spec.partitionId,
          logStartOffset: actor.logStartOffset,
          logEndOffset: actor.logEndOffset,
          recovered,
          details: existing ? [] : [...actor.recoveryDetails],
        };
      });
    },
    close(partitionIds, deleteFiles) {
      for (const id of partitionIds) {
        const actor = actors.get(id);
        if (!actor) continue;
        actors.delete(id);
        unflushed.delete(actor);
        try {
          closeActor(actor, deleteFiles);
        } catch (error) {
          faults.record('close', actor.name, error);
          throw error;
        }
      }
    },
    updateConfig(partitionId, limits) {
      actors.get(partitionId)?.updateConfig(limits);
      if (limits.retentionCheckMs < retentionCheckMs) retentionCheckMs = limits.retentionCheckMs;
    },
    recoveryPoints() {
      return [...actors.values()].map((a) => ({ partitionId: a.spec.partitionId, recoveryPoint: a.recoveryPoint }));
    },
    deleteRecords(partitionId, offset) {
      const actor = actors.get(partitionId);
      if (!actor) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, lowWatermark: -1 };
      if (offline()) return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, lowWatermark: -1 };
      try {
        return actor.deleteRecords(offset);
      } catch (error) {
        faults.record('delete-records', actor.name, error);
        return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, lowWatermark: -1 };
      }
    },
    describe(partitionIds) {
      const result: PartitionDescription[] = [];
      for (const id of partitionIds) {
        const actor = actors.get(id);
        if (actor) result.push(actor.describe());
      }
      return result;
    },
    takeOffline(reason) {
      faults.takeOffline(reason, false);
    },
    shutdown() {
      running = false;
      let failure: unknown = null;
      for (const actor of actors.values()) {
        try {
          closeActor(actor, false);
        } catch (error) {
          // The other logs still get their clean close; this one is recovered at the next start.
          faults.record('close', actor.name, error);
          failure ??= error;
        }
      }
      actors.clear();
      faults.report(Infinity);
      if (failure !== null) throw asError(failure);
      // The port stays open: comlink still has to send this call's reply. The front-end terminates the thread.
    },
  };
  Comlink.expose(control, data.controlPort as unknown as Comlink.Endpoint);

  /** Reserves a reply frame, blocking (this is a worker) until the front-end frees space. */
  const reserveReply = (payloadBytes: number): number => {
    for (;;) {
      const at = replies.reserve(payloadBytes);
      if (at >= 0) return at;
      replies.publish();
      replies.waitForSpace(IDLE_WAIT_MS);
    }
  };

  const replyHeader = (requestId: number, op: number, errorCode: number, extraBytes: number): number => {
    const at = reserveReply(Rep.headerBytes + extraBytes);
    const view = replies.view;
    view.setUint32(at + Rep.requestId, requestId, true);
    view.setUint8(at + Rep.op, op);
    view.setInt16(at + Rep.errorCode, errorCode, true);
    view.setInt32(at + Rep.dataLength, extraBytes, true);
    return at;
  };

  const handleFrame = (at: number): void => {
    const bytes = requests.bytes;
    const view = requests.view;
    const requestId = view.getUint32(at + Req.requestId, true);
    const op = view.getUint8(at + Req.op);
    const actor = actors.get(view.getUint32(at + Req.partitionId, true));
    // An offline log dir serves nothing (Kafka: KAFKA_STORAGE_ERROR for every partition in it).
    const refused = !actor ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : offline() ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NONE;
    if (!actor || refused !== ErrorCode.NONE) {
      const r = replyHeader(requestId, op, refused, 0);
      replies.view.setFloat64(r + Rep.a, -1, true);
      replies.view.setFloat64(r + Rep.logStartOffset, -1, true);
      replies.view.setFloat64(r + Rep.c, -1, true);
      return;
    }
    switch (op) {
      case Op.Produce: {
        const length = view.getInt32(at + Req.length, true);
        let outcome;
        try {
          outcome = actor.append(bytes, at + Req.headerBytes, length, view.getFloat64(at + Req.number, true));
        } catch (error) {
          faults.record('append', actor.name, error);
          outcome = { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, baseOffset: -1 };
        }
        if (outcome.errorCode === ErrorCode.NONE) {
          faults.appendSucceeded();
          if ((view.getUint8(at + Req.flags) & FLAG_ACKS_ALL) !== 0) {
            held.push({ requestId, actor, baseOffset: outcome.baseOffset });
            toSync.add(actor);
            return;
          }
          if (actor.flushDue(Date.now())) toSync.add(actor);
          else if (actor.spec.flushMs < Number.MAX_SAFE_INTEGER) unflushed.add(actor);
        }
        writeProduceReply(requestId, outcome.errorCode, outcome.baseOffset, actor);
        return;
      }
      case Op.Fetch: {
        const maxBytes = Math.min(view.getInt32(at + Req.length, true), replies.maxFrameBytes - Rep.headerBytes);
        const offset = view.getFloat64(at + Req.number, true);
        const whole = (view.getUint8(at + Req.flags) & FLAG_FIRST_BATCH_WHOLE) !== 0;
        // A read that throws (I/O error, a segment damaged under us) fails this fetch only, never the worker:
        // an exception escaping here would kill the thread and every partition it owns.
        let size: number;
        let errorCode: number;
        try {
          size = actor.fetchSize(offset, maxBytes, whole);
          errorCode = size < 0 ? ErrorCode.OFFSET_OUT_OF_RANGE : ErrorCode.NONE;
        } catch (error) {
          faults.record('read', actor.name, error);
          size = 0;
          errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
        }
        // A first batch larger than the whole reply ring cannot travel; it stays unread rather than wedging the ring.
        if (size > replies.maxFrameBytes - Rep.headerBytes) size = 0;
        const r = replyHeader(requestId, op, errorCode, Math.max(size, 0));
        if (size > 0) {
          try {
            actor.fetchInto(offset, maxBytes, whole, replies.bytes, r + Rep.headerBytes);
          } catch (error) {
            faults.record('read', actor.name, error);
            // The reply frame is already reserved: it goes out as an error carrying no data.
            replies.view.setInt16(r + Rep.errorCode, ErrorCode.KAFKA_STORAGE_ERROR, true);
            replies.view.setInt32(r + Rep.dataLength, 0, true);
          }
        }
        replies.view.setFloat64(r + Rep.a, actor.logEndOffset, true);
        replies.view.setFloat64(r + Rep.logStartOffset, actor.logStartOffset, true);
        replies.view.setFloat64(r + Rep.c, actor.logEndOffset, true);
        return;
      }
      case Op.ListOffsets: {
        let found: ReturnType<PartitionActor['listOffset']>;
        try {
          found = actor.listOffset(view.getFloat64(at + Req.number, true));
        } catch (error) {
          faults.record('read', actor.name, error);
          found = { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, offset: -1, timestamp: -1 };
        }
        const r = replyHeader(requestId, op, found.errorCode, 0);
        replies.view.setFloat64(r + Rep.a, found.offset, true);
        replies.view.setFloat64(r + Rep.logStartOffset, actor.logStartOffset, true);
        replies.view.setFloat64(r + Rep.c, found.timestamp, true);
        return;
      }
      default: {
        const r = replyHeader(requestId, op, ErrorCode.INVALID_REQUEST, 0);
        replies.view.setFloat64(r + Rep.a, -1, true);
      }
    }
  };

  const writeProduceReply = (requestId: number, errorCode: number, baseOffset: number, actor: PartitionActor): void => {
    const r = replyHeader(requestId, Op.Produce, errorCode, 0);
    replies.view.setFloat64(r + Rep.a, baseOffset, true);
    replies.view.setFloat64(r + Rep.logStartOffset, actor.logStartOffset, true);
    replies.view.setFloat64(r + Rep.c, actor.logEndOffset, true);
  };

  /** One fdatasync per partition that needs one, then every held acks=-1 reply goes out. */
  const commit = (): void => {
    if (toSync.size === 0) return;
    const failed = new Set<PartitionActor>();
    for (const actor of toSync) {
      // Once the log dir is offline nothing written to it counts as durable.
      if (offline()) {
        failed.add(actor);
        continue;
      }
      try {
        const started = performance.now();
        actor.flush();
        fsyncLatency.observe((performance.now() - started) / 1000);
        unflushed.delete(actor);
      } catch (error) {
        faults.record('flush', actor.name, error);
        failed.add(actor);
      }
    }
    toSync.clear();
    for (const h of held) {
      // A failed fdatasync leaves the batch's durability unknown: the client must not take it as acknowledged.
      if (failed.has(h.actor)) writeProduceReply(h.requestId, ErrorCode.KAFKA_STORAGE_ERROR, -1, h.actor);
      else writeProduceReply(h.requestId, ErrorCode.NONE, h.baseOffset, h.actor);
    }
    held.length = 0;
  };

  /** Handles every frame available now; returns how many. */
  const drain = (): number => {
    let handled = 0;
    for (let at = requests.next(); at >= 0; at = requests.next()) {
      handleFrame(at);
      handled++;
    }
    if (handled > 0) {
      requests.release();
      commit();
      replies.publish();
    }
    return handled;
  };

  /** flush.ms, retention and storage-error reports, between drains. */
  const housekeeping = (): void => {
    const now = Date.now();
    faults.report(now);
    if (offline()) return;
    if (unflushed.size > 0 && now >= nextFlushCheck) {
      nextFlushCheck = now + FLUSH_CHECK_MS;
      for (const actor of unflushed) {
        if (!actor.unflushed) unflushed.delete(actor);
        else if (actor.flushDue(now)) toSync.add(actor);
      }
      if (toSync.size > 0) {
        commit();
        replies.publish();
      }
    }
    if (now - lastRetentionCheck >= retentionCheckMs) {
      lastRetentionCheck = now;
      for (const actor of actors.values()) applyRetention(actor, now);
    }
  };

  const applyRetention = (actor: PartitionActor, now: number): void => {
    const startBefore = actor.logStartOffset;
    const sizeBefore = actor.sizeBytes;
    const segmentsBefore = actor.segmentCount;
    try {
      actor.applyRetention(now);
    } catch (error) {
      // Retried at the next check; the data stays readable meanwhile. Reported, never swallowed.
      faults.record('retention', actor.name, error);
    }
    if (actor.logStartOffset === startBefore) return;
    const { topic, partition, partitionId } = actor.spec;
    data.events.postMessage({
      type: 'retention',
      partitionId,
      topic,
      partition,
      deletedSegments: segmentsBefore - actor.segmentCount,
      deletedBytes: sizeBefore - actor.sizeBytes,
      logStartOffset: actor.logStartOffset,
    } satisfies WorkerEvent);
  };

  const loop = (): void => {
    if (!running) return;
    const deadline = performance.now() + MAX_SLICE_MS;
    housekeeping();
    drain();
    while (performance.now() < deadline) {
      requests.wait(IDLE_WAIT_MS);
      // Woken with nothing to do means a control message (or a timeout): let the event loop run it.
      if (drain() === 0) break;
    }
    setImmediate(loop);
  };
  loop();
}
