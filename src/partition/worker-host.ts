// The body of a partition worker thread: it owns many partition actors and serves them from its request ring.
// Data plane: frames arrive on the request ring and are handled synchronously, straight from ring memory;
// replies go out on the reply ring, published once per drained batch so one notify covers many replies.
// Control plane (open/close/describe partitions) arrives by comlink RPC on a MessagePort; the loop yields to
// the event loop between drains so those messages run between data-plane batches, never inside one.
import type { MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { ErrorCode } from '../protocol/error-codes.js';
import { RingReader, RingWriter, type RingMemory } from '../threads/ring.js';
import { PartitionActor, type PartitionDescription, type PartitionSpec } from './partition-actor.js';
import { FLAG_FIRST_BATCH_WHOLE, Op, Rep, Req } from './ring-messages.js';

export interface PartitionWorkerData {
  index: number;
  requestRing: RingMemory;
  replyRing: RingMemory;
  controlPort: MessagePort;
}

/** What the front-end may ask a worker over the control plane. */
export interface PartitionWorkerControl {
  open(specs: PartitionSpec[]): Array<{ partitionId: number; logStartOffset: number; logEndOffset: number; recovered: string | null }>;
  close(partitionIds: number[], deleteFiles: boolean): void;
  updateConfig(partitionId: number, spec: Pick<PartitionSpec, 'segmentBytes' | 'segmentMs' | 'maxMessageBytes'>): void;
  describe(partitionIds: number[]): PartitionDescription[];
  shutdown(): void;
}

/** A worker with nothing to do still wakes this often to let control-plane messages run. */
const IDLE_WAIT_MS = 50;
/** Longest stretch of data-plane work before yielding to the event loop. */
const MAX_SLICE_MS = 5;

export function runPartitionWorker(data: PartitionWorkerData): void {
  const requests = new RingReader(data.requestRing);
  const replies = new RingWriter(data.replyRing);
  const actors = new Map<number, PartitionActor>();
  let running = true;

  const control: PartitionWorkerControl = {
    open(specs) {
      return specs.map((spec) => {
        const existing = actors.get(spec.partitionId);
        const actor = existing ?? PartitionActor.open(spec);
        actors.set(spec.partitionId, actor);
        const report = actor.recoveryReport;
        const recovered =
          report && report.truncatedBytes > 0 ? `truncated ${report.truncatedBytes} bytes in ${report.segment ?? '?'}` : null;
        return { partitionId: spec.partitionId, logStartOffset: actor.logStartOffset, logEndOffset: actor.logEndOffset, recovered };
      });
    },
    close(partitionIds, deleteFiles) {
      for (const id of partitionIds) {
        const actor = actors.get(id);
        if (!actor) continue;
        actors.delete(id);
        if (deleteFiles) actor.delete();
        else actor.close();
      }
    },
    updateConfig(partitionId, spec) {
      actors.get(partitionId)?.updateConfig(spec);
    },
    describe(partitionIds) {
      const result: PartitionDescription[] = [];
      for (const id of partitionIds) {
        const actor = actors.get(id);
        if (actor) result.push(actor.describe());
      }
      return result;
    },
    shutdown() {
      running = false;
      for (const actor of actors.values()) actor.close();
      actors.clear();
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
    if (!actor) {
      const r = replyHeader(requestId, op, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0);
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
          outcome = actor.append(bytes, at + Req.headerBytes, length);
        } catch {
          outcome = { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, baseOffset: -1 };
        }
        const r = replyHeader(requestId, op, outcome.errorCode, 0);
        replies.view.setFloat64(r + Rep.a, outcome.baseOffset, true);
        replies.view.setFloat64(r + Rep.logStartOffset, actor.logStartOffset, true);
        replies.view.setFloat64(r + Rep.c, actor.logEndOffset, true);
        return;
      }
      case Op.Fetch: {
        const maxBytes = Math.min(view.getInt32(at + Req.length, true), replies.maxFrameBytes - Rep.headerBytes);
        const offset = view.getFloat64(at + Req.number, true);
        const whole = (view.getUint8(at + Req.flags) & FLAG_FIRST_BATCH_WHOLE) !== 0;
        let size = actor.fetchSize(offset, maxBytes, whole);
        const errorCode = size < 0 ? ErrorCode.OFFSET_OUT_OF_RANGE : ErrorCode.NONE;
        // A first batch larger than the whole reply ring cannot travel; it stays unread rather than wedging the ring.
        if (size > replies.maxFrameBytes - Rep.headerBytes) size = 0;
        const r = replyHeader(requestId, op, errorCode, Math.max(size, 0));
        if (size > 0) actor.fetchInto(offset, maxBytes, whole, replies.bytes, r + Rep.headerBytes);
        replies.view.setFloat64(r + Rep.a, actor.logEndOffset, true);
        replies.view.setFloat64(r + Rep.logStartOffset, actor.logStartOffset, true);
        replies.view.setFloat64(r + Rep.c, actor.logEndOffset, true);
        return;
      }
      case Op.ListOffsets: {
        const found = actor.listOffset(view.getFloat64(at + Req.number, true));
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

  /** Handles every frame available now; returns how many. */
  const drain = (): number => {
    let handled = 0;
    for (let at = requests.next(); at >= 0; at = requests.next()) {
      handleFrame(at);
      handled++;
    }
    if (handled > 0) {
      requests.release();
      replies.publish();
    }
    return handled;
  };

  const loop = (): void => {
    if (!running) return;
    const deadline = performance.now() + MAX_SLICE_MS;
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
