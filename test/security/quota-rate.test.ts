// The quota arithmetic on its own, on a given clock: Kafka's sampled rate (windows, the minimum span, obsolete
// samples), the throttle time that brings a rate back to its limit, the request-time cap, and the bound on how
// many clients' rates are kept.
import test from 'ava';
import { ClientQuotas, QuotaKey, type QuotaAlteration } from '../../src/security/client-quotas.js';
import { ClientQuotaManager } from '../../src/security/quota-manager.js';
import { SampledRate } from '../../src/security/quota-rate.js';

const window = { samples: 11, windowMs: 1000 };

function quotasWith(...alterations: QuotaAlteration[]): ClientQuotas {
  const quotas = new ClientQuotas();
  const { outcomes, next } = quotas.prepare(alterations);
  if (outcomes.some((o) => o !== null)) throw new Error(JSON.stringify(outcomes));
  quotas.commit(next);
  return quotas;
}

const clientIdQuota = (clientId: string | null, key: string, value: number): QuotaAlteration => ({
  entity: [{ entityType: 'client-id', entityName: clientId }],
  ops: [{ key, value, remove: false }],
});

test('a rate is measured over at least window.num - 1 whole windows, then over the samples it keeps', (t) => {
  const rate = new SampledRate(window, 0);
  rate.record(10_000, 0);
  // 10,000 over the minimum span of 10 windows.
  t.is(rate.windowSizeMs(0), 10_000);
  t.is(rate.measure(0), 1000);
  for (let s = 1; s <= 20; s++) rate.record(1000, s * 1000);
  // Samples older than 11 windows are dropped: 11 samples of 1000 remain, over 10+ seconds.
  const measured = rate.measure(20_000);
  t.true(measured > 900 && measured <= 1100, `measured ${measured}`);
  t.true(rate.idle(20_000 + 11 * 1000));
});

test("throttle time is Kafka's (rate - limit) / limit x window, and request time is capped at one window", (t) => {
  const quotas = quotasWith({
    entity: [{ entityType: 'client-id', entityName: 'app' }],
    ops: [
      { key: QuotaKey.PRODUCER_BYTE_RATE, value: 1000, remove: false },
      { key: QuotaKey.REQUEST_PERCENTAGE, value: 1, remove: false },
    ],
  });
  const bytes = new ClientQuotaManager(QuotaKey.PRODUCER_BYTE_RATE, quotas, window);
  const client = { user: 'ANONYMOUS', clientId: 'app' };
  t.is(bytes.recordAndGetThrottleMs(client, 10_000, 0), 0, 'exactly at the limit over the minimum span');
  // 30,000 over 10 s is 3000/s against 1000/s: (3000 - 1000) / 1000 x 10 s.
  t.is(bytes.recordAndGetThrottleMs(client, 20_000, 0), 20_000);
  t.is(bytes.recordAndGetThrottleMs({ user: 'ANONYMOUS', clientId: 'other' }, 1e9, 0), 0, 'another client id has no quota');
  const requests = new ClientQuotaManager(QuotaKey.REQUEST_PERCENTAGE, quotas, window, window.windowMs);
  t.is(requests.recordAndGetThrottleMs(client, 1000, 0), 1000, 'capped at quota.window.size.seconds');
  t.is(bytes.maxValueInQuotaWindow(client), 10_000);
});

test('rates are kept for at most 10,000 clients: a client id per request cannot grow memory without bound', (t) => {
  const quotas = quotasWith(clientIdQuota(null, QuotaKey.PRODUCER_BYTE_RATE, 1000));
  const manager = new ClientQuotaManager(QuotaKey.PRODUCER_BYTE_RATE, quotas, window);
  for (let i = 0; i < 25_000; i++) manager.recordAndGetThrottleMs({ user: 'ANONYMOUS', clientId: `client-${i}` }, 1, i);
  t.true(manager.trackedClients <= 10_000, `${manager.trackedClients} rates kept`);
  t.true(manager.trackedClients > 0);
});

test('without a quota of its kind a manager records nothing', (t) => {
  const quotas = quotasWith(clientIdQuota('app', QuotaKey.CONSUMER_BYTE_RATE, 1000));
  const produce = new ClientQuotaManager(QuotaKey.PRODUCER_BYTE_RATE, quotas, window);
  t.false(produce.enabled);
  t.is(produce.recordAndGetThrottleMs({ user: 'u', clientId: 'app' }, 1e12, 0), 0);
  t.is(produce.trackedClients, 0);
});
