// The broker's client quotas: the configured values (client-quotas.ts) kept in a store, and one manager per
// enforced kind: produce bytes, fetch bytes and request time. Changes are made durable before they take effect.
import { ClientQuotas, QuotaKey, type QuotaAlteration, type QuotaEntry, type QuotaFilterComponent, type QuotaProblem } from './client-quotas.js';
import { ClientQuotaManager } from './quota-manager.js';
import type { QuotaWindow } from './quota-rate.js';
import type { QuotaStore } from './quota-store.js';

export class Quotas {
  readonly #values: ClientQuotas;
  readonly #store: QuotaStore;
  readonly produce: ClientQuotaManager;
  readonly fetch: ClientQuotaManager;
  /** request_percentage, throttled at most one window (Kafka's ClientRequestQuotaManager). */
  readonly request: ClientQuotaManager;
  #changing: Promise<unknown> = Promise.resolve();

  private constructor(values: ClientQuotas, store: QuotaStore, window: QuotaWindow) {
    this.#values = values;
    this.#store = store;
    this.produce = new ClientQuotaManager(QuotaKey.PRODUCER_BYTE_RATE, values, window);
    this.fetch = new ClientQuotaManager(QuotaKey.CONSUMER_BYTE_RATE, values, window);
    this.request = new ClientQuotaManager(QuotaKey.REQUEST_PERCENTAGE, values, window, window.windowMs);
  }

  static async start(store: QuotaStore, window: QuotaWindow): Promise<Quotas> {
    const values = new ClientQuotas(await store.load());
    store.watch?.((entries) => values.replaceAll(entries));
    return new Quotas(values, store, window);
  }

  /** Is any enforced quota configured? Without one, requests pay nothing for quotas. */
  get enabled(): boolean {
    return this.produce.enabled || this.fetch.enabled || this.request.enabled;
  }

  describe(components: readonly QuotaFilterComponent[], strict: boolean): QuotaEntry[] | QuotaProblem {
    return this.#values.describe(components, strict);
  }

  /** AlterClientQuotas: one outcome per alteration (null = done); with `validateOnly` nothing changes. */
  alter(alterations: readonly QuotaAlteration[], validateOnly: boolean): Promise<Array<QuotaProblem | null>> {
    const run = this.#changing.then(async () => {
      const { outcomes, next } = this.#values.prepare(alterations);
      if (validateOnly || outcomes.every((o) => o !== null)) return outcomes;
      await this.#store.save([...next.values()]);
      this.#values.commit(next);
      return outcomes;
    });
    this.#changing = run.catch(() => undefined);
    return run;
  }
}
