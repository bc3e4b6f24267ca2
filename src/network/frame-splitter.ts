// Splits a TCP byte stream into Kafka frames (int32 size prefix, then `size` bytes).
// Bytes are kept as the socket chunks they arrived in, so memory follows the bytes received, never the size a
// prefix declares: a peer that announces 100 MiB and sends 10 bytes costs 10 bytes. Frames are taken out one at
// a time (the connection decides when it can afford the next one); a frame that lies inside one chunk is a
// zero-copy view of it, one that straddles chunks is copied once, when its last byte has arrived.

export type FrameError =
  | { kind: 'negative-size'; size: number }
  | { kind: 'too-large'; size: number; limit: number }
  | { kind: 'too-small'; size: number };

export type TakeResult = { frame: Buffer } | { error: FrameError } | null;

/** Smallest frame that can hold a request header (api key, version, correlation id, client id length). */
const MIN_FRAME_BYTES = 10;
const SIZE_PREFIX_BYTES = 4;

export class FrameSplitter {
  readonly #maxFrameBytes: number;
  readonly #chunks: Buffer[] = [];
  /** Index in #chunks of the first chunk with unconsumed bytes, and how much of it is consumed. */
  #head = 0;
  #headOffset = 0;
  #buffered = 0;
  /** Size of the frame whose prefix has been read, or -1 when the next bytes are a prefix. */
  #frameSize = -1;
  #error: FrameError | null = null;
  #framesTaken = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes received and not yet taken as frames (size prefixes included). */
  get bufferedBytes(): number {
    return this.#buffered + (this.#frameSize >= 0 ? SIZE_PREFIX_BYTES : 0);
  }

  /** Frames taken so far: a change tells a watcher that the incomplete frame it timed is not the current one. */
  get framesTaken(): number {
    return this.#framesTaken;
  }

  /** True while bytes of an incomplete frame are buffered: the stream ended mid-frame if it closes now. */
  get midFrame(): boolean {
    return this.bufferedBytes > 0 && !this.#hasCompleteFrame();
  }

  /** Appends one socket chunk; nothing is parsed until take(). */
  push(chunk: Buffer): void {
    if (chunk.length === 0 || this.#error) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /**
   * The next complete frame, an error once a size prefix is invalid (the connection must then be closed; every
   * later call returns the same error), or null when the buffered bytes do not hold a whole frame yet.
   */
  take(): TakeResult {
    if (this.#error) return { error: this.#error };
    if (this.#frameSize < 0) {
      if (this.#buffered < SIZE_PREFIX_BYTES) return null;
      const size = this.#consume(SIZE_PREFIX_BYTES).readInt32BE(0);
      const error = this.#check(size);
      if (error) {
        this.#error = error;
        this.#drop();
        return { error };
      }
      this.#frameSize = size;
    }
    if (this.#buffered < this.#frameSize) return null;
    const frame = this.#consume(this.#frameSize);
    this.#frameSize = -1;
    this.#framesTaken++;
    return { frame };
  }

  /** Forgets every buffered byte (the connection is closing). */
  clear(): void {
    this.#drop();
    this.#frameSize = -1;
  }

  #hasCompleteFrame(): boolean {
    if (this.#frameSize >= 0) return this.#buffered >= this.#frameSize;
    if (this.#buffered < SIZE_PREFIX_BYTES) return false;
    // Peek at the prefix without consuming it; an invalid one counts as complete (take() reports it at once).
    const size = this.#peekInt32();
    return this.#check(size) !== null || this.#buffered - SIZE_PREFIX_BYTES >= size;
  }

  #peekInt32(): number {
    const first = this.#chunks[this.#head]!;
    if (first.length - this.#headOffset >= SIZE_PREFIX_BYTES) return first.readInt32BE(this.#headOffset);
    const bytes = Buffer.alloc(SIZE_PREFIX_BYTES);
    let filled = 0;
    for (let i = this.#head, offset = this.#headOffset; filled < SIZE_PREFIX_BYTES; i++, offset = 0) {
      filled += this.#chunks[i]!.copy(bytes, filled, offset, Math.min(this.#chunks[i]!.length, offset + SIZE_PREFIX_BYTES - filled));
    }
    return bytes.readInt32BE(0);
  }

  /** Removes `n` buffered bytes from the front: a view when they lie in one chunk, else one copy. */
  #consume(n: number): Buffer {
    const first = this.#chunks[this.#head]!;
    const available = first.length - this.#headOffset;
    let out: Buffer;
    if (available >= n) {
      out = first.subarray(this.#headOffset, this.#headOffset + n);
      this.#headOffset += n;
      if (this.#headOffset === first.length) this.#advance();
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.#chunks[this.#head]!;
        const take = Math.min(n - filled, chunk.length - this.#headOffset);
        chunk.copy(out, filled, this.#headOffset, this.#headOffset + take);
        filled += take;
        this.#headOffset += take;
        if (this.#headOffset === chunk.length) this.#advance();
      }
    }
    this.#buffered -= n;
    return out;
  }

  /** The head chunk is used up: drop our reference so its memory can go. */
  #advance(): void {
    this.#chunks[this.#head] = EMPTY;
    this.#head++;
    this.#headOffset = 0;
    if (this.#head === this.#chunks.length) {
      this.#chunks.length = 0;
      this.#head = 0;
    } else if (this.#head >= 64) {
      this.#chunks.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #drop(): void {
    this.#chunks.length = 0;
    this.#head = 0;
    this.#headOffset = 0;
    this.#buffered = 0;
  }

  #check(size: number): FrameError | null {
    if (size < 0) return { kind: 'negative-size', size };
    if (size > this.#maxFrameBytes) return { kind: 'too-large', size, limit: this.#maxFrameBytes };
    if (size < MIN_FRAME_BYTES) return { kind: 'too-small', size };
    return null;
  }
}

const EMPTY = Buffer.alloc(0);

export function describeFrameError(error: FrameError): string {
  switch (error.kind) {
    case 'negative-size':
      return `negative frame size ${error.size}`;
    case 'too-large':
      return `frame size ${error.size} exceeds socket.request.max.bytes ${error.limit}`;
    case 'too-small':
      return `frame size ${error.size} is too small to hold a request header`;
  }
}
