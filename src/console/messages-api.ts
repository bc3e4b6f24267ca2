// /api/v1/topics/:topic/messages: browse (by partition, from an offset or a timestamp, oldest or newest first,
// filtered by a substring or a JavaScript predicate), one whole message, and produce.
import { listOffsets, Producer, type Cluster } from '../client/index.js';
import { badRequest, ConsoleApiError, notFound } from './api-error.js';
import type { MessagePage, ProduceResult } from './api-types.js';
import type { ConsoleDeps } from './deps.js';
import { asObject, optionalInteger, optionalString, readJsonBody, type Query } from './http-json.js';
import { scanMessages, type ScanOrder } from './message-scan.js';
import { PredicateFilter } from './predicate-filter.js';
import { MAX_PREDICATE_LENGTH } from './predicate-sandbox.js';
import type { Router } from './router.js';

export const BROWSE_LIMITS = {
  maxPageSize: 500,
  defaultPageSize: 50,
  defaultPreviewBytes: 1024,
  maxPreviewBytes: 64 * 1024,
  /** Scans running at once; more are answered 429 (each holds at most a fetch response and a page of previews). */
  maxConcurrentScans: 4,
} as const;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A partition's whole message is at most this big in an answer (the broker's default message.max.bytes is 1 MiB). */
const MAX_WHOLE_MESSAGE_BYTES = 16 * 1024 * 1024;

export function registerMessageRoutes(router: Router, deps: ConsoleDeps): void {
  let scans = 0;
  const limited = async <T>(run: () => Promise<T>): Promise<T> => {
    if (scans >= BROWSE_LIMITS.maxConcurrentScans) throw new ConsoleApiError(429, 'BUSY', `${scans} message scans are running; try again in a moment`);
    scans++;
    try {
      return await run();
    } finally {
      scans--;
    }
  };

  router.add('GET', '/api/v1/topics/:topic/messages', ({ params, query }) => limited(() => browse(deps, params['topic']!, query)));

  router.add('GET', '/api/v1/topics/:topic/partitions/:partition/messages/:offset', ({ params }) =>
    limited(async () => {
      const topic = params['topic']!;
      const partition = pathInteger(params['partition']!, 'partition');
      const offset = pathInteger(params['offset']!, 'offset');
      const cluster = await deps.cluster();
      const info = await cluster.topic(topic, { refresh: true });
      if (!info.partitions.some((p) => p.partition === partition)) throw notFound(`topic ${topic} has no partition ${partition}`);
      const [start, end] = await partitionRange(cluster, topic, [partition]);
      const range = { start: start.get(partition) ?? 0, end: end.get(partition) ?? 0 };
      if (offset < range.start || offset >= range.end) throw notFound(`${topic}-${partition} has no offset ${offset} (it holds ${range.start} to ${range.end - 1})`);
      const page = await scanMessages(cluster, {
        topic,
        order: 'oldest',
        positions: new Map([[partition, offset]]),
        ranges: new Map([[partition, { start: range.start, end: offset + 1 }]]),
        limit: 1,
        previewBytes: MAX_WHOLE_MESSAGE_BYTES,
        substring: null,
        predicate: null,
      });
      const message = page.messages[0];
      if (message === undefined || message.offset !== offset) throw notFound(`${topic}-${partition} has no record at offset ${offset} (compacted away or a control record)`);
      return message;
    }),
  );

  router.add('POST', '/api/v1/topics/:topic/messages', async ({ request, params, response }): Promise<ProduceResult> => {
    const body = asObject(await readJsonBody(request), 'the request body');
    const encoding = body['encoding'] ?? 'text';
    if (encoding !== 'text' && encoding !== 'base64') throw badRequest('encoding must be text or base64');
    const bytes = (text: string | null | undefined): Buffer | null => {
      if (text === null || text === undefined) return null;
      // Buffer.from skips characters that are not base64; a typo must not produce other bytes than meant.
      if (encoding === 'base64' && !BASE64.test(text)) throw badRequest('a key, value or header value is not valid base64');
      return Buffer.from(text, encoding === 'base64' ? 'base64' : 'utf8');
    };
    const headersIn = body['headers'] ?? [];
    if (!Array.isArray(headersIn)) throw badRequest('headers must be a list of { key, value }');
    const headers = headersIn.map((h: unknown, i) => {
      const header = asObject(h, `headers[${i}]`);
      const key = header['key'];
      if (typeof key !== 'string' || key === '') throw badRequest(`headers[${i}].key must be a non-empty string`);
      return { key, value: bytes(optionalString(header, 'value')) };
    });
    const partition = optionalInteger(body, 'partition', 0, 2_147_483_647);
    const producer = new Producer(await deps.cluster(), { acks: -1 });
    const [result] = await producer.send(params['topic']!, [
      { key: bytes(optionalString(body, 'key')), value: bytes(optionalString(body, 'value')), headers, ...(partition !== undefined ? { partition } : {}) },
    ]);
    response.statusCode = 201;
    return { partition: result!.partition, offset: result!.baseOffset };
  });
}

