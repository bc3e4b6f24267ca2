/**
 * Framed single-producer / single-consumer ring over SharedArrayBuffers: the data plane between the
 * network thread and a partition worker.
 *
 * Why not ringbuf.js (the design asked us to evaluate it; it stays a devDependency for perf/ring-bench.ts):
 * perf/ring-bench.ts measures both in the same run on this project's 2 vCPU machine, main thread -> one
 * worker, each carrier copying every frame in and out and using the same flag/re-check/sleep doorbell
 * (ringbuf.js has none of its own), medians of 3 runs of 400 ms, Node 24:
 *
 *   frame      this ring             ringbuf.js 0.4        ours / ringbuf.js
 *   64 B       1.46 GB/s (22.8 M/s)  333 MB/s (5.2 M/s)    4.4x
 *   1 KiB      9.77 GB/s             1.06 GB/s             9.2x
 *   16 KiB     9.23 GB/s             1.16 GB/s             7.9x
 *   256 KiB    8.82 GB/s             1.26 GB/s             7.0x
 *
 * Reruns on the shared machine moved absolute figures by up to 3x; the ratio never fell below 2.3x.
 *
 * ringbuf.js is a byte stream. Its pop() copies element by element into the caller's array (V8 only copies
 * SharedArrayBuffer bytes in bulk when both sides share the same offset modulo 8), so it plateaus near
 * 1 GB/s whatever the frame size; that leaves little headroom over the ~0.8 GB/s a partition worker can
 * write to disk. It also has no framing (a message can be split across the wrap, so a worker cannot hand one
 * contiguous view to fs.writeSync) and cannot wake a sleeping consumer. This ring keeps every payload
 * contiguous, lets the producer choose the payload's offset modulo 8 so copies from socket buffers stay on
 * V8's fast path, and puts head, tail and the sleep flags on their own cache lines.
 *
 * Layout. Data buffer of `capacity` bytes (power of two). Frames start on 8-byte boundaries:
 *   int32 payloadLength | int32 pad | pad bytes | payload | zero..7 bytes to the next multiple of 8
 * where pad (0..7) puts the payload at the requested offset modulo 8. A frame that would not fit before the
 * end of the buffer is preceded by a wrap marker (payloadLength = -1) and starts again at offset 0.
 *
 * Indexes are free-running int32 byte counters (position = index & (capacity - 1)); differences are taken
 * with `| 0`, so they survive 2^31 / 2^32 wrap-around because capacity <= 2^30 divides 2^32.
 *
 * Waking. Never busy-poll (2 vCPUs). A side that is about to sleep raises its flag, re-checks, then waits;
 * the other side notifies only if the flag is up and clears it with an exchange, so one notify covers a
 * whole batch (publish/release are already one store per batch). The reader sleeps on a signal word rather
 * than on head so that wake() can interrupt it without publishing anything.
 *
 * Note: a pending Atomics.waitAsync does not keep the Node.js event loop alive by itself.
 */

const CACHE_LINE_INTS = 16; // 64 bytes / 4
const HEAD = 0; // written by the writer (publish)
const TAIL = CACHE_LINE_INTS; // written by the reader (release)
const READER_SLEEPING = CACHE_LINE_INTS * 2;
const READER_SIGNAL = READER_SLEEPING + 1; // bumped by publish-with-notify and by wake()
const WRITER_WAITING = CACHE_LINE_INTS * 3;
const CONTROL_BYTES = CACHE_LINE_INTS * 4 * 4;

const HEADER_BYTES = 8;
const WRAP_MARKER = -1;
const MIN_CAPACITY = 64 * 1024;
const MAX_CAPACITY = 1 << 30;

export interface RingMemory {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export interface RingMemoryOptions {
  /** @internal Starting value of both indexes; lets tests exercise 32-bit wrap-around. */
  initialIndex?: number;
}

export function createRingMemory(capacityBytes: number, options?: RingMemoryOptions): RingMemory {
  if (
    !Number.isInteger(capacityBytes) ||
    capacityBytes < MIN_CAPACITY ||
    capacityBytes > MAX_CAPACITY ||
    (capacityBytes & (capacityBytes - 1)) !== 0
  ) {
    throw new RangeError(`ring capacity must be a power of two in [${MIN_CAPACITY}, ${MAX_CAPACITY}], got ${capacityBytes}`);
  }
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const data = new SharedArrayBuffer(capacityBytes);
  const start = options?.initialIndex ?? 0;
  if (!Number.isInteger(start) || start % 8 !== 0) {
    throw new RangeError('initialIndex must be an integer multiple of 8');
  }
  const ctl = new Int32Array(control);
  ctl[HEAD] = start | 0;
  ctl[TAIL] = start | 0;
  return { control, data };
}

function capacityOf(memory: RingMemory): number {
  const capacity = memory.data.byteLength;
  if (capacity < MIN_CAPACITY || (capacity & (capacity - 1)) !== 0 || memory.control.byteLength < CONTROL_BYTES) {
    throw new RangeError('not a ring created by createRingMemory');
  }
  return capacity;
}

/**
 * Bytes published but not yet released (frames, padding and wrap gaps included), read from any thread.
 * Read-only and approximate by nature (the other side may move an index right after): for metrics.
 */
export function ringUsedBytes(memory: RingMemory): number {
  const ctl = new Int32Array(memory.control);
  return (Atomics.load(ctl, HEAD) - Atomics.load(ctl, TAIL)) | 0;
}

/** Interrupts a reader sleeping in wait()/waitAsync() from any thread; a no-op if it is not asleep. */
export function wakeReader(memory: RingMemory): void {
  const ctl = new Int32Array(memory.control);
  Atomics.add(ctl, READER_SIGNAL, 1);
  Atomics.notify(ctl, READER_SIGNAL);
}

/** Single producer. */
export class RingWriter {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly capacity: number;
  /** Largest payload one frame can carry: a frame of at most capacity/2 always fits in an empty ring. */
  readonly maxFrameBytes: number;
  readonly #ctl: Int32Array;
  readonly #i32: Int32Array;
  readonly #mask: number;
  #writePos: number; // reserved up to here
  #published: number; // last value stored to HEAD
  #cachedTail: number;

