// Latency recording for the load generator: an HDR histogram (hdr-histogram-js) of microseconds, 3 significant
// digits, summarised in milliseconds. Histograms cross process boundaries in HdrHistogram's compressed base64
// encoding, so a parent can merge the histograms of its child processes exactly (not by averaging percentiles).
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** One hour, in microseconds: anything slower is clamped (and is a failed run anyway). */
const HIGHEST_US = 3_600_000_000;

export class LatencyHistogram {
  readonly #h: Histogram;

  constructor(h?: Histogram) {
    this.#h = h ?? build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  }

  /** Records one latency given in milliseconds (fractions kept to the microsecond). */
  recordMs(ms: number, count = 1): void {
    const us = Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000)));
    if (count === 1) this.#h.recordValue(us);
    else this.#h.recordValueWithCount(us, count);
  }

  get count(): number {
    return this.#h.totalCount;
  }

  merge(other: LatencyHistogram): void {
    this.#h.add(other.#h);
  }

  summary(): LatencySummary {
    const at = (p: number): number => (this.#h.totalCount === 0 ? 0 : this.#h.getValueAtPercentile(p) / 1000);
    return { p50: at(50), p95: at(95), p99: at(99), p999: at(99.9), max: this.#h.totalCount === 0 ? 0 : this.#h.maxValue / 1000 };
  }

  encode(): string {
    return encodeIntoCompressedBase64(this.#h);
  }

  static decode(encoded: string): LatencyHistogram {
    return new LatencyHistogram(decodeFromCompressedBase64(encoded, 64, false));
  }
}
