// Splits a TCP byte stream into Kafka frames (int32 size prefix, then `size` bytes).
// A frame that lies inside one socket chunk is returned as a zero-copy subarray of that chunk;
// only a frame that straddles chunks is assembled into a buffer of its own.

export type FrameError =
  | { kind: 'negative-size'; size: number }
  | { kind: 'too-large'; size: number; limit: number }
  | { kind: 'too-small'; size: number };

/** Smallest frame that can hold a request header (api key, version, correlation id, client id length). */
const MIN_FRAME_BYTES = 10;

export class FrameSplitter {
  readonly #maxFrameBytes: number;
  #partial: Buffer | null = null; // frame being assembled across chunks
  #partialFilled = 0;
  #sizeBytes = Buffer.alloc(4); // a size prefix split across chunks
  #sizeFilled = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** True while part of a frame is buffered, i.e. the stream ended mid-frame if it closes now. */
  get midFrame(): boolean {
    return this.#partial !== null || this.#sizeFilled > 0;
  }

  /**
   * Feeds one chunk; calls `onFrame` for every complete frame. Returns an error descriptor (and stops)
   * if a size prefix is invalid: the connection must then be closed.
   */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): FrameError | null {
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      if (this.#partial !== null) {
        const need = this.#partial.length - this.#partialFilled;
        const take = Math.min(need, end - pos);
        chunk.copy(this.#partial, this.#partialFilled, pos, pos + take);
        this.#partialFilled += take;
        pos += take;
        if (this.#partialFilled === this.#partial.length) {
          const frame = this.#partial;
          this.#partial = null;
          this.#partialFilled = 0;
          onFrame(frame);
        }
        continue;
      }
      let size: number;
      if (this.#sizeFilled === 0 && end - pos >= 4) {
        size = chunk.readInt32BE(pos);
        pos += 4;
      } else {
        const take = Math.min(4 - this.#sizeFilled, end - pos);
        chunk.copy(this.#sizeBytes, this.#sizeFilled, pos, pos + take);
        this.#sizeFilled += take;
        pos += take;
        if (this.#sizeFilled < 4) return null;
        this.#sizeFilled = 0;
        size = this.#sizeBytes.readInt32BE(0);
      }
      const error = this.#check(size);
      if (error) return error;
      if (end - pos >= size) {
        onFrame(chunk.subarray(pos, pos + size));
        pos += size;
      } else {
        this.#partial = Buffer.allocUnsafe(size);
        this.#partialFilled = 0;
      }
    }
    return null;
  }

  #check(size: number): FrameError | null {
    if (size < 0) return { kind: 'negative-size', size };
    if (size > this.#maxFrameBytes) return { kind: 'too-large', size, limit: this.#maxFrameBytes };
    if (size < MIN_FRAME_BYTES) return { kind: 'too-small', size };
    return null;
  }
}

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
