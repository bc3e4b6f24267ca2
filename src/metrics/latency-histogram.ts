// A fixed-bucket latency histogram in a Float64Array, so a partition worker can record into a SharedArrayBuffer
// that the front-end reads at scrape time: no message per observation, no locks.
// Layout: [sum of seconds, count in bucket 0, ..., count in bucket N-1, count above the last bound].
// One writer per buffer. The reader may see a field mid-update relative to another (no atomics); it derives
// the total count from the bucket counts, so the exposition is always self-consistent (+Inf bucket = count).

/** Upper bounds in seconds, from 50 µs (page-cache writes on a fast disk) to 5 s (a stalled device). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

const SUM = 0;
const FIRST_BUCKET = 1;

/** Bytes a histogram buffer needs. */
export const LATENCY_HISTOGRAM_BYTES = (2 + LATENCY_BUCKETS.length) * Float64Array.BYTES_PER_ELEMENT;

/** A histogram buffer one thread writes and another reads. */
export function createSharedLatencyBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(LATENCY_HISTOGRAM_BYTES);
}

/** A histogram buffer for the thread that owns it. */
export function createLatencyBuffer(): ArrayBuffer {
  return new ArrayBuffer(LATENCY_HISTOGRAM_BYTES);
}

/** The writing side: one observe() is a bucket search over 16 bounds and two stores. */
export class LatencyRecorder {
  readonly #cells: Float64Array;

  constructor(buffer: SharedArrayBuffer | ArrayBuffer) {
    if (buffer.byteLength < LATENCY_HISTOGRAM_BYTES) throw new RangeError('latency histogram buffer is too small');
    this.#cells = new Float64Array(buffer, 0, 2 + LATENCY_BUCKETS.length);
  }

  observe(seconds: number): void {
    const cells = this.#cells;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]!) bucket++;
    cells[FIRST_BUCKET + bucket]! += 1;
    cells[SUM]! += seconds;
  }
}

export interface LatencySnapshot {
  /** Cumulative counts, one per bound in LATENCY_BUCKETS (Prometheus `le` buckets, +Inf excluded). */
  cumulative: number[];
  count: number;
  sum: number;
}

/** Reads a histogram buffer (any thread may be writing it). */
export function readLatency(buffer: SharedArrayBuffer | ArrayBuffer): LatencySnapshot {
  const cells = new Float64Array(buffer, 0, 2 + LATENCY_BUCKETS.length);
  const cumulative: number[] = [];
  let running = 0;
  for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
    running += cells[FIRST_BUCKET + i]!;
    cumulative.push(running);
  }
  running += cells[FIRST_BUCKET + LATENCY_BUCKETS.length]!;
  return { cumulative, count: running, sum: cells[SUM]! };
}