  constructor(memory: RingMemory) {
    this.capacity = capacityOf(memory);
    this.bytes = new Uint8Array(memory.data);
    this.view = new DataView(memory.data);
    this.maxFrameBytes = this.capacity / 2 - 2 * HEADER_BYTES;
    this.#ctl = new Int32Array(memory.control);
    this.#i32 = new Int32Array(memory.data);
    this.#mask = this.capacity - 1;
    this.#writePos = Atomics.load(this.#ctl, HEAD);
    this.#published = this.#writePos;
    this.#cachedTail = Atomics.load(this.#ctl, TAIL);
  }

  /**
   * Reserves a frame for `payloadBytes` bytes and returns the payload's offset in `bytes`, or -1 if the ring
   * has no room right now. `alignMod8` is the wanted offset modulo 8 (only its low 3 bits are used, so a
   * source's byteOffset can be passed as is). Throws RangeError above maxFrameBytes, which would never fit.
   */
  reserve(payloadBytes: number, alignMod8 = 0): number {
    if (!(payloadBytes >= 0 && payloadBytes <= this.maxFrameBytes) || !Number.isInteger(payloadBytes)) {
      throw new RangeError(`frame payload must be an integer in [0, ${this.maxFrameBytes}], got ${payloadBytes}`);
    }
    const pad = alignMod8 & 7;
    const total = (HEADER_BYTES + pad + payloadBytes + 7) & ~7;
    let pos = this.#writePos & this.#mask;
    const skip = pos + total > this.capacity ? this.capacity - pos : 0;
    const need = skip + total;
    if (((this.#writePos - this.#cachedTail) | 0) + need > this.capacity) {
      this.#cachedTail = Atomics.load(this.#ctl, TAIL);
      if (((this.#writePos - this.#cachedTail) | 0) + need > this.capacity) return -1;
    }
    const i32 = this.#i32;
    if (skip !== 0) {
      i32[pos >> 2] = WRAP_MARKER;
      pos = 0;
    }
    i32[pos >> 2] = payloadBytes;
    i32[(pos >> 2) + 1] = pad;
    this.#writePos = (this.#writePos + need) | 0;
    return pos + HEADER_BYTES + pad;
  }

  /** Makes every reserved frame visible with one store; notifies the reader only if it is asleep. */
  publish(): void {
    const pos = this.#writePos;
    if (pos === this.#published) return;
    this.#published = pos;
    const ctl = this.#ctl;
    Atomics.store(ctl, HEAD, pos);
    // seq-cst store of HEAD then load of the flag pairs with the reader's flag store then HEAD load.
    if (Atomics.load(ctl, READER_SLEEPING) !== 0 && Atomics.exchange(ctl, READER_SLEEPING, 0) !== 0) {
      Atomics.add(ctl, READER_SIGNAL, 1);
      Atomics.notify(ctl, READER_SIGNAL, 1);
    }
  }

  /**
   * Main thread: resolves once the reader has released space since the last failed reserve(), or after
   * `timeoutMs`. Publishes pending frames first, since the reader cannot free what it cannot see.
   */
  async waitForSpaceAsync(timeoutMs = Infinity): Promise<void> {
    const expected = this.#prepareWait();
    if (expected === null) return;
    const result = Atomics.waitAsync(this.#ctl, TAIL, expected, timeoutMs);
    if (result.async) await result.value;
    Atomics.store(this.#ctl, WRITER_WAITING, 0);
  }

  /** Worker thread: like waitForSpaceAsync but blocks in Atomics.wait; false on timeout. */
  waitForSpace(timeoutMs: number): boolean {
    const expected = this.#prepareWait();
    if (expected === null) return true;
    const result = Atomics.wait(this.#ctl, TAIL, expected, timeoutMs);
    Atomics.store(this.#ctl, WRITER_WAITING, 0);
    return result !== 'timed-out';
  }

  /** Returns the tail value to sleep on, or null when space is already available (flag left down). */
  #prepareWait(): number | null {
    this.publish();
    const ctl = this.#ctl;
    const expected = this.#cachedTail;
    // Nothing outstanding: every published byte is released, so any legal reserve() fits now.
    if (expected === this.#writePos) return null;
    Atomics.store(ctl, WRITER_WAITING, 1);
    const tail = Atomics.load(ctl, TAIL);
    if (tail !== expected) {
      Atomics.store(ctl, WRITER_WAITING, 0);
      this.#cachedTail = tail;
      return null;
    }
    return expected;
  }
}

/** Single consumer. */
export class RingReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly capacity: number;
  /** Payload length of the frame last returned by next(). */
  frameLength = 0;
  readonly #memory: RingMemory;
  readonly #ctl: Int32Array;
  readonly #i32: Int32Array;
  readonly #mask: number;
  #readPos: number; // consumed up to here
  #released: number; // last value stored to TAIL
  #cachedHead: number;

  constructor(memory: RingMemory) {
    this.capacity = capacityOf(memory);
    this.#memory = memory;
    this.bytes = new Uint8Array(memory.data);
    this.view = new DataView(memory.data);
    this.#ctl = new Int32Array(memory.control);
    this.#i32 = new Int32Array(memory.data);
    this.#mask = this.capacity - 1;
    this.#readPos = Atomics.load(this.#ctl, TAIL);
    this.#released = this.#readPos;
    this.#cachedHead = Atomics.load(this.#ctl, HEAD);
  }

  /** Payload offset of the next published frame (length in frameLength), or -1 when none is visible. */
  next(): number {
    if (this.#readPos === this.#cachedHead) {
      this.#cachedHead = Atomics.load(this.#ctl, HEAD);
      if (this.#readPos === this.#cachedHead) {
        this.frameLength = 0;
        return -1;
      }
    }
    const i32 = this.#i32;
    let pos = this.#readPos & this.#mask;
    let length = i32[pos >> 2]!;
    let consumed = 0;
    if (length === WRAP_MARKER) {
      consumed = this.capacity - pos;
      pos = 0;
      length = i32[0]!;
    }
    const pad = i32[(pos >> 2) + 1]!;
    consumed += (HEADER_BYTES + pad + length + 7) & ~7;
    this.#readPos = (this.#readPos + consumed) | 0;
    this.frameLength = length;
    return pos + HEADER_BYTES + pad;
  }

  /** Frees every frame returned by next() so far with one store; notifies the writer only if it waits. */
  release(): void {
    const pos = this.#readPos;
    if (pos === this.#released) return;
    this.#released = pos;
    const ctl = this.#ctl;
    Atomics.store(ctl, TAIL, pos);
    if (Atomics.load(ctl, WRITER_WAITING) !== 0 && Atomics.exchange(ctl, WRITER_WAITING, 0) !== 0) {
      Atomics.notify(ctl, TAIL, 1);
    }
  }

  /**
   * Worker thread: sleeps until a frame is published, wake() is called, or the timeout; false on timeout.
   * Releases consumed frames first, since a writer waiting for that space would otherwise never publish.
   */
  wait(timeoutMs: number): boolean {
    const signal = this.#prepareSleep();
    if (signal === null) return true;
    const result = Atomics.wait(this.#ctl, READER_SIGNAL, signal, timeoutMs);
    Atomics.store(this.#ctl, READER_SLEEPING, 0);
    return result !== 'timed-out';
  }

  /** Main thread: like wait() (releasing first) with Atomics.waitAsync; resolves on a frame, wake() or the timeout. */
  async waitAsync(timeoutMs = Infinity): Promise<void> {
    const signal = this.#prepareSleep();
    if (signal === null) return;
    const result = Atomics.waitAsync(this.#ctl, READER_SIGNAL, signal, timeoutMs);
    if (result.async) await result.value;
    Atomics.store(this.#ctl, READER_SLEEPING, 0);
  }

  /** Interrupts a sleeping reader (typically called by another thread holding the same memory). */
  wake(): void {
    wakeReader(this.#memory);
  }

  /** Signal value to sleep on, or null if a frame is already visible (flag left down). */
  #prepareSleep(): number | null {
    this.release();
    if (this.#readPos !== this.#cachedHead) return null;
    const ctl = this.#ctl;
    // Read the signal before raising the flag so a wake() racing with us changes it and the wait falls through.
    const signal = Atomics.load(ctl, READER_SIGNAL);
    Atomics.store(ctl, READER_SLEEPING, 1);
    this.#cachedHead = Atomics.load(ctl, HEAD);
    if (this.#readPos !== this.#cachedHead) {
      Atomics.store(ctl, READER_SLEEPING, 0);
      return null;
    }
    return signal;
  }
}
