// The console's front-end: the files esbuild wrote to dist/console/ at build time, read once into memory and
// served under /console/. Nothing is fetched from elsewhere at run time, and the Content-Security-Policy says so.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/console/, next to dist/src/ where this module runs from. */
export const DEFAULT_BUNDLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

const SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ['content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
];

interface StaticFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

export class StaticFiles {
  readonly #files = new Map<string, StaticFile>();
  readonly #dir: string;

  constructor(dir = DEFAULT_BUNDLE_DIR) {
    this.#dir = dir;
    if (existsSync(dir)) this.#load(dir);
  }

  get built(): boolean {
    return this.#files.has('index.html');
  }

  #load(dir: string): void {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        this.#load(path);
        continue;
      }
      const body = readFileSync(path);
      const key = relative(this.#dir, path).split(sep).join('/');
      this.#files.set(key, {
        body,
        contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
        etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
      });
    }
  }

  /** Answers GET/HEAD of `file` (relative to /console/, '' = index.html); false when there is no such file. */
  serve(request: IncomingMessage, response: ServerResponse, file: string): boolean {
    if (!this.built) {
      response.statusCode = 503;
      response.setHeader('content-type', 'text/plain; charset=utf-8');
      response.end(`the console front-end is not built (no ${join(this.#dir, 'index.html')}): run npm run build\n`);
      return true;
    }
    const found = this.#files.get(file === '' ? 'index.html' : file);
    if (found === undefined) return false;
    for (const [name, value] of SECURITY_HEADERS) response.setHeader(name, value);
    response.setHeader('content-type', found.contentType);
    response.setHeader('etag', found.etag);
    // Revalidated on every load (the ETag makes that a 304): a broker upgrade is seen at once.
    response.setHeader('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === found.etag) {
      response.statusCode = 304;
      response.end();
      return true;
    }
    response.statusCode = 200;
    response.setHeader('content-length', found.body.length);
    response.end(request.method === 'HEAD' ? undefined : found.body);
    return true;
  }
}
