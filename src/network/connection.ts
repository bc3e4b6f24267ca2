// One client connection: frames in, responses out strictly in request order.
// Requests are processed concurrently (a long-poll fetch does not stop a produce behind it from reaching
// its partition), but responses leave in the order the requests arrived, as every Kafka client expects.
//
// Memory is bounded in bytes, while requests are still being processed:
// - a request starts only if the bytes its response may take (its bound, e.g. a Fetch's max_bytes) fit the
//   connection's own bound and the broker-wide response budget; otherwise it is held, decoded, and the socket is
//   not read until it can start;
// - bytes read from the socket (partial frames included) count against the broker-wide request budget until
//   their request completes; while that budget is spent, only connections holding no request bytes are read;
// - a response's bytes count until the socket has handed them to the kernel.
import { ANONYMOUS, type KafkaPrincipal } from './principal.js';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { RateLimitedLog } from '../rate-limited-log.js';
import { FrameSplitter, describeFrameError } from './frame-splitter.js';
import type { BudgetWaiter, MemoryBudget } from './memory-budget.js';

/** A decoded request, not yet started. */
export interface DecodedRequest {
  /** Most bytes its response may take: held against the bounds from its start until the response exists. */
  readonly responseBytesBound: number;
  /** Runs it: response buffers (size prefix included), or null for no response. */
  run(memory: ResponseMemory): Promise<Buffer[] | null> | Buffer[] | null;
}

/**
 * A running request's hold on response memory. A long poll gives its bound back while it waits with nothing to
 * send, so parked fetches hold no budget, and takes it back before it reads again.
 */
export interface ResponseMemory {
  release(): void;
  /** False when the bounds have no room now: the request should answer with what it has (the client asks again). */
  retake(): boolean;
}

/** Decodes one request frame; throws (closing only this connection) when it is malformed. */
export type FrameDecoder = (frame: Buffer, connection: ClientConnection) => DecodedRequest;

export interface ConnectionLimits {
  maxFrameBytes: number;
  /** No new request starts while this many await their response. */
  maxQueuedRequests: number;
  /** Request bytes in flight plus response bytes (bounds of running requests, queued and unflushed responses). */
  maxQueuedBytes: number;
  idleTimeoutMs: number;
  /** A request must arrive whole within this long of its first byte (time not spent reading it is not counted). */
  partialRequestTimeoutMs: number;
}

/** The broker-wide budgets every connection draws on. */
export interface MemoryBudgets {
  requests: MemoryBudget;
  responses: MemoryBudget;
}

/**
 * A connection with nothing outstanding may always start one request whose response bound is at most this, even
 * with the response budget spent: small requests of well-behaved clients (produce, metadata, heartbeats) keep
 * being served while hostile ones hold the budget. It costs at most this much per connection beyond the budget.
 */
export const GUARANTEED_RESPONSE_BYTES = 16 * 1024;

/** What one resumed socket may deliver before the connection looks again (libuv reads up to 64 KiB at a time). */
const READ_BYTES = 64 * 1024;

interface ResponseSlot {
  ready: boolean;
  buffers: Buffer[] | null;
  /** The request frame's bytes, held against the request budget until the response exists. */
  requestBytes: number;
  /** The response's bound while it runs (0 while it gave it back), then its size; held until flushed to the kernel. */
  responseBytes: number;
  bound: number;
  /** Still running when its connection closed: it keeps its bytes until it finishes, then gives them back. */
  orphaned: boolean;
}

interface HeldRequest {
  request: DecodedRequest;
  frameBytes: number;
}

type PauseReason = 'none' | 'own-bound' | 'request-budget' | 'throttled';

