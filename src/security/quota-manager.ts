// One kind of client quota enforced as Kafka's ClientQuotaManager does: usage (bytes, or request time as a
// percentage of one thread) is recorded per (user, client id) as the configured quotas group it
// (client-quotas.ts); when the measured rate is over the limit, the client is throttled for the time that brings
// the rate back to it over the window: (rate - limit) / limit * window (Kafka's QuotaUtils.throttleTime),
// optionally capped. Rates are kept for at most MAX_SENSORS groups, the least recently used dropped first; one
// idle for a whole window measures nothing and is dropped as well, so the memory is bounded (about 1 KiB each).
import type { ClientQuotas, QuotaKeyName } from './client-quotas.js';
import { SampledRate, type QuotaWindow } from './quota-rate.js';

/** Rates kept at most (each about 1 KiB): a client changing its client id on every request only recycles them. */
const MAX_SENSORS = 10_000;

export interface QuotaClient {
  /** The principal's name ("alice" of User:alice). */
  readonly user: string;
  readonly clientId: string;
}

export class ClientQuotaManager {
  readonly key: QuotaKeyName;
  readonly #quotas: ClientQuotas;
  readonly #window: QuotaWindow;
  readonly #maxThrottleMs: number;
  /** By metric tags, least recently used first. */
  readonly #rates = new Map<string, SampledRate>();

  constructor(key: QuotaKeyName, quotas: ClientQuotas, window: QuotaWindow, maxThrottleMs = Number.POSITIVE_INFINITY) {
    this.key = key;
    this.#quotas = quotas;
    this.#window = window;
    this.#maxThrottleMs = maxThrottleMs;
  }

  /** Is any quota of this kind configured? Without one nothing is recorded. */
  get enabled(): boolean {
    return this.#quotas.has(this.key);
  }

  /** Rates currently kept (for tests of the bound). */
  get trackedClients(): number {
    return this.#rates.size;
  }

  /** Records `value` for the client at `now`; returns how long to throttle it (0 when within its quota). */
  recordAndGetThrottleMs(client: QuotaClient, value: number, now: number): number {
    if (!this.enabled) return 0;
    const tags = this.#quotas.metricTags(this.key, client.user, client.clientId);
    const rate = this.#rate(tags, now);
    rate.record(value, now);
    const limit = this.#quotas.limit(this.key, tags);
    if (limit === undefined) return 0;
    const measured = rate.measure(now);
    if (measured <= limit) return 0;
    const throttleMs = Math.round(((measured - limit) / limit) * rate.windowSizeMs(now));
    return Math.min(throttleMs, this.#maxThrottleMs);
  }

  /** Takes back a value recorded for a response that was not sent (a throttled fetch answers empty). */
  unrecord(client: QuotaClient, value: number, now: number): void {
    if (!this.enabled) return;
    const tags = this.#quotas.metricTags(this.key, client.user, client.clientId);
    this.#rate(tags, now).record(-value, now);
  }

  /**
   * The most that can be recorded at once without certainly being throttled, even with nothing recorded before:
   * limit x (window.num - 1) windows (Kafka caps a consumer's fetch at this). Infinity without a quota.
   */
  maxValueInQuotaWindow(client: QuotaClient): number {
    if (!this.enabled) return Number.POSITIVE_INFINITY;
    const limit = this.#quotas.limit(this.key, this.#quotas.metricTags(this.key, client.user, client.clientId));
    if (limit === undefined) return Number.POSITIVE_INFINITY;
    return limit * (this.#window.samples - 1) * (this.#window.windowMs / 1000);
  }

  #rate(tags: { user: string; clientId: string }, now: number): SampledRate {
    const key = `${tags.user}\u0000${tags.clientId}`;
    let rate = this.#rates.get(key);
    if (rate) {
      // Most recently used last.
      this.#rates.delete(key);
    } else {
      rate = new SampledRate(this.#window, now);
      if (this.#rates.size >= MAX_SENSORS) this.#evict(now);
    }
    this.#rates.set(key, rate);
    return rate;
  }

  /** Drops every idle rate, and at least the least recently used one. */
  #evict(now: number): void {
    for (const [key, rate] of this.#rates) if (rate.idle(now)) this.#rates.delete(key);
    if (this.#rates.size >= MAX_SENSORS) {
      const oldest = this.#rates.keys().next();
      if (!oldest.done) this.#rates.delete(oldest.value);
    }
  }
}
