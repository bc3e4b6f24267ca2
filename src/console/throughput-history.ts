// Produce and fetch throughput over time for the overview's charts: the broker's counters sampled every
// console.sample.interval.ms into a fixed number of points (rates per second over each interval).
import type { ThroughputHistory } from './api-types.js';
import type { TrafficTotals } from './broker-view.js';

/** Points kept: 360 = 30 minutes at the default 5 s interval. */
export const HISTORY_POINTS = 360;

export class ThroughputSampler {
  readonly #read: () => TrafficTotals;
  readonly #intervalMs: number;
  readonly #history: ThroughputHistory;
  #previous: { at: number; totals: TrafficTotals };
  #timer: NodeJS.Timeout | null = null;

  constructor(read: () => TrafficTotals, intervalMs: number) {
    this.#read = read;
    this.#intervalMs = intervalMs;
    this.#history = { intervalMs, t: [], bytesIn: [], bytesOut: [], messagesIn: [], messagesOut: [] };
    this.#previous = { at: Date.now(), totals: read() };
  }

  start(): void {
    this.#timer = setInterval(() => this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  sample(): void {
    const now = Date.now();
    const totals = this.#read();
    const seconds = Math.max(0.001, (now - this.#previous.at) / 1000);
    // A deleted topic takes its counters with it: never a negative rate.
    const rate = (key: keyof TrafficTotals): number => Math.max(0, totals[key] - this.#previous.totals[key]) / seconds;
    const h = this.#history;
    h.t.push(now);
    h.bytesIn.push(rate('bytesIn'));
    h.bytesOut.push(rate('bytesOut'));
    h.messagesIn.push(rate('messagesIn'));
    h.messagesOut.push(rate('messagesOut'));
    if (h.t.length > HISTORY_POINTS) for (const series of [h.t, h.bytesIn, h.bytesOut, h.messagesIn, h.messagesOut]) series.shift();
    this.#previous = { at: now, totals };
  }

  get history(): ThroughputHistory {
    return this.#history;
  }
}