export class ClientConnection {
  readonly id: number;
  readonly peer: string;
  /** The peer's address without its port (for per-address limits). */
  readonly remoteAddress: string;
  /** Who the connection is, for authorization and quotas; ANONYMOUS until it authenticates. */
  #principal: KafkaPrincipal = ANONYMOUS;
  readonly #socket: Socket;
  readonly #splitter: FrameSplitter;
  readonly #decode: FrameDecoder;
  readonly #limits: ConnectionLimits;
  readonly #budgets: MemoryBudgets;
  readonly #log: Logger;
  readonly #limitedLog: RateLimitedLog;
  readonly #queue: ResponseSlot[] = [];
  #queueHead = 0;
  #held: HeldRequest | null = null;
  /** Bytes this connection has added to the request budget (socket bytes not yet taken, held and running frames). */
  #requestBytes = 0;
  /** Frames of held and running requests (part of #requestBytes; counted against this connection's bound). */
  #frameBytes = 0;
  /** Bytes this connection has added to the response budget. */
  #responseBytes = 0;
  #pause: PauseReason = 'none';
  #taking = false;
  #closed = false;
  #partialTimer: NodeJS.Timeout | null = null;
  /** Muted for a client quota until this time (performance.now()); 0 when not throttled. */
  #throttledUntil = 0;
  #throttleTimer: NodeJS.Timeout | null = null;
  /** splitter.framesTaken when the partial-request timer was started: the frame it times. */
  #partialFrame = -1;
  /** Set by drain(): no new requests are read; the connection ends once its in-flight responses are written. */
  #draining = false;
  #ending = false;
  #drained: Promise<void> | null = null;
  #resolveDrained: (() => void) | null = null;
  readonly #onClosed: (connection: ClientConnection) => void;
  readonly #waiter: BudgetWaiter = { retry: () => this.#retry() };

