// The message browser's scan: reads a topic's partitions through Spate's own consumer (Fetch over the Kafka
// port), oldest first from a position or newest first backwards from one, keeps the records that pass the
// substring filter and the predicate, and stops at the page size or at a scan bound (records, bytes, time),
// whichever comes first. Only previews of the kept records are held, never whole fetched batches.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Consumer, type Cluster, type Message, type RecordHeader } from '../client/index.js';
import type { EncodedBytes, MessageView, ScanLimit } from './api-types.js';
import type { PredicateFilter } from './predicate-filter.js';
import type { PredicateRecord } from './predicate-sandbox.js';

export const SCAN_LIMITS = {
  /** Records and key/value/header bytes one request may read, and how long it may take. */
  maxRecords: 100_000,
  maxBytes: 64 * 1024 * 1024,
  maxMs: 5000,
  /** Bytes of one Fetch response, and of one partition in it (a larger batch still comes whole, KIP-74). */
  fetchMaxBytes: 8 * 1024 * 1024,
  fetchPartitionMaxBytes: 1024 * 1024,
  /** Preview bytes (keys, values, header values) one answer holds; a single message is always returned. */
  maxPageBytes: 8 * 1024 * 1024,
} as const;

export type ScanOrder = 'oldest' | 'newest';

export interface ScanRequest {
  topic: string;
  order: ScanOrder;
  /** Per partition: the first offset to read (oldest) or the offset to read before (newest). */
  positions: ReadonlyMap<number, number>;
  /** Per partition, the log start and end offsets. */
  ranges: ReadonlyMap<number, { start: number; end: number }>;
  limit: number;
  /** Bytes of each key, value and header value kept in the answer. */
  previewBytes: number;
  /** Case-insensitive substring of the key, the value or a header key or value; null = none. */
  substring: string | null;
  predicate: PredicateFilter | null;
}

export interface ScanResult {
  messages: MessageView[];
  cursors: Map<number, number>;
  scanned: { records: number; bytes: number };
  limitHit: ScanLimit | null;
  predicateErrors: number;
  firstPredicateError: string | null;
}

class Budget {
  records = 0;
  bytes = 0;
  /** Preview bytes of the messages currently kept. */
  pageBytes = 0;
  readonly #deadline = performance.now() + SCAN_LIMITS.maxMs;
  hit: ScanLimit | null = null;
  predicateErrors = 0;
  firstPredicateError: string | null = null;

  /** The leading records that fit in what is left of the record and byte bounds (counted as read). */
  take(records: Message[]): Message[] {
    let n = 0;
    while (n < records.length && this.records < SCAN_LIMITS.maxRecords && this.bytes < SCAN_LIMITS.maxBytes) {
      this.records++;
      this.bytes += recordBytes(records[n]!);
      n++;
    }
    return n === records.length ? records : records.slice(0, n);
  }

