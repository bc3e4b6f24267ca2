// A small route table for the JSON API: method + path pattern with :named segments (percent-decoded).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, ConsoleApiError } from './api-error.js';
import type { Query } from './http-json.js';

export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  params: Record<string, string>;
  query: Query;
}

/** A handler returns the JSON body of a 200 answer, or answers by itself and returns undefined. */
export type RouteHandler = (context: RouteContext) => Promise<unknown>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

export class Router {
  readonly #routes: Route[] = [];

  add(method: string, path: string, handler: RouteHandler): this {
    const names: string[] = [];
    const source = path
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(segment.slice(1));
        return '([^/]+)';
      })
      .join('/');
    this.#routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  /** The handler and parameters for a request; 404 for an unknown path, 405 for a known path and another method. */
  match(method: string, path: string): { handler: RouteHandler; params: Record<string, string> } {
    let pathKnown = false;
    for (const route of this.#routes) {
      const m = route.pattern.exec(path);
      if (m === null) continue;
      pathKnown = true;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(m[i + 1]!);
        } catch {
          throw badRequest(`path segment ${name} is not valid percent-encoding`);
        }
      });
      return { handler: route.handler, params };
    }
    if (pathKnown) throw new ConsoleApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
    throw new ConsoleApiError(404, 'NOT_FOUND', `no API route ${path}`);
  }
}
