// Reading and writing JSON over node:http for the console API: a request body read under a byte limit,
// JSON answers that are never cached, and typed access to query parameters.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, ConsoleApiError } from './api-error.js';

/** Largest request body the API reads (a produced message of message.max.bytes fits, base64 included). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(text));
  response.setHeader('cache-control', 'no-store');
  response.setHeader('x-content-type-options', 'nosniff');
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

/** The parsed JSON body; 413 past `limit` bytes (the rest is not read), 400 when it is not JSON. */
export async function readJsonBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > limit) throw new ConsoleApiError(413, 'PAYLOAD_TOO_LARGE', `request body of ${declared} bytes is over the ${limit}-byte limit`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      request.destroy();
      throw new ConsoleApiError(413, 'PAYLOAD_TOO_LARGE', `request body is over the ${limit}-byte limit`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`request body is not JSON: ${(error as Error).message}`);
  }
}

/** Query parameters with checked conversions; every failure is a 400 naming the parameter. */
export class Query {
  readonly #params: URLSearchParams;

  constructor(params: URLSearchParams) {
    this.#params = params;
  }

  string(name: string): string | undefined {
    const value = this.#params.get(name);
    return value === null || value === '' ? undefined : value;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw badRequest(`query parameter ${name} must be an integer from ${min} to ${max}, got "${text}"`);
    return n;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const text = this.string(name);
    if (text === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(text)) throw badRequest(`query parameter ${name} must be one of ${allowed.join(', ')}, got "${text}"`);
    return text as T;
  }
}

/** Narrowing helpers for request bodies: each throws a 400 naming the field. */
export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

export function optionalString(body: Record<string, unknown>, field: string): string | null | undefined {
  const value = body[field];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') throw badRequest(`${field} must be a string or null`);
  return value;
}

export function optionalInteger(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw badRequest(`${field} must be an integer from ${min} to ${max}`);
  return value;
}

export function stringRecord(value: unknown, field: string): Record<string, string> {
  const record = asObject(value ?? {}, field);
  for (const [k, v] of Object.entries(record)) if (typeof v !== 'string') throw badRequest(`${field}.${k} must be a string`);
  return record as Record<string, string>;
}

export function stringList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw badRequest(`${field} must be a list of strings`);
  return value as string[];
}
