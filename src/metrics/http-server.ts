// The metrics HTTP endpoint: /metrics (Prometheus text), /health (the process answers), /ready (the broker
// listens and every partition worker is alive). Plain node:http; it never touches the Kafka listener.
import { listenError } from '../errors.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export interface MetricsEndpoint {
  scrape(): Promise<string>;
  readonly contentType: string;
  /** null when ready, otherwise why not. */
  notReadyReason(): string | null;
}

/**
 * More routes on the same port (the web console registers its own from the broker layer). Asked before the
 * built-in paths, with the path (no query); resolves true when it answered the request.
 */
export type HttpRoutes = (request: IncomingMessage, response: ServerResponse, path: string) => Promise<boolean>;

export class MetricsServer {
  readonly #server: Server;
  readonly #log: Logger;
  readonly #routes: HttpRoutes[] = [];
  #port = -1;

  constructor(endpoint: MetricsEndpoint, log: Logger) {
    this.#log = log;
    this.#server = createServer((request, response) => {
      this.#handle(endpoint, request, response).catch((error: unknown) => {
        log.warn({ err: error }, 'metrics request failed');
        if (!response.headersSent) respond(response, 500, 'text/plain; charset=utf-8', `scrape failed: ${(error as Error).message}\n`);
        else response.destroy();
      });
    });
    // Scrapers keep connections alive between scrapes; they must not hold the broker's close().
    this.#server.keepAliveTimeout = 5000;
  }

  /** Adds routes asked before /metrics, /health and /ready. */
  mount(routes: HttpRoutes): void {
    this.#routes.push(routes);
  }

  get port(): number {
    return this.#port;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(listenError('metrics endpoint', host, port, error));
      this.#server.once('error', onError);
      this.#server.listen({ host, port }, () => {
        this.#server.off('error', onError);
        this.#server.on('error', (error) => this.#log.error({ err: error }, 'metrics listener error'));
        const address = this.#server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('metrics listener has no TCP address'));
          return;
        }
        this.#port = address.port;
        resolve(address.port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(endpoint: MetricsEndpoint, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    for (const routes of this.#routes) if (await routes(request, response, path)) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      respond(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    switch (path) {
      case '/metrics':
        respond(response, 200, endpoint.contentType, await endpoint.scrape());
        return;
      case '/health':
        respond(response, 200, 'text/plain; charset=utf-8', 'ok\n');
        return;
      case '/ready': {
        const reason = endpoint.notReadyReason();
        if (reason === null) respond(response, 200, 'text/plain; charset=utf-8', 'ready\n');
        else respond(response, 503, 'text/plain; charset=utf-8', `not ready: ${reason}\n`);
        return;
      }
      default:
        respond(response, 404, 'text/plain; charset=utf-8', 'not found (try /metrics, /health or /ready)\n');
    }
  }
}

function respond(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.statusCode = status;
  response.setHeader('content-type', contentType);
  response.setHeader('content-length', Buffer.byteLength(body));
  response.setHeader('cache-control', 'no-store');
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
