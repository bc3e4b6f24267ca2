// Which client quotas each request is counted against and the throttle time its response carries, as Kafka's
// KafkaApis and RequestHandlerHelper decide: a Produce's request bytes against producer_byte_rate, a Fetch's
// response bytes against consumer_byte_rate, and every request's time on the main thread against
// request_percentage (not an acks=0 Produce's, which gets no response); the larger throttle wins. A throttled
// Fetch answers empty (its bytes are taken back), and a consumer's fetch is capped to what the quota window can
// take. The dispatcher then mutes the connection for the throttle time (KIP-219).
import { ApiKey, type ProduceRequest } from '../protocol/generated/index.js';
import type { QuotaClient } from '../security/quota-manager.js';
import type { Quotas } from '../security/quotas.js';
import type { RequestInfo } from './request-dispatcher.js';

/** Kafka counts request time as a percentage of one thread: 1 ms of thread time is 0.1 percent-seconds. */
const PERCENT_PER_MS = 0.1;

/** Authentication requests are the network layer's business in Kafka, never throttled. */
const EXEMPT: ReadonlySet<number> = new Set([ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

function clientOf(info: RequestInfo): QuotaClient {
  return { user: info.connection.principal.name, clientId: info.clientId ?? '' };
}

export class RequestThrottle {
  readonly #quotas: Quotas;

  constructor(quotas: Quotas) {
    this.#quotas = quotas;
  }

  /** Is any quota configured? Without one the dispatcher skips all of this. */
  get enabled(): boolean {
    return this.#quotas.enabled;
  }

  /** For a request other than Fetch, once handled: records it and returns its throttle time. */
  throttleMs(request: unknown, info: RequestInfo, frameBytes: number, threadMs: number): number {
    if (EXEMPT.has(info.apiKey)) return 0;
    const now = Date.now();
    const client = clientOf(info);
    let bandwidth = 0;
    let requestTime = 0;
    if (info.apiKey === ApiKey.Produce) {
      bandwidth = this.#quotas.produce.recordAndGetThrottleMs(client, frameBytes, now);
      // acks=0 gets no response to carry a throttle time: only its bytes are held back.
      if ((request as ProduceRequest).acks !== 0) requestTime = this.#quotas.request.recordAndGetThrottleMs(client, threadMs * PERCENT_PER_MS, now);
    } else {
      requestTime = this.#quotas.request.recordAndGetThrottleMs(client, threadMs * PERCENT_PER_MS, now);
    }
    return Math.max(bandwidth, requestTime);
  }

  /** For a Fetch whose response takes `responseBytes`: the throttle time; when positive, answer it empty. */
  fetchThrottleMs(info: RequestInfo, responseBytes: number, threadMs: number): number {
    const now = Date.now();
    const client = clientOf(info);
    const requestTime = this.#quotas.request.recordAndGetThrottleMs(client, threadMs * PERCENT_PER_MS, now);
    const bandwidth = this.#quotas.fetch.recordAndGetThrottleMs(client, responseBytes, now);
    const throttleMs = Math.max(requestTime, bandwidth);
    // The records will not be sent: they do not count.
    if (throttleMs > 0) this.#quotas.fetch.unrecord(client, responseBytes, now);
    return throttleMs;
  }

  /** The most a consumer's Fetch may return: more would be throttled even after an idle window. */
  fetchMaxBytes(info: RequestInfo): number {
    return this.#quotas.fetch.maxValueInQuotaWindow(clientOf(info));
  }
}