  constructor(
    id: number,
    socket: Socket,
    decode: FrameDecoder,
    limits: ConnectionLimits,
    budgets: MemoryBudgets,
    log: Logger,
    limitedLog: RateLimitedLog,
    onClosed: (connection: ClientConnection) => void,
  ) {
    this.id = id;
    this.#socket = socket;
    this.remoteAddress = socket.remoteAddress ?? '?';
    this.peer = `${this.remoteAddress}:${socket.remotePort ?? '?'}`;
    this.#splitter = new FrameSplitter(limits.maxFrameBytes);
    this.#decode = decode;
    this.#limits = limits;
    this.#budgets = budgets;
    this.#log = log;
    this.#limitedLog = limitedLog;
    this.#onClosed = onClosed;
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('timeout', () => this.#onIdle());
    socket.on('error', (error) => {
      this.#log.debug({ peer: this.peer, err: error }, 'connection error');
    });
    socket.on('close', () => this.#finish());
    // Reading starts only if the request budget allows it.
    this.#update();
  }

  get principal(): KafkaPrincipal {
    return this.#principal;
  }

  /** Set by authentication (TLS client certificate, SASL) once it has succeeded. */
  authenticated(principal: KafkaPrincipal): void {
    this.#principal = principal;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Is the connection muted for a client quota now? */
  get throttled(): boolean {
    return this.#throttledUntil > 0;
  }

  /**
   * Mutes the connection for `ms` (KIP-219: the throttled response is sent at once, then nothing more is read or
   * started until the time has passed). Responses of requests already running still go out. A longer throttle
   * extends a shorter one.
   */
  throttle(ms: number): void {
    if (this.#closed || ms <= 0) return;
    const until = performance.now() + ms;
    if (until <= this.#throttledUntil) return;
    this.#throttledUntil = until;
    if (this.#throttleTimer) clearTimeout(this.#throttleTimer);
    this.#throttleTimer = setTimeout(() => {
      this.#throttleTimer = null;
      this.#throttledUntil = 0;
      this.#takeFrames();
      this.#update();
    }, ms);
    this.#throttleTimer.unref();
    this.#update();
  }

  /**
   * Closes this connection (and only this one). A `warn` close (bad input from the peer) logs one line naming the
   * peer and the reason, rate-limited per `kind` so a flood of bad connections costs a bounded number of lines.
   */
  close(reason: string, level: 'warn' | 'info' | 'debug' = 'warn', kind = 'bad-request'): void {
    if (this.#closed) return;
    const fields = { peer: this.peer, connection: this.id, reason };
    if (level === 'debug') this.#log.debug(fields, 'closing connection');
    else this.#limitedLog.write(level, kind, fields, 'closing connection');
    this.#finish();
    this.#socket.destroy();
  }

  /**
   * Graceful close, for broker shutdown: stops taking requests (bytes that arrive from now on are read and
   * dropped, so the socket never closes with unread data, which would reset it), lets the requests already
   * started complete and their responses be written, then ends the connection. Resolves once it is closed.
   * The caller bounds the wait and calls close() on what is left.
   */
  drain(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#drained ??= new Promise<void>((resolve) => {
      this.#resolveDrained = resolve;
    });
    if (!this.#draining) {
      this.#draining = true;
      if (this.#held) {
        this.#frameBytes -= this.#held.frameBytes;
        this.#held = null;
      }
      this.#splitter.clear();
      this.#syncRequestBytes();
      this.#update();
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
    this.#held = null;
    this.#splitter.clear();
    this.#clearPartialTimer();
    if (this.#throttleTimer) clearTimeout(this.#throttleTimer);
    this.#throttleTimer = null;
    this.#budgets.requests.cancel(this.#waiter);
    this.#budgets.responses.cancel(this.#waiter);
    this.#budgets.requests.endPass(this.#waiter);
    // What this connection held goes back now, except what its running requests hold: they still run (a worker
    // is reading for them) and give theirs back when they finish. Write callbacks that come later see #closed.
    let runningFrames = 0;
    let runningResponses = 0;
    for (let i = this.#queueHead; i < this.#queue.length; i++) {
      const slot = this.#queue[i]!;
      if (slot.ready) continue;
      slot.orphaned = true;
      runningFrames += slot.requestBytes;
      runningResponses += slot.responseBytes;
    }
    this.#budgets.requests.release(this.#requestBytes - runningFrames);
    this.#budgets.responses.release(this.#responseBytes - runningResponses);
    this.#requestBytes = 0;
    this.#frameBytes = 0;
    this.#responseBytes = 0;
    this.#queue.length = 0;
    this.#queueHead = 0;
    this.#onClosed(this);
    this.#resolveDrained?.();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed || this.#draining) return;
    this.#splitter.push(chunk);
    this.#syncRequestBytes();
    this.#takeFrames();
    this.#update();
  }

  /** Takes and starts frames while they are complete and affordable; holds the first that is not affordable. */
  #takeFrames(): void {
    // A request that completes synchronously calls back in here; the loop already running picks up from there.
    if (this.#taking) return;
    this.#taking = true;
    try {
      this.#takeFramesNow();
    } finally {
      this.#taking = false;
    }
  }

  #takeFramesNow(): void {
    while (!this.#closed && !this.#draining) {
      if (this.#held) {
        if (!this.#canStart(this.#held.request)) return;
        const held = this.#held;
        this.#held = null;
        this.#start(held);
        continue;
      }
      const taken = this.#splitter.take();
      if (taken === null) return;
      if ('error' in taken) {
        this.close(describeFrameError(taken.error), 'warn', 'bad-frame');
        return;
      }
      let request: DecodedRequest;
      try {
        request = this.#decode(taken.frame, this);
      } catch (error) {
        this.close(reasonOf(error), 'warn', 'bad-request');
        return;
      }
      // The frame now lives in the decoded request (or its views), no longer in the splitter.
      this.#frameBytes += taken.frame.length;
      this.#held = { request, frameBytes: taken.frame.length };
    }
  }

  #outstanding(): number {
    return this.#queue.length - this.#queueHead;
  }

  /** Bytes counted against this connection's own bound: running frames and every response byte it holds. */
  #ownBytes(): number {
    return this.#frameBytes + this.#responseBytes;
  }

  /**
   * The bytes a request's response is held at until it exists. A bound above the whole response budget is held
   * at the budget: such a request starts only when nothing else holds any of it.
   */
  #boundOf(request: DecodedRequest): number {
    return Math.max(0, Math.min(request.responseBytesBound, this.#budgets.responses.limitBytes));
  }

  #canStart(request: DecodedRequest): boolean {
    if (this.#throttledUntil > 0) return false;
    if (this.#outstanding() >= this.#limits.maxQueuedRequests) return false;
    const bound = this.#boundOf(request);
    const quiet = this.#outstanding() === 0 && this.#responseBytes === 0;
    if (!quiet && this.#ownBytes() + bound > this.#limits.maxQueuedBytes) return false;
    const responses = this.#budgets.responses;
    if (responses.fits(bound) || (quiet && bound <= GUARANTEED_RESPONSE_BYTES)) return true;
    responses.wait(this.#waiter);
    return false;
  }

  #start(held: HeldRequest): void {
    const bound = this.#boundOf(held.request);
    const slot: ResponseSlot = { ready: false, buffers: null, requestBytes: held.frameBytes, responseBytes: bound, bound, orphaned: false };
    this.#queue.push(slot);
    this.#countResponseBytes(bound);
    let result: Promise<Buffer[] | null> | Buffer[] | null;
    try {
      result = held.request.run(this.#memoryOf(slot));
    } catch (error) {
      this.close(reasonOf(error));
      this.#complete(slot, null);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (buffers) => this.#complete(slot, buffers),
        (error: unknown) => {
          this.close(reasonOf(error));
          this.#complete(slot, null);
        },
      );
    } else {
      this.#complete(slot, result);
    }
  }

  #memoryOf(slot: ResponseSlot): ResponseMemory {
    return {
      release: () => {
        if (slot.ready || slot.responseBytes === 0) return;
        if (slot.orphaned) {
          this.#budgets.responses.release(slot.responseBytes);
          slot.responseBytes = 0;
          return;
        }
        if (this.#closed) return;
        this.#countResponseBytes(-slot.responseBytes);
        slot.responseBytes = 0;
        if (this.#held || this.#pause !== 'none') {
          this.#takeFrames();
          this.#update();
        }
      },
      retake: () => {
        if (this.#closed || slot.ready) return false;
        if (slot.responseBytes === slot.bound) return true;
        // The oldest request may exceed the connection's bound (everything behind it waits for it anyway); the
        // broker-wide budget holds for all.
        const first = this.#queue[this.#queueHead] === slot;
        if (!first && this.#ownBytes() + slot.bound > this.#limits.maxQueuedBytes) return false;
        if (!this.#budgets.responses.fits(slot.bound)) return false;
        this.#countResponseBytes(slot.bound);
        slot.responseBytes = slot.bound;
        return true;
      },
    };
  }

  #complete(slot: ResponseSlot, buffers: Buffer[] | null): void {
    if (slot.orphaned) {
      slot.orphaned = false;
      slot.ready = true;
      this.#budgets.requests.release(slot.requestBytes);
      this.#budgets.responses.release(slot.responseBytes);
      return;
    }
    if (this.#closed) return;
    slot.ready = true;
    slot.buffers = buffers;
    // The request's bytes go back; the response's bound is replaced by its real size.
    this.#frameBytes -= slot.requestBytes;
    this.#syncRequestBytes();
    let size = 0;
    if (buffers) for (const b of buffers) size += b.length;
    this.#countResponseBytes(size - slot.responseBytes);
    slot.responseBytes = size;
    this.#flush();
    this.#takeFrames();
    this.#update();
    this.#maybeEnd();
  }

  #flush(): void {
    const socket = this.#socket;
    let corked = false;
    while (this.#queueHead < this.#queue.length) {
      const slot = this.#queue[this.#queueHead]!;
      if (!slot.ready) break;
      this.#queueHead++;
      const buffers = slot.buffers;
      if (buffers && buffers.length > 0) {
        if (!corked) {
          socket.cork();
          corked = true;
        }
        const last = buffers.length - 1;
        for (let i = 0; i < last; i++) socket.write(buffers[i]!);
        // Written to the kernel (or failed, the connection then closes): the response's bytes go back.
        const bytes = slot.responseBytes;
        socket.write(buffers[last]!, () => this.#onFlushed(bytes));
      } else {
        this.#countResponseBytes(-slot.responseBytes);
      }
      slot.buffers = null;
    }
    if (corked) socket.uncork();
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024) {
      this.#queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
  }

  #countResponseBytes(delta: number): void {
    if (this.#closed || delta === 0) return;
    this.#responseBytes += delta;
    if (delta > 0) this.#budgets.responses.add(delta);
    else this.#budgets.responses.release(-delta);
  }

  /** A response reached the kernel: its bytes go back, which may let a held request start and the socket be read. */
  #onFlushed(bytes: number): void {
    if (this.#closed) return;
    this.#countResponseBytes(-bytes);
    if (this.#held || this.#pause !== 'none') {
      this.#takeFrames();
      this.#update();
    }
  }

  /** Brings the request budget in line with the bytes this connection holds: unread socket bytes and frames. */
  #syncRequestBytes(): void {
    const now = this.#splitter.bufferedBytes + this.#frameBytes;
    const delta = now - this.#requestBytes;
    if (delta === 0) return;
    this.#requestBytes = now;
    if (delta > 0) this.#budgets.requests.add(delta);
    else this.#budgets.requests.release(-delta);
  }

  /** Why the socket must not be read now, or 'none'. */
  #pauseReason(): PauseReason {
    if (this.#throttledUntil > 0) return 'throttled';
    if (this.#held || this.#ownBytes() >= this.#limits.maxQueuedBytes || this.#outstanding() >= this.#limits.maxQueuedRequests) return 'own-bound';
    // While the request budget is spent, a connection holding no request bytes may still read (one read's worth),
    // so a quiet client's next small request is not stuck behind those who hold the budget; and the connection
    // holding the budget's pass finishes its incomplete frame.
    const requests = this.#budgets.requests;
    if (requests.exhausted && this.#requestBytes > 0) {
      if (this.#splitter.midFrame && requests.takePass(this.#waiter)) return 'none';
      return 'request-budget';
    }
    return 'none';
  }

  /** Pauses or resumes the socket, and starts or stops the partial-request timer, to match the state. */
  #update(): void {
    if (this.#closed) return;
    if (this.#draining) {
      this.#pause = 'none';
      this.#socket.resume();
      this.#clearPartialTimer();
      this.#budgets.requests.cancel(this.#waiter);
      this.#budgets.responses.cancel(this.#waiter);
      this.#budgets.requests.endPass(this.#waiter);
      return;
    }
    const reason = this.#pauseReason();
    if (reason !== this.#pause) {
      if (reason === 'none') this.#socket.resume();
      else if (this.#pause === 'none') this.#socket.pause();
      this.#pause = reason;
    }
    const requests = this.#budgets.requests;
    if (reason === 'request-budget') requests.wait(this.#waiter);
    else requests.cancel(this.#waiter);
    // The pass is for finishing one frame past the limit; it goes back once that is done or not needed.
    if (requests.holdsPass(this.#waiter) && (reason !== 'none' || !requests.exhausted || !this.#splitter.midFrame)) requests.endPass(this.#waiter);
    this.#updatePartialTimer();
  }

  /** Woken by a budget with room again: start what can start, read if we may. Returns what we may now take. */
  #retry(): number {
    if (this.#closed || this.#draining) return 0;
    const wasPaused = this.#pause !== 'none';
    const held = this.#held;
    this.#takeFrames();
    this.#update();
    let taking = 0;
    if (held && this.#held !== held) taking += this.#boundOf(held.request);
    if (wasPaused && this.#pause === 'none') taking += READ_BYTES;
    return taking;
  }

  /**
   * The partial-request timer runs while an incomplete frame is buffered and the broker is reading it, or would
   * but for the broker-wide request budget (so connections holding that budget with frames they never finish are
   * closed); it stops while this connection's own bound or a quota throttle keeps its socket unread, and restarts
   * for each frame.
   */
  #updatePartialTimer(): void {
    const timing = this.#splitter.midFrame && this.#pause !== 'own-bound' && this.#pause !== 'throttled';
    if (!timing) {
      this.#clearPartialTimer();
      return;
    }
    if (this.#partialTimer && this.#partialFrame === this.#splitter.framesTaken) return;
    this.#clearPartialTimer();
    this.#partialFrame = this.#splitter.framesTaken;
    const timeoutMs = this.#limits.partialRequestTimeoutMs;
    this.#partialTimer = setTimeout(() => {
      this.#partialTimer = null;
      this.close(
        `request not received in full within partial.request.timeout.ms (${timeoutMs} ms): ${this.#splitter.bufferedBytes} bytes buffered`,
        'warn',
        'partial-request-timeout',
      );
    }, timeoutMs);
    this.#partialTimer.unref();
  }

  #clearPartialTimer(): void {
    if (this.#partialTimer) clearTimeout(this.#partialTimer);
    this.#partialTimer = null;
  }

  /** No socket activity for connections.max.idle.ms. */
  #onIdle(): void {
    if (this.#closed) return;
    if (this.#outstanding() === 0 && !this.#held) {
      this.close('idle for longer than connections.max.idle.ms', 'debug');
    } else if (this.#socket.writableLength > 0) {
      // Responses have waited that long for the peer to read them: it is not reading; its memory goes back.
      this.close('its responses went unread for longer than connections.max.idle.ms', 'info', 'unread-responses');
    }
    // Otherwise requests are still running (a long poll) or wait for the broker's budget: not the peer's doing.
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