  exhausted(): boolean {
    if (this.hit !== null) return true;
    if (this.records >= SCAN_LIMITS.maxRecords) this.hit = 'records';
    else if (this.bytes >= SCAN_LIMITS.maxBytes || this.pageBytes >= SCAN_LIMITS.maxPageBytes) this.hit = 'bytes';
    else if (performance.now() >= this.#deadline) this.hit = 'time';
    return this.hit !== null;
  }
}

export async function scanMessages(cluster: Cluster, request: ScanRequest): Promise<ScanResult> {
  const budget = new Budget();
  const perPartition = new Map<number, { messages: MessageView[]; cursor: number }>();
  for (const [partition, position] of request.positions) {
    const range = request.ranges.get(partition) ?? { start: 0, end: position };
    const scanned =
      request.order === 'oldest'
        ? await scanForward(cluster, request, partition, Math.max(position, range.start), range.end, request.limit, budget)
        : await scanBackward(cluster, request, partition, Math.min(position, range.end), range.start, budget);
    perPartition.set(partition, scanned);
  }
  // One page across partitions: by timestamp (then partition, offset), cut at the limit; a partition whose
  // messages were cut resumes at the first one left out.
  const all = [...perPartition.values()].flatMap((p) => p.messages);
  const direction = request.order === 'oldest' ? 1 : -1;
  all.sort((a, b) => direction * (a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset));
  const kept = all.slice(0, request.limit);
  const cursors = new Map<number, number>();
  for (const [partition, p] of perPartition) cursors.set(partition, p.cursor);
  for (const left of all.slice(request.limit)) {
    const resume = request.order === 'oldest' ? left.offset : left.offset + 1;
    const current = cursors.get(left.partition)!;
    cursors.set(left.partition, request.order === 'oldest' ? Math.min(current, resume) : Math.max(current, resume));
  }
  return {
    messages: kept,
    cursors,
    scanned: { records: budget.records, bytes: budget.bytes },
    limitHit: budget.hit,
    predicateErrors: budget.predicateErrors,
    firstPredicateError: budget.firstPredicateError,
  };
}

/**
 * Matches in [from, to) in offset order, at most `want` (stopping there), or with `keepLast` the last ones only
 * (reading on to `to`); the cursor is the offset after the last record read.
 */
async function scanForward(
  cluster: Cluster,
  request: ScanRequest,
  partition: number,
  from: number,
  to: number,
  want: number,
  budget: Budget,
  keepLast = Number.MAX_SAFE_INTEGER,
): Promise<{ messages: MessageView[]; cursor: number }> {
  const messages: MessageView[] = [];
  let cursor = from;
  if (from >= to || want <= 0) return { messages, cursor };
  const consumer = new Consumer(cluster, {
    maxWaitMs: 0,
    resetPolicy: 'earliest',
    maxBytes: SCAN_LIMITS.fetchMaxBytes,
    partitionMaxBytes: SCAN_LIMITS.fetchPartitionMaxBytes,
  });
  consumer.assign([{ topic: request.topic, partition, offset: from }]);
  let idlePolls = 0;
  while (cursor < to && messages.length < want && !budget.exhausted()) {
    const fetched = budget.take((await consumer.poll()).filter((m) => m.offset >= cursor && m.offset < to));
    if (fetched.length === 0 && budget.exhausted()) break;
    if (fetched.length === 0) {
      const position = consumer.positions()[0]?.offset;
      if (position !== undefined && position > cursor) {
        // Only control batches, or a log start that moved past the cursor.
        cursor = Math.min(position, to);
        idlePolls = 0;
        continue;
      }
      if (++idlePolls >= 3) break;
      continue;
    }
    idlePolls = 0;
    const matched = await matchRecords(request, fetched, budget);
    for (let i = 0; i < fetched.length; i++) {
      const m = fetched[i]!;
      cursor = m.offset + 1;
      if (matched[i]) {
        const view = toView(m, request.previewBytes);
        messages.push(view);
        budget.pageBytes += viewBytes(view);
        if (messages.length > keepLast) budget.pageBytes -= viewBytes(messages.shift()!);
        if (messages.length >= want || budget.exhausted()) break;
      }
    }
  }
  return { messages, cursor };
}

/**
 * Matches before `before`, newest first, at most the page size: windows of growing size are read forwards,
 * walking back towards the log start. The cursor is the offset to read before on the next page.
 */
async function scanBackward(
  cluster: Cluster,
  request: ScanRequest,
  partition: number,
  before: number,
  logStart: number,
  budget: Budget,
): Promise<{ messages: MessageView[]; cursor: number }> {
  const messages: MessageView[] = [];
  let upper = before;
  let window = Math.max(request.limit * 2, 32);
  while (upper > logStart && messages.length < request.limit && !budget.exhausted()) {
    const lower = Math.max(logStart, upper - window);
    const need = request.limit - messages.length;
    const found = await scanForward(cluster, request, partition, lower, upper, Number.MAX_SAFE_INTEGER, budget, need);
    if (found.cursor < upper && budget.hit !== null) {
      // The bound stopped this window part-way: what it found is older than what it skipped, so drop it.
      for (const dropped of found.messages) budget.pageBytes -= viewBytes(dropped);
      return { messages, cursor: upper };
    }
    messages.push(...found.messages.reverse());
    if (messages.length >= request.limit) return { messages, cursor: messages[messages.length - 1]!.offset };
    upper = lower;
    window = Math.min(window * 4, 50_000);
  }
  return { messages, cursor: upper };
}

async function matchRecords(request: ScanRequest, records: readonly Message[], budget: Budget): Promise<boolean[]> {
  let matches = records.map(() => true);
  if (request.substring !== null) {
    const needle = request.substring.toLowerCase();
    matches = records.map((m) => containsText(m, needle));
    await yieldToEventLoop();
  }
  if (request.predicate !== null) {
    const candidates = records.filter((_, i) => matches[i]);
    if (candidates.length > 0) {
      const result = await request.predicate.evaluate(candidates.map((m) => predicateRecord(request.topic, m)));
      budget.predicateErrors += result.errors;
      budget.firstPredicateError ??= result.firstError;
      let j = 0;
      matches = matches.map((m) => (m ? result.matches[j++] === true : false));
    }
  }
  return matches;
}

function viewBytes(v: MessageView): number {
  let n = (v.key?.base64.length ?? 0) + (v.value?.base64.length ?? 0);
  for (const h of v.headers) n += h.key.length + (h.value?.base64.length ?? 0);
  return n;
}

function recordBytes(m: Message): number {
  let n = (m.key?.length ?? 0) + (m.value?.length ?? 0);
  for (const h of m.headers) n += h.key.length + (h.value?.length ?? 0);
  return n;
}

function text(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}

function containsText(m: Message, needle: string): boolean {
  if (text(m.key)?.toLowerCase().includes(needle) === true) return true;
  if (text(m.value)?.toLowerCase().includes(needle) === true) return true;
  return m.headers.some((h) => h.key.toLowerCase().includes(needle) || text(h.value)?.toLowerCase().includes(needle) === true);
}

function predicateRecord(topic: string, m: Message): PredicateRecord {
  const headers: Record<string, string | null> = {};
  for (const h of m.headers) headers[h.key] = text(h.value);
  return { topic, partition: m.partition, offset: m.offset, timestamp: m.timestamp, key: text(m.key), value: text(m.value), headers };
}

export function encodeBytes(b: Buffer | Uint8Array | null, previewBytes: number): EncodedBytes | null {
  if (b === null) return null;
  const kept = b.length > previewBytes ? b.subarray(0, previewBytes) : b;
  return { size: b.length, base64: Buffer.from(kept.buffer, kept.byteOffset, kept.length).toString('base64'), truncated: kept.length < b.length };
}

function toView(m: Message, previewBytes: number): MessageView {
  return {
    partition: m.partition,
    offset: m.offset,
    timestamp: m.timestamp,
    timestampType: m.timestampType,
    key: encodeBytes(m.key, previewBytes),
    value: encodeBytes(m.value, previewBytes),
    headers: m.headers.map((h: RecordHeader) => ({ key: h.key, value: encodeBytes(h.value, previewBytes) })),
  };
}