async function browse(deps: ConsoleDeps, topic: string, query: Query): Promise<MessagePage> {
  const order = query.oneOf<ScanOrder>('order', ['oldest', 'newest'], 'oldest');
  const limit = query.integer('limit', 1, BROWSE_LIMITS.maxPageSize) ?? BROWSE_LIMITS.defaultPageSize;
  const previewBytes = query.integer('previewBytes', 0, BROWSE_LIMITS.maxPreviewBytes) ?? BROWSE_LIMITS.defaultPreviewBytes;
  const substring = query.string('filter') ?? null;
  const source = query.string('predicate') ?? null;
  if (source !== null && source.length > MAX_PREDICATE_LENGTH) throw badRequest(`predicate is ${source.length} characters; at most ${MAX_PREDICATE_LENGTH}`);
  const cluster = await deps.cluster();
  const info = await cluster.topic(topic, { refresh: true });
  const all = info.partitions.map((p) => p.partition);
  const partitionText = query.string('partition') ?? 'all';
  let partitions = all;
  if (partitionText !== 'all') {
    const p = Number(partitionText);
    if (!Number.isInteger(p) || !all.includes(p)) throw badRequest(`partition must be "all" or one of ${all.join(', ')}, got "${partitionText}"`);
    partitions = [p];
  }
  const [starts, ends] = await partitionRange(cluster, topic, partitions);
  const ranges = new Map(partitions.map((p) => [p, { start: starts.get(p) ?? 0, end: ends.get(p) ?? 0 }]));
  const positions = await startPositions(cluster, topic, partitions, ranges, order, query);
  const predicate = source === null ? null : await PredicateFilter.start(source);
  try {
    const result = await scanMessages(cluster, { topic, order, positions, ranges, limit, previewBytes, substring, predicate });
    return {
      messages: result.messages,
      cursors: Object.fromEntries(result.cursors),
      ranges: Object.fromEntries(ranges),
      scanned: result.scanned,
      limitHit: result.limitHit,
      predicateErrors: result.predicateErrors,
      firstPredicateError: result.firstPredicateError,
    };
  } finally {
    await predicate?.close();
  }
}

function partitionRange(cluster: Cluster, topic: string, partitions: number[]): Promise<[Map<number, number>, Map<number, number>]> {
  return Promise.all([listOffsets(cluster, topic, partitions, 'earliest'), listOffsets(cluster, topic, partitions, 'latest')]);
}

/**
 * Where each partition's scan starts. `offsets=p:o,...` (the cursors of a previous page) wins; otherwise
 * `from`: earliest, latest, offset:N or timestamp:MS. Newest first reads before the position: from offset:N
 * shows N and older, from timestamp:MS the records before the first one at or after MS.
 */
async function startPositions(
  cluster: Cluster,
  topic: string,
  partitions: number[],
  ranges: Map<number, { start: number; end: number }>,
  order: ScanOrder,
  query: Query,
): Promise<Map<number, number>> {
  const positions = new Map<number, number>();
  const from = query.string('from') ?? (order === 'oldest' ? 'earliest' : 'latest');
  let target: (p: number) => number;
  if (from === 'earliest') target = (p) => ranges.get(p)!.start;
  else if (from === 'latest') target = (p) => ranges.get(p)!.end;
  else if (from.startsWith('offset:')) {
    const offset = integerText(from.slice(7), 'from=offset:N');
    target = () => (order === 'oldest' ? offset : offset + 1);
  } else if (from.startsWith('timestamp:')) {
    const timestamp = integerText(from.slice(10), 'from=timestamp:MS');
    const byTime = await listOffsets(cluster, topic, partitions, { timestamp });
    target = (p) => byTime.get(p) ?? ranges.get(p)!.end;
  } else {
    throw badRequest(`from must be earliest, latest, offset:N or timestamp:MS, got "${from}"`);
  }
  for (const p of partitions) positions.set(p, target(p));
  const cursorText = query.string('offsets');
  if (cursorText !== undefined) {
    for (const item of cursorText.split(',')) {
      const [p, o] = item.split(':');
      const partition = integerText(p ?? '', 'offsets');
      if (!positions.has(partition)) continue;
      positions.set(partition, integerText(o ?? '', 'offsets'));
    }
  }
  return positions;
}

function integerText(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw badRequest(`${what} needs a non-negative integer, got "${text}"`);
  return n;
}

function pathInteger(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw badRequest(`${what} must be a non-negative integer, got "${text}"`);
  return n;
}
