// A rate over sampled windows, as Kafka's Rate over a SampledStat measures a client's bytes or request time:
// `quota.window.num` samples of `quota.window.size.seconds` each. A value is added to the current sample (a new
// one starts when the current one is a window old); the rate is the sum of the samples that saw events within
// the last window.num windows, over the time they span, counted as at least window.num - 1 whole windows so a
// client's first burst is not measured over a few milliseconds.

export interface QuotaWindow {
  /** quota.window.num */
  readonly samples: number;
  /** quota.window.size.seconds, in milliseconds. */
  readonly windowMs: number;
}

interface Sample {
  value: number;
  startMs: number;
  lastEventMs: number;
}

export class SampledRate {
  readonly #window: QuotaWindow;
  /** At most samples + 1: the extra one overlaps the start of the monitored span. */
  readonly #samples: Sample[] = [];
  #current = 0;
  /** When a value was last recorded: a rate idle for a whole span measures nothing and can be dropped. */
  lastRecordMs: number;

  constructor(window: QuotaWindow, now: number) {
    this.#window = window;
    this.lastRecordMs = now;
  }

  record(value: number, now: number): void {
    let sample = this.#currentSample(now);
    if (now - sample.startMs >= this.#window.windowMs) sample = this.#advance(now);
    sample.value += value;
    sample.lastEventMs = now;
    this.lastRecordMs = now;
  }

  /** The rate per second at `now`. */
  measure(now: number): number {
    this.#purgeObsolete(now);
    let total = 0;
    for (const sample of this.#samples) total += sample.value;
    return total / (this.windowSizeMs(now) / 1000);
  }

  /** The span the rate is measured over, in milliseconds (Kafka's Rate.windowSize). */
  windowSizeMs(now: number): number {
    this.#purgeObsolete(now);
    let elapsed = now - this.#oldest(now).startMs;
    const fullWindows = Math.floor(elapsed / this.#window.windowMs);
    const minFullWindows = this.#window.samples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.#window.windowMs;
    return Math.max(elapsed, 1);
  }

  /** Has nothing been recorded within the monitored span (every sample obsolete)? */
  idle(now: number): boolean {
    return now - this.lastRecordMs >= this.#window.samples * this.#window.windowMs;
  }

  #currentSample(now: number): Sample {
    if (this.#samples.length === 0) this.#samples.push({ value: 0, startMs: now, lastEventMs: now });
    return this.#samples[this.#current]!;
  }

  #advance(now: number): Sample {
    this.#current = (this.#current + 1) % (this.#window.samples + 1);
    if (this.#current >= this.#samples.length) {
      const sample = { value: 0, startMs: now, lastEventMs: now };
      this.#samples.push(sample);
      return sample;
    }
    const sample = this.#samples[this.#current]!;
    reset(sample, now);
    return sample;
  }

  #oldest(now: number): Sample {
    let oldest = this.#currentSample(now);
    for (const sample of this.#samples) if (sample.startMs < oldest.startMs) oldest = sample;
    return oldest;
  }

  /** Samples with no event in the whole monitored span are emptied (Kafka's purgeObsoleteSamples). */
  #purgeObsolete(now: number): void {
    const expireAge = this.#window.samples * this.#window.windowMs;
    for (const sample of this.#samples) if (now - sample.lastEventMs >= expireAge) reset(sample, now);
  }
}

function reset(sample: Sample, now: number): void {
  sample.value = 0;
  sample.startMs = now;
  sample.lastEventMs = now;
}
