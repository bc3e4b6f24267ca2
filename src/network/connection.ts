// One client connection: frames in, responses out strictly in request order.
// Requests are processed concurrently (a long-poll fetch does not stop a produce behind it from reaching
// its partition), but responses leave in the order the requests arrived, as every Kafka client expects.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { FrameSplitter, describeFrameError } from './frame-splitter.js';

/** What the broker does with one request frame: response buffers (size prefix included), or null for no response. */
export type FrameProcessor = (frame: Buffer, connection: ClientConnection) => Promise<Buffer[] | null> | Buffer[] | null;

export interface ConnectionLimits {
  maxFrameBytes: number;
  /** Stop reading when this many requests await their response. */
  maxQueuedRequests: number;
  /** Stop reading when request plus queued response bytes pass this. */
  maxInFlightBytes: number;
  idleTimeoutMs: number;
}

interface ResponseSlot {
  ready: boolean;
  buffers: Buffer[] | null;
  requestBytes: number;
}

export class ClientConnection {
  readonly id: number;
  readonly peer: string;
  readonly #socket: Socket;
  readonly #splitter: FrameSplitter;
  readonly #process: FrameProcessor;
  readonly #limits: ConnectionLimits;
  readonly #log: Logger;
  readonly #queue: ResponseSlot[] = [];
  #queueHead = 0;
  #inFlightBytes = 0;
  #paused = false;
  #closed = false;
  /** Set by drain(): no new requests are read; the connection ends once its in-flight responses are written. */
  #draining = false;
  #ending = false;
  #drained: Promise<void> | null = null;
  #resolveDrained: (() => void) | null = null;
  readonly #onClosed: (connection: ClientConnection) => void;

  constructor(
    id: number,
    socket: Socket,
    processFrame: FrameProcessor,
    limits: ConnectionLimits,
    log: Logger,
    onClosed: (connection: ClientConnection) => void,
  ) {
    this.id = id;
    this.#socket = socket;
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.#splitter = new FrameSplitter(limits.maxFrameBytes);
    this.#process = processFrame;
    this.#limits = limits;
    this.#log = log;
    this.#onClosed = onClosed;
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#maybeResume());
    socket.on('timeout', () => {
      if (this.#queue.length - this.#queueHead === 0) this.close('idle for longer than connections.max.idle.ms', 'debug');
    });
    socket.on('error', (error) => {
      this.#log.debug({ peer: this.peer, err: error }, 'connection error');
    });
    socket.on('close', () => this.#finish());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Closes this connection (and only this one) with one log line naming the peer and the reason. */
  close(reason: string, level: 'warn' | 'debug' = 'warn'): void {
    if (this.#closed) return;
    this.#log[level]({ peer: this.peer, connection: this.id, reason }, 'closing connection');
    this.#finish();
    this.#socket.destroy();
  }

  /**
   * Graceful close, for broker shutdown: stops taking requests (bytes that arrive from now on are read and
   * dropped, so the socket never closes with unread data, which would reset it), lets the requests already
   * taken complete and their responses be written, then ends the connection. Resolves once it is closed.
   * The caller bounds the wait and calls close() on what is left.
   */
  drain(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#drained ??= new Promise<void>((resolve) => {
      this.#resolveDrained = resolve;
    });
    if (!this.#draining) {
      this.#draining = true;
      this.#paused = false;
      this.#socket.resume();
      this.#maybeEnd();
    }
    return this.#drained;
  }

  /** Draining and nothing left to answer: end our side once the written responses are flushed. */
  #maybeEnd(): void {
    if (!this.#draining || this.#ending || this.#closed || this.#queueHead < this.#queue.length) return;
    this.#ending = true;
    this.#log.debug({ peer: this.peer, connection: this.id }, 'connection drained, closing');
    this.#socket.end(() => {
      // Our responses are flushed and FIN is sent; a client that does not close its side soon is cut off.
      setTimeout(() => this.#socket.destroy(), 2000).unref();
    });
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#queueHead = 0;
    this.#onClosed(this);
    this.#resolveDrained?.();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed || this.#draining) return;
    const error = this.#splitter.push(chunk, (frame) => this.#onFrame(frame));
    if (error && !this.#closed) this.close(describeFrameError(error));
  }

  #onFrame(frame: Buffer): void {
    if (this.#closed) return;
    const slot: ResponseSlot = { ready: false, buffers: null, requestBytes: frame.length };
    this.#queue.push(slot);
    this.#inFlightBytes += frame.length;
    let result: Promise<Buffer[] | null> | Buffer[] | null;
    try {
      result = this.#process(frame, this);
    } catch (error) {
      this.close(reasonOf(error));
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (buffers) => this.#complete(slot, buffers),
        (error: unknown) => this.close(reasonOf(error)),
      );
    } else {
      this.#complete(slot, result);
    }
    this.#maybePause();
  }

  #complete(slot: ResponseSlot, buffers: Buffer[] | null): void {
    if (this.#closed) return;
    slot.ready = true;
    slot.buffers = buffers;
    if (buffers) for (const b of buffers) this.#inFlightBytes += b.length;
    this.#flush();
    this.#maybeEnd();
  }

  #flush(): void {
    const socket = this.#socket;
    let corked = false;
    while (this.#queueHead < this.#queue.length) {
      const slot = this.#queue[this.#queueHead]!;
      if (!slot.ready) break;
      this.#queueHead++;
      this.#inFlightBytes -= slot.requestBytes;
      if (slot.buffers) {
        if (!corked) {
          socket.cork();
          corked = true;
        }
        for (const b of slot.buffers) {
          this.#inFlightBytes -= b.length;
          socket.write(b);
        }
      }
    }
    if (corked) socket.uncork();
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024) {
      this.#queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
    this.#maybeResume();
  }

  #overLimits(): boolean {
    return (
      this.#queue.length - this.#queueHead >= this.#limits.maxQueuedRequests ||
      this.#inFlightBytes >= this.#limits.maxInFlightBytes ||
      this.#socket.writableLength >= this.#limits.maxInFlightBytes
    );
  }

  #maybePause(): void {
    if (!this.#paused && !this.#draining && this.#overLimits()) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  #maybeResume(): void {
    if (this.#paused && !this.#closed && !this.#draining && !this.#overLimits()) {
      this.#paused = false;
      this.#socket.resume();
    }
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
