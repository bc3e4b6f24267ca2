// Reading a topic from its start to its current end, for assertions: every partition (or the chosen ones),
// keys, values and headers as UTF-8 text (the bytes alongside).
import { Consumer, type Cluster, type Message } from '../client/index.js';
import { SpateError } from '../errors.js';

export interface TestMessage {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string | null>;
  keyBytes: Buffer | null;
  valueBytes: Buffer | null;
}

export interface ReadOptions {
  /** Only these partitions; default every partition. */
  partitions?: readonly number[];
  /** Give up after this long; default 30 s. */
  timeoutMs?: number;
}

function toTestMessage(m: Message): TestMessage {
  const headers: Record<string, string | null> = {};
  for (const h of m.headers) headers[h.key] = h.value === null ? null : h.value.toString('utf8');
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    timestamp: m.timestamp,
    key: m.key === null ? null : m.key.toString('utf8'),
    value: m.value === null ? null : m.value.toString('utf8'),
    headers,
    keyBytes: m.key,
    valueBytes: m.value,
  };
}

/** Every message now in `topic`, by partition then offset. */
export async function readToEnd(cluster: Cluster, topic: string, options: ReadOptions = {}): Promise<TestMessage[]> {
  const info = await cluster.topic(topic, { refresh: true });
  const partitions = options.partitions ?? info.partitions.map((p) => p.partition);
  const consumer = new Consumer(cluster, { maxWaitMs: 50 });
  consumer.assign(partitions.map((partition) => ({ topic, partition, offset: 'earliest' })));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const messages: Message[] = [];
  try {
    while (!consumer.atEnd()) {
      if (Date.now() > deadline) throw new SpateError('SPATE_CLIENT_TIMEOUT', `reading ${topic} to its end took longer than ${options.timeoutMs ?? 30_000} ms`);
      messages.push(...(await consumer.poll()));
    }
  } finally {
    await consumer.close();
  }
  return messages.sort((a, b) => a.partition - b.partition || a.offset - b.offset).map(toTestMessage);
}
