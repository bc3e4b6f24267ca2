// Deterministic test messages and a verifier for what came back.
//
// generateMessages() builds a reproducible set of keyed messages (same seed => same bytes) that exercises
// what a broker must carry untouched: binary keys and values with every byte value, null and empty keys
// and values, large values, headers (duplicate names, empty and null values, non-ASCII names) and explicit
// CreateTime timestamps, some of them out of order. Every message is unique: whichever of key and value is
// not null/empty carries a fixed-width marker with the message's index, so a consumed set can be matched
// back to the produced one even when the client's partitioner picked the partitions.
//
// verifyConsumed() checks a consumed set against the produced one: every message exactly once, per
// partition in produced order with increasing (by default contiguous) offsets, identical key, value and
// header bytes, and the expected timestamps and timestamp type.

export interface MessageHeader {
  key: string;
  value: Buffer | null;
}

export interface ProducedMessage {
  /** Position in the producer's send order. */
  index: number;
  /** Explicit partition; undefined lets the producing client's partitioner choose. */
  partition?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: MessageHeader[];
  /** CreateTime in epoch ms; undefined lets the producer stamp it (checked against a time window). */
  timestamp?: number;
}

export type TimestampType = 'create' | 'log-append';

export interface ConsumedMessage {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: MessageHeader[];
  timestamp: number;
  /** What the consumer reported, when it reports it. */
  timestampType?: TimestampType | 'none';
}

export interface TimestampOptions {
  /** Timestamp of message 0; default 1_700_000_000_000. */
  base?: number;
  /** Increment per message; default 1 ms. */
  stepMs?: number;
  /** Give about 2 % of the messages a timestamp up to 5 s earlier than their neighbours; default true. */
  outOfOrder?: boolean;
}

export interface GenerateOptions {
  count: number;
  /** Default 1. */
  seed?: number;
  /** Assign explicit partitions in [0, partitions): keyed messages by a hash of the key, others at random. */
  partitions?: number;
  /** Distinct keys that ordinary messages are drawn from; default 48. */
  keyPool?: number;
  /** Allow binary keys, values and header values (all 256 byte values, invalid UTF-8); default true. */
  binary?: boolean;
  /** Default true for each. */
  nullKeys?: boolean;
  emptyKeys?: boolean;
  nullValues?: boolean;
  emptyValues?: boolean;
  /** About 0.5 % of values 4-32 KiB; default true. */
  largeValues?: boolean;
  /**
   * 'per-message' (default): 0-4 random headers per message. 'none': no headers.
   * { segments: n }: the messages form n contiguous segments; all messages of a segment share one header
   * set, and null values occur only in even segments while empty keys/values occur only in odd ones. This
   * suits producers such as kcat that fix headers and null handling per invocation.
   */
  headers?: 'per-message' | 'none' | { segments: number };
  /** Allow null header values; default true. */
  nullHeaderValues?: boolean;
  /** Explicit CreateTime timestamps (default), or false to let the producer stamp messages. */
  timestamps?: false | TimestampOptions;
  /** Byte sequences that must never occur in a key or value (e.g. a CLI producer's delimiters). */
  avoid?: Array<string | Buffer>;
}

// ------------------------------------------------------------------ deterministic randomness

/** A small seeded PRNG (32-bit state, multiply-xorshift output); good enough to vary test data. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = (seed ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  uint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.uint32() & 0xff;
    return out;
  }
}

// ------------------------------------------------------------------ generation

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'Straße', 'café', 'naïve', '日本語', 'данные', 'emoji🚀', 'tab\there', 'quote"', 'back\\slash', 'line\nbreak', 'nul\u0000in-text'];
const HEADER_NAMES = ['trace-id', 'content-type', 'x-ünïcode-näme', 'dup', 'retry-count', 'empty-value', 'null-value'];

/** Fixed-width marker that makes a key or value unique: `#<10-digit index>#`. */
function marker(index: number): string {
  return `#${String(index).padStart(10, '0')}#`;
}

function text(rng: SeededRandom, minWords: number, maxWords: number): string {
  const n = rng.int(minWords, maxWords);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS));
  return words.join(' ');
}

