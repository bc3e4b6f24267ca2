// Spate Console: the web UI (static files under /console/) and its JSON API (/api/v1/...) on the broker's HTTP
// port. The API talks to the broker as a client would, through Spate's own client on the Kafka port; the
// broker view adds what no Kafka API gives (log sizes, throughput counters).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Admin, Cluster } from '../client/index.js';
import type { HttpRoutes } from '../metrics/index.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { ConsoleApiError, errorResponse } from './api-error.js';
import type { ConsoleBrokerView } from './broker-view.js';
import { registerClusterRoutes } from './cluster-api.js';
import type { ConsoleDeps } from './deps.js';
import { registerGroupRoutes } from './groups-api.js';
import { Query, sendJson } from './http-json.js';
import { LagSampler } from './lag-history.js';
import { registerMessageRoutes } from './messages-api.js';
import { guardRequest, isLoopbackHost } from './request-guard.js';
import { Router } from './router.js';
import { StaticFiles } from './static-files.js';
import { ThroughputSampler } from './throughput-history.js';
import { registerTopicRoutes } from './topics-api.js';

export interface ConsoleOptions {
  /** Where the built front-end is; default dist/console/. */
  bundleDir?: string;
}

export class SpateConsole {
  readonly routes: HttpRoutes;
  readonly #throughput: ThroughputSampler;
  readonly #lag: LagSampler;
  readonly #view: ConsoleBrokerView;
  #cluster: Promise<Cluster> | null = null;
  #closed = false;

  constructor(view: ConsoleBrokerView, log: Logger, options: ConsoleOptions = {}) {
    this.#view = view;
    const files = new StaticFiles(options.bundleDir);
    const router = new Router();
    this.#throughput = new ThroughputSampler(() => view.trafficTotals(), view.sampleIntervalMs);
    this.#lag = new LagSampler(() => this.#admin(), view.sampleIntervalMs, log);
    const deps: ConsoleDeps = { cluster: () => this.#connect(), admin: () => this.#admin(), view, throughput: this.#throughput, lag: this.#lag };
    registerClusterRoutes(router, deps);
    registerTopicRoutes(router, deps);
    registerMessageRoutes(router, deps);
    registerGroupRoutes(router, deps);
    const failures = new RateLimitedLog(log);
    const loopbackOnly = isLoopbackHost(view.httpHost);
    this.routes = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> => {
      if (path !== '/' && path !== '/console' && !path.startsWith('/console/') && !path.startsWith('/api/')) return false;
      try {
        guardRequest(request, loopbackOnly, path.startsWith('/api/'));
        if (path.startsWith('/api/')) {
          this.#lag.touch();
          const { handler, params } = router.match(request.method ?? 'GET', path);
          const query = new Query(new URL(request.url ?? '/', 'http://console').searchParams);
          const body = await handler({ request, response, params, query });
          if (!response.headersSent) sendJson(response, response.statusCode === 201 ? 201 : 200, body);
          return true;
        }
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          response.setHeader('allow', 'GET, HEAD');
          sendJson(response, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'the console pages are read with GET' } });
          return true;
        }
        if (path === '/' || path === '/console') {
          response.statusCode = 302;
          response.setHeader('location', '/console/');
          response.end();
          return true;
        }
        return files.serve(request, response, path.slice('/console/'.length));
      } catch (error) {
        const { status, body } = errorResponse(error);
        if (status >= 500) failures.write('warn', `console-${body.error.code}`, { err: error, path }, 'console request failed');
        if (response.headersSent) response.destroy();
        else sendJson(response, status, body);
        return true;
      }
    };
  }

  /** Starts the throughput sampler (counters in memory); lag sampling starts with the first API request. */
  start(): void {
    this.#throughput.start();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#throughput.stop();
    await this.#lag.stop();
    const cluster = await this.#cluster?.catch(() => null);
    cluster?.close();
  }

  /** The client connection to the broker's Kafka port, opened on first use and again after a failure. */
  #connect(): Promise<Cluster> {
    if (this.#closed) return Promise.reject(new ConsoleApiError(503, 'BROKER_UNAVAILABLE', 'the broker is shutting down'));
    this.#cluster ??= Cluster.connect({ bootstrap: this.#view.bootstrap, clientId: 'spate-console' });
    const opening = this.#cluster;
    opening.catch(() => {
      if (this.#cluster === opening) this.#cluster = null;
    });
    return opening;
  }

  async #admin(): Promise<Admin> {
    return new Admin(await this.#connect());
  }
}
