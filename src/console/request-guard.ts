// Keeps other web pages out of the console API. A page the operator visits could otherwise make the browser
// send requests to the console on 127.0.0.1 (cross-site request forgery) or, through a DNS name that resolves
// to 127.0.0.1, read its answers (DNS rebinding). So: on a loopback listener the Host header must name a
// loopback address; a request that changes something must send JSON (which a cross-site form cannot without a
// CORS preflight, which the console never allows) and, when the browser says where it comes from, come from
// the console's own origin. API requests a browser marks as sent by another site (Sec-Fetch-Site), such as an
// <img> pointing at a message scan, are refused too: they could not read the answer, but would cost the work.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { ConsoleApiError } from './api-error.js';

export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/** The host part of a Host header ("127.0.0.1:9644" -> "127.0.0.1", "[::1]:9644" -> "[::1]"). */
function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon >= 0 ? hostHeader.slice(0, colon) : hostHeader;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

const OWN_SITE = new Set(['same-origin', 'none']);

/** Throws a 403 (or 415) for a request the console must not serve; `api`: a /api/ request (not a page). */
export function guardRequest(request: IncomingMessage, loopbackOnly: boolean, api: boolean): void {
  const host = request.headers.host ?? '';
  if (loopbackOnly && !isLoopbackHost(hostName(host))) {
    throw new ConsoleApiError(403, 'FORBIDDEN', `the console on a loopback address answers only requests for a loopback host name, not "${host}"`);
  }
  const site = request.headers['sec-fetch-site'];
  if (api && typeof site === 'string' && !OWN_SITE.has(site)) {
    throw new ConsoleApiError(403, 'FORBIDDEN', `API request sent by another site (Sec-Fetch-Site: ${site}) refused`);
  }
  const method = request.method ?? 'GET';
  if (SAFE_METHODS.has(method)) return;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    throw new ConsoleApiError(403, 'FORBIDDEN', `cross-origin request from ${origin} refused`);
  }
  const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (hasBody && type !== 'application/json') {
    throw new ConsoleApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'requests that change something must send content-type: application/json');
  }
}