/** Makes sure none of `avoid` occurs in `buf` outside its last `protectedTail` bytes, by nudging bytes. */
function scrub(buf: Buffer, avoid: readonly Buffer[], protectedTail: number): Buffer {
  for (let rounds = 0; rounds < 10_000; rounds++) {
    let changed = false;
    for (const seq of avoid) {
      const at = buf.indexOf(seq);
      if (at < 0) continue;
      if (at >= buf.length - protectedTail) throw new Error(`cannot keep ${JSON.stringify(seq.toString('latin1'))} out of a generated message: it matches the unique marker`);
      buf[at] = (buf[at]! + 1) & 0xff;
      changed = true;
    }
    if (!changed) return buf;
  }
  throw new Error('scrub did not converge');
}

type Kind = 'normal' | 'nullKey' | 'emptyKey' | 'nullValue' | 'emptyValue';

function fnv1a(buf: Buffer): number {
  let h = 0x811c9dc5;
  for (const b of buf) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

function headerValue(rng: SeededRandom, binary: boolean, allowNull: boolean): Buffer | null {
  const r = rng.next();
  if (allowNull && r < 0.08) return null;
  if (r < 0.16) return Buffer.alloc(0);
  if (binary && r < 0.4) return rng.bytes(rng.int(1, 40));
  return Buffer.from(text(rng, 1, 4), 'utf8');
}

/** Header sets for segment mode: text values only (they travel as command-line arguments). */
function segmentHeaderSets(allowNull: boolean): MessageHeader[][] {
  const h = (key: string, value: string | null): MessageHeader => ({ key, value: value === null ? null : Buffer.from(value, 'utf8') });
  return [
    [h('trace-id', '4bf92f3577b34da6a3ce929d0e0e4736'), h('content-type', 'application/octet-stream')],
    [],
    [h('dup', 'first'), h('dup', 'second'), h('x-ünïcode-näme', 'värde ✓ 日本')],
    [h('empty-value', ''), ...(allowNull ? [h('null-value', null)] : []), h('retry-count', '3')],
  ];
}

/** A reproducible message set; see GenerateOptions. The same options always give the same bytes. */
export function generateMessages(options: GenerateOptions): ProducedMessage[] {
  const rng = new SeededRandom(options.seed ?? 1);
  const binary = options.binary ?? true;
  const allow = {
    nullKey: options.nullKeys ?? true,
    emptyKey: options.emptyKeys ?? true,
    nullValue: options.nullValues ?? true,
    emptyValue: options.emptyValues ?? true,
  };
  const largeValues = options.largeValues ?? true;
  const headerMode = options.headers ?? 'per-message';
  const nullHeaderValues = options.nullHeaderValues ?? true;
  const avoid = (options.avoid ?? []).map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8') : a));
  const ts = options.timestamps === false ? null : { base: 1_700_000_000_000, stepMs: 1, outOfOrder: true, ...options.timestamps };
  const segments = typeof headerMode === 'object' ? headerMode.segments : 0;
  const headerSets = segmentHeaderSets(nullHeaderValues);

  const keyPool: Buffer[] = [];
  for (let k = 0; k < (options.keyPool ?? 48); k++) {
    const style = k % 4;
    let key: Buffer;
    if (style === 3 && binary) key = Buffer.concat([rng.bytes(rng.int(1, 12)), Buffer.from([k & 0xff])]);
    else if (style === 2) key = Buffer.from(`ключ-${k}-ü`, 'utf8');
    else key = Buffer.from(`key-${k}`, 'utf8');
    keyPool.push(scrub(key, avoid, 0));
  }
  // Pool keys must stay distinct after scrubbing, or per-key order would be ambiguous.
  if (new Set(keyPool.map((k) => k.toString('hex'))).size !== keyPool.length) throw new Error('generated key pool has duplicates');

  const messages: ProducedMessage[] = [];
  for (let index = 0; index < options.count; index++) {
    const segment = segments > 0 ? Math.floor((index * segments) / options.count) : -1;
    const nullsHere = segments === 0 || segment % 2 === 0;
    const emptiesHere = segments === 0 || segment % 2 === 1;

    const r = rng.next();
    let kind: Kind = 'normal';
    if (r < 0.03 && allow.nullKey) kind = 'nullKey';
    else if (r < 0.04 && allow.emptyKey && emptiesHere) kind = 'emptyKey';
    else if (r < 0.07 && allow.nullValue && nullsHere) kind = 'nullValue';
    else if (r < 0.08 && allow.emptyValue && emptiesHere) kind = 'emptyValue';

    const unique = marker(index);
    const uniqueBytes = (): Buffer => {
      if (binary && rng.chance(0.3)) return scrub(Buffer.concat([rng.bytes(rng.int(1, 24)), Buffer.from(unique)]), avoid, unique.length);
      return scrub(Buffer.from(`${text(rng, 0, 2)}${unique}`, 'utf8'), avoid, unique.length);
    };

    let key: Buffer | null;
    let value: Buffer | null;
    if (kind === 'nullValue' || kind === 'emptyValue') {
      key = uniqueBytes();
      value = kind === 'nullValue' ? null : Buffer.alloc(0);
    } else {
      key = kind === 'nullKey' ? null : kind === 'emptyKey' ? Buffer.alloc(0) : rng.pick(keyPool);
      let body: Buffer;
      const large = largeValues && rng.chance(0.005);
      const size = large ? rng.int(4096, 32768) : rng.int(0, 300);
      if (binary && rng.chance(0.35)) body = rng.bytes(size);
      else {
        const words: string[] = [];
        let length = 0;
        while (length < size) {
          const w = rng.pick(WORDS);
          words.push(w);
          length += w.length + 1;
        }
        body = Buffer.from(words.join(' '), 'utf8');
      }
      value = scrub(Buffer.concat([body, Buffer.from(unique)]), avoid, unique.length);
    }

    let headers: MessageHeader[] = [];
    if (segments > 0) headers = headerSets[segment % headerSets.length]!;
    else if (headerMode === 'per-message') {
      const n = rng.pick([0, 0, 1, 1, 2, 3, 4]);
      for (let h = 0; h < n; h++) {
        const name = rng.pick(HEADER_NAMES);
        headers.push({ key: name, value: headerValue(rng, binary, nullHeaderValues) });
        if (name === 'dup' && rng.chance(0.5)) headers.push({ key: 'dup', value: headerValue(rng, binary, nullHeaderValues) });
      }
    }

    const message: ProducedMessage = { index, key, value, headers };
    if (options.partitions !== undefined) {
      message.partition = key !== null && key.length > 0 ? fnv1a(key) % options.partitions : rng.int(0, options.partitions - 1);
    }
    if (ts) {
      let t = ts.base + index * ts.stepMs;
      if (ts.outOfOrder && rng.chance(0.02)) t -= rng.int(1, 5000);
      message.timestamp = t;
    }
    messages.push(message);
  }
  return messages;
}

/** Counts of the special cases in a set, so a test can assert that it really exercised them. */
export function describeMessages(messages: readonly ProducedMessage[]): Record<string, number> {
  const isBinary = (b: Buffer | null): boolean => b !== null && !Buffer.from(b.toString('utf8'), 'utf8').equals(b);
  const count = (f: (m: ProducedMessage) => boolean): number => messages.filter(f).length;
  return {
    messages: messages.length,
    nullKeys: count((m) => m.key === null),
    emptyKeys: count((m) => m.key !== null && m.key.length === 0),
    binaryKeys: count((m) => isBinary(m.key)),
    nullValues: count((m) => m.value === null),
    emptyValues: count((m) => m.value !== null && m.value.length === 0),
    binaryValues: count((m) => isBinary(m.value)),
    largeValues: count((m) => m.value !== null && m.value.length >= 4096),
    withHeaders: count((m) => m.headers.length > 0),
    nullHeaderValues: count((m) => m.headers.some((h) => h.value === null)),
    duplicateHeaderNames: count((m) => new Set(m.headers.map((h) => h.key)).size < m.headers.length),
    outOfOrderTimestamps: count((m, ) => m.timestamp !== undefined && m.index > 0 && m.timestamp < messages[m.index - 1]!.timestamp!),
  };
}

// ------------------------------------------------------------------ verification

export interface VerifyOptions {
  /** Partition count of the topic: every consumed partition must be below it. */
  partitions?: number;
  /** Offset the first message of every partition must have, and offsets must then be contiguous.
   *  Default 0 (a fresh topic); null only requires increasing offsets. */
  firstOffset?: number | null;
  /** For messages produced without a timestamp: the producer must have stamped them inside this window. */
  producerTimestampWindow?: { from: number; to: number };
  /** Expected type when the consumer reports one; default 'create'. */
  timestampType?: TimestampType;
  /** Stop listing after this many problems; default 20. */
  maxErrors?: number;
}

export interface VerifyReport {
  ok: boolean;
  /** Human-readable problems (empty when ok); `t.deepEqual(report.errors, [])` shows them all. */
  errors: string[];
  consumed: number;
  /** Consumed count per partition. */
  perPartition: Record<number, number>;
}

/** Short printable form of a key/value for error messages. */
export function showBytes(b: Buffer | null): string {
  if (b === null) return 'null';
  const preview = b.subarray(0, 32);
  const text = preview.toString('utf8');
  const printable = Buffer.from(text, 'utf8').equals(preview) && !/[\u0000-\u001f]/.test(text);
  const body = printable ? JSON.stringify(text) : `0x${preview.toString('hex')}`;
  return `${b.length}B ${body}${b.length > preview.length ? '…' : ''}`;
}

function showHeaders(headers: readonly MessageHeader[]): string {
  return `[${headers.map((h) => `${JSON.stringify(h.key)}=${showBytes(h.value)}`).join(', ')}]`;
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  if (a === null || b === null) return a === b;
  return a.equals(b);
}

function sameHeaders(a: readonly MessageHeader[], b: readonly MessageHeader[]): boolean {
  return a.length === b.length && a.every((h, i) => h.key === b[i]!.key && sameBytes(h.value, b[i]!.value));
}

/** Same key, value and headers: the identity used to match consumed to produced messages. */
function sameContent(p: ProducedMessage, c: ConsumedMessage): boolean {
  return sameBytes(p.key, c.key) && sameBytes(p.value, c.value) && sameHeaders(p.headers, c.headers);
}

function contentDiff(p: ProducedMessage, c: ConsumedMessage): string[] {
  const diffs: string[] = [];
  if (!sameBytes(p.key, c.key)) diffs.push(`key ${showBytes(c.key)}, expected ${showBytes(p.key)}`);
  if (!sameBytes(p.value, c.value)) diffs.push(`value ${showBytes(c.value)}, expected ${showBytes(p.value)}`);
  if (!sameHeaders(p.headers, c.headers)) diffs.push(`headers ${showHeaders(c.headers)}, expected ${showHeaders(p.headers)}`);
  return diffs;
}

function timestampDiff(p: ProducedMessage, c: ConsumedMessage, options: VerifyOptions): string[] {
  const diffs: string[] = [];
  const expectedType = options.timestampType ?? 'create';
  if (c.timestampType !== undefined && c.timestampType !== expectedType) diffs.push(`timestamp type ${c.timestampType}, expected ${expectedType}`);
  if (expectedType === 'log-append') return diffs;
  if (p.timestamp !== undefined) {
    if (c.timestamp !== p.timestamp) diffs.push(`timestamp ${c.timestamp}, expected ${p.timestamp}`);
  } else if (options.producerTimestampWindow) {
    const { from, to } = options.producerTimestampWindow;
    if (!(c.timestamp >= from && c.timestamp <= to)) diffs.push(`timestamp ${c.timestamp} outside the producer's window [${from}, ${to}]`);
  }
  return diffs;
}

/**
 * Checks `consumed` (in the order the consumer delivered it) against `produced` (in send order).
 * Messages with an explicit partition must be in that partition; the others are matched by content, which
 * generateMessages() keeps unique, so the per-partition order is checked either way.
 */
export function verifyConsumed(produced: readonly ProducedMessage[], consumed: readonly ConsumedMessage[], options: VerifyOptions = {}): VerifyReport {
  const maxErrors = options.maxErrors ?? 20;
  const firstOffset = options.firstOffset === undefined ? 0 : options.firstOffset;
  const errors: string[] = [];
  const fail = (message: string): boolean => {
    if (errors.length < maxErrors) errors.push(message);
    else if (errors.length === maxErrors) errors.push('… more problems not listed');
    return errors.length > maxErrors;
  };

  // Per partition, in delivery order; offsets must increase (and be contiguous when asked).
  const byPartition = new Map<number, ConsumedMessage[]>();
  for (const c of consumed) {
    if (!Number.isInteger(c.partition) || c.partition < 0 || (options.partitions !== undefined && c.partition >= options.partitions)) {
      fail(`consumed a message from partition ${c.partition}, outside the topic's ${options.partitions ?? '?'} partitions`);
      continue;
    }
    let list = byPartition.get(c.partition);
    if (!list) byPartition.set(c.partition, (list = []));
    list.push(c);
  }
  const perPartition: Record<number, number> = {};
  for (const [partition, list] of [...byPartition].sort((a, b) => a[0] - b[0])) {
    perPartition[partition] = list.length;
    for (let i = 0; i < list.length; i++) {
      const offset = list[i]!.offset;
      if (firstOffset !== null && offset !== firstOffset + i) {
        fail(`partition ${partition}: message #${i} delivered has offset ${offset}, expected ${firstOffset + i} (offsets must be contiguous from ${firstOffset})`);
        break;
      }
      if (i > 0 && offset <= list[i - 1]!.offset) {
        fail(`partition ${partition}: offset ${offset} delivered after ${list[i - 1]!.offset}`);
        break;
      }
    }
  }
  if (consumed.length !== produced.length) fail(`consumed ${consumed.length} messages, produced ${produced.length}`);

  // Walk the produced messages in send order; each must be the next unmatched message of its partition.
  const queues = new Map<number, ConsumedMessage[]>();
  for (const [partition, list] of byPartition) queues.set(partition, [...list].sort((a, b) => a.offset - b.offset));
  const heads = new Map<number, number>([...queues.keys()].map((p) => [p, 0]));
  const head = (p: number): ConsumedMessage | undefined => queues.get(p)?.[heads.get(p) ?? 0];
  for (const p of produced) {
    let partition: number | undefined;
    if (p.partition !== undefined) {
      const c = head(p.partition);
      if (c === undefined) {
        if (fail(`message #${p.index} (key ${showBytes(p.key)}, value ${showBytes(p.value)}) missing: partition ${p.partition} has no more messages`)) break;
        continue;
      }
      const diffs = contentDiff(p, c);
      if (diffs.length > 0 && fail(`partition ${c.partition} offset ${c.offset}, message #${p.index}: ${diffs.join('; ')}`)) break;
      partition = p.partition;
    } else {
      const matches = [...queues.keys()].filter((q) => {
        const c = head(q);
        return c !== undefined && sameContent(p, c);
      });
      if (matches.length !== 1) {
        const heads = [...queues.keys()].sort((a, b) => a - b).map((q) => {
          const c = head(q);
          return c ? `p${q}@${c.offset}: key ${showBytes(c.key)} value ${showBytes(c.value)}` : `p${q}: none left`;
        });
        fail(`message #${p.index} (key ${showBytes(p.key)}, value ${showBytes(p.value)}, headers ${showHeaders(p.headers)}) is ${matches.length === 0 ? 'not the next message of any partition' : 'ambiguous'}; next per partition: ${heads.join(' | ')}`);
        break; // without a match the rest of the walk would only repeat this error
      }
      partition = matches[0]!;
    }
    const c = head(partition)!;
    const tsDiffs = timestampDiff(p, c, options);
    if (tsDiffs.length > 0 && fail(`partition ${c.partition} offset ${c.offset}, message #${p.index}: ${tsDiffs.join('; ')}`)) break;
    heads.set(partition, (heads.get(partition) ?? 0) + 1);
  }
  for (const [partition, list] of queues) {
    const left = list.length - (heads.get(partition) ?? 0);
    if (left > 0 && errors.length === 0) {
      const c = list[heads.get(partition) ?? 0]!;
      fail(`partition ${partition}: ${left} unexpected message(s), first at offset ${c.offset}: key ${showBytes(c.key)} value ${showBytes(c.value)}`);
    }
  }
  return { ok: errors.length === 0, errors, consumed: consumed.length, perPartition };
}

/** How many messages of `produced` each partition should hold (explicit partitions only). */
export function expectedPerPartition(produced: readonly ProducedMessage[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const m of produced) {
    if (m.partition === undefined) throw new Error(`message #${m.index} has no explicit partition`);
    counts[m.partition] = (counts[m.partition] ?? 0) + 1;
  }
  return counts;
}

/**
 * Problems with key affinity: every non-empty key must have landed in a single partition (what a key
 * partitioner promises, and what makes per-key order meaningful). Null and empty keys are not checked.
 */
export function keyAffinityProblems(consumed: readonly ConsumedMessage[], maxErrors = 20): string[] {
  const partitionsByKey = new Map<string, Set<number>>();
  for (const c of consumed) {
    if (c.key === null || c.key.length === 0) continue;
    const hex = c.key.toString('hex');
    let set = partitionsByKey.get(hex);
    if (!set) partitionsByKey.set(hex, (set = new Set()));
    set.add(c.partition);
  }
  const problems: string[] = [];
  for (const [hex, set] of partitionsByKey) {
    if (set.size > 1 && problems.length < maxErrors) problems.push(`key ${showBytes(Buffer.from(hex, 'hex'))} is in partitions ${[...set].sort((a, b) => a - b).join(', ')}`);
  }
  return problems;
}
