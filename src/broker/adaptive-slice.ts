// How many partitions to hand a worker in one control call. A worker runs a control call between two drains of
// its request ring, so one call that opens or deletes thousands of partitions holds up produce and fetch to
// every other partition on that worker for as long as it runs. Slices are sized from how long the last one
// took, to stay near a few milliseconds of worker time whatever one partition costs (a new empty log, a log
// that needs a recovery scan, a directory to delete).
const TARGET_MS = 4;
const FIRST_SLICE = 8;
const MAX_SLICE = 1024;

export class AdaptiveSlice {
  #size = FIRST_SLICE;

  get size(): number {
    return this.#size;
  }

  /** Records that a slice of `count` items took `ms`; the next slice is sized from it. */
  took(count: number, ms: number): void {
    if (count < this.#size) return; // a short last slice says little
    if (ms < TARGET_MS / 2) this.#size = Math.min(MAX_SLICE, this.#size * 2);
    else if (ms > TARGET_MS * 2) this.#size = Math.max(1, Math.floor(this.#size / 2));
  }
}

/** Runs `call` on consecutive slices of `items`, one at a time, sized by an AdaptiveSlice. */
export async function inSlices<T, R>(items: readonly T[], call: (slice: T[]) => Promise<R[]>): Promise<R[]> {
  const slicer = new AdaptiveSlice();
  const results: R[] = [];
  for (let at = 0; at < items.length; ) {
    const slice = items.slice(at, at + slicer.size);
    const started = performance.now();
    results.push(...(await call(slice)));
    slicer.took(slice.length, performance.now() - started);
    at += slice.length;
  }
  return results;
}
