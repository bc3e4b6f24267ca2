// Committed offsets kept in the internal `__consumer_offsets` topic, as Kafka keeps them.
//
// Where things live and why group work never blocks the data path:
//   - Groups (members, generations, timers) and the in-memory offset table live on the main thread, in
//     GroupCoordinator. Every group request changes that state synchronously and answers at once, or parks on a
//     promise (JoinGroup/SyncGroup); none of them does disk I/O or CPU work proportional to data volume.
//   - Persisting a commit is an ordinary produce of one small record batch to the partition actor that owns
//     `__consumer_offsets-<hash(group) % N>`, through the same request ring as client produces. The partition
//     worker writes it like any other batch; the main thread only awaits the reply. So a commit costs the data
//     path what a tiny client produce costs, and a slow disk delays the commit reply, never a fetch or a
//     produce of another partition.
//   - Replay happens once at startup, before the listener accepts connections, by fetching each partition from
//     its start. It grows with the number of commits ever written until the storage engine compacts the topic
//     (it is created with cleanup.policy=compact for that reason).
//
// Record format (Kafka's, so Kafka tooling that reads this topic understands it):
//   key   v1: int16 version=1, string group, string topic, int32 partition
//   value v3: int16 version=3, int64 offset, int32 leader epoch, string metadata, int64 commit timestamp
//   value v1, for a commit that set its own retention (OffsetCommit v2-4 retention_time_ms), as Kafka writes it:
//             int16 version=1, int64 offset, string metadata, int64 commit timestamp, int64 expire timestamp
//   a null value is a tombstone (DeleteGroups, OffsetDelete, retention).
// Replay also accepts key v0 and value v0-v3, and skips group metadata records (key v2), which Spate does not
// write: group membership is not persisted, members rejoin after a restart.
import { SpateError } from '../errors.js';
import { buildRecordBatch, readRecordBatches, type BatchRecord } from '../records/batch-writer.js';
import { offsetKeyString, type OffsetKey, type OffsetStore, type StoredOffset } from './offset-store.js';


/** The slice of the broker the store needs: one topic's partitions, appended to and read by the partition actors. */
export interface OffsetsTopicLog {
  readonly partitionCount: number;
  /** Appends one batch; rejects if the partition actor refused it. Calls for one partition land in call order. */
  append(partition: number, batch: Buffer): Promise<void>;
  /** First and next offset of a partition. */
  bounds(partition: number): { logStartOffset: number; logEndOffset: number };
  /** Whole batches from `offset` on (at least the first one, whatever maxBytes says). */
  read(partition: number, offset: number, maxBytes: number): Promise<Buffer | null>;
}

/** Kafka's partitionFor: Utils.abs(groupId.hashCode) % partitions, with Java's String.hashCode. */
export function offsetsPartitionFor(groupId: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(h, 31) + groupId.charCodeAt(i)) | 0;
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % partitions;
}

const KEY_VERSION = 1;
const VALUE_VERSION = 3;
/** Tombstone batches stay well under message.max.bytes (1 MiB by default). */
const MAX_BATCH_PAYLOAD = 512 * 1024;
const READ_BYTES = 1024 * 1024;

function stringSize(s: string): number {
  return 2 + Buffer.byteLength(s, 'utf8');
}

function writeString(buf: Buffer, pos: number, s: string): number {
  const len = buf.write(s, pos + 2, 'utf8');
  buf.writeInt16BE(len, pos);
  return pos + 2 + len;
}

export function encodeOffsetKey(k: OffsetKey): Buffer {
  const buf = Buffer.alloc(2 + stringSize(k.groupId) + stringSize(k.topic) + 4);
  buf.writeInt16BE(KEY_VERSION, 0);
  let pos = writeString(buf, 2, k.groupId);
  pos = writeString(buf, pos, k.topic);
  buf.writeInt32BE(k.partition, pos);
  return buf;
}

export function encodeOffsetValue(o: StoredOffset): Buffer {
  if (o.expireTimestamp !== null) {
    // Only value v1 has an expire timestamp (and no leader epoch): Kafka writes v1 for exactly these commits.
    const buf = Buffer.alloc(2 + 8 + stringSize(o.metadata) + 8 + 8);
    buf.writeInt16BE(1, 0);
    buf.writeBigInt64BE(BigInt(o.offset), 2);
    const pos = writeString(buf, 10, o.metadata);
    buf.writeBigInt64BE(BigInt(o.commitTimestamp), pos);
    buf.writeBigInt64BE(BigInt(o.expireTimestamp), pos + 8);
    return buf;
  }
  const buf = Buffer.alloc(2 + 8 + 4 + stringSize(o.metadata) + 8);
  buf.writeInt16BE(VALUE_VERSION, 0);
  buf.writeBigInt64BE(BigInt(o.offset), 2);
  buf.writeInt32BE(o.leaderEpoch, 10);
  const pos = writeString(buf, 14, o.metadata);
  buf.writeBigInt64BE(BigInt(o.commitTimestamp), pos);
  return buf;
}

class Cursor {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): number {
    const v = Number(this.buf.readBigInt64BE(this.pos));
    this.pos += 8;
    return v;
  }
  string(): string {
    const len = this.int16();
    if (len < 0) return '';
    if (this.pos + len > this.buf.length) throw new RangeError('string runs past the record');
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
}

/** Decodes an offset-commit key; null for other record kinds (group metadata) or damage. */
export function decodeOffsetKey(key: Buffer): OffsetKey | null {
  try {
    const c = new Cursor(key);
    const version = c.int16();
    if (version !== 0 && version !== 1) return null;
    return { groupId: c.string(), topic: c.string(), partition: c.int32() };
  } catch {
    return null;
  }
}

export function decodeOffsetValue(key: OffsetKey, value: Buffer): StoredOffset | null {
  try {
    const c = new Cursor(value);
    const version = c.int16();
    if (version < 0 || version > 3) return null;
    const offset = c.int64();
    const leaderEpoch = version >= 3 ? c.int32() : -1;
    const metadata = c.string();
    const commitTimestamp = c.int64();
    // v1 alone carries an expire timestamp (-1 there also means "none").
    const expire = version === 1 ? c.int64() : -1;
    return { ...key, offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp: expire >= 0 ? expire : null };
  } catch {
    return null;
  }
}

/**
 * OffsetStore over `__consumer_offsets`. An append writes one batch per touched partition, so one group's
 * commit is one batch, accepted or refused as a whole, as in Kafka (a group's records always go to the same
 * partition, so their order is the order of the calls). Removals may span many groups and are split into
 * batches of a bounded size.
 */
export class PartitionOffsetStore implements OffsetStore {
  private readonly log: OffsetsTopicLog;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(log: OffsetsTopicLog) {
    this.log = log;
  }

  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.log.partitionCount);
  }

  async load(): Promise<Iterable<StoredOffset>> {
    const live = new Map<string, StoredOffset>();
    const perPartition = await Promise.all(
      Array.from({ length: this.log.partitionCount }, (_, p) => this.replayPartition(p)),
    );
    // Partitions are independent (a group lives in exactly one), so merging them in any order is the same.
    for (const records of perPartition) {
      for (const [key, value] of records) {
        if (value === null) live.delete(key);
        else live.set(key, value);
      }
    }
    return live.values();
  }

  private async replayPartition(partition: number): Promise<Map<string, StoredOffset | null>> {
    const state = new Map<string, StoredOffset | null>();
    const { logStartOffset, logEndOffset } = this.log.bounds(partition);
    let offset = logStartOffset;
    while (offset < logEndOffset) {
      const data = await this.log.read(partition, offset, READ_BYTES);
      if (!data || data.length === 0) break;
      const next = readRecordBatches(data, (r) => {
        if (r.key === null) return;
        const key = decodeOffsetKey(r.key);
        if (!key || key.partition < 0) return;
        const id = offsetKeyString(key);
        if (r.value === null) {
          state.set(id, null);
          return;
        }
        const value = decodeOffsetValue(key, r.value);
        if (value) state.set(id, value);
      });
      if (next <= offset) break;
      offset = next;
    }
    return state;
  }

  append(records: StoredOffset[]): Promise<void> {
    const entries = records.map((r) => ({ partition: this.partitionFor(r.groupId), record: { key: encodeOffsetKey(r), value: encodeOffsetValue(r), timestamp: r.commitTimestamp } }));
    return this.write(entries, Number.POSITIVE_INFINITY);
  }

  remove(keys: OffsetKey[]): Promise<void> {
    const now = Date.now();
    return this.write(keys.map((k) => ({ partition: this.partitionFor(k.groupId), record: { key: encodeOffsetKey(k), value: null, timestamp: now } })), MAX_BATCH_PAYLOAD);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Appends are issued synchronously, in call order, so per-partition order is call order. A partition's
   * records are split into batches of about `maxBatchPayload` bytes.
   */
  private write(entries: { partition: number; record: BatchRecord }[], maxBatchPayload: number): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new SpateError('SPATE_BROKER_CLOSED', 'offset store is closed'));
    const byPartition = new Map<number, BatchRecord[]>();
    for (const e of entries) {
      const list = byPartition.get(e.partition);
      if (list) list.push(e.record);
      else byPartition.set(e.partition, [e.record]);
    }
    const appends: Promise<void>[] = [];
    for (const [partition, records] of byPartition) {
      let chunk: BatchRecord[] = [];
      let bytes = 0;
      const flush = (): void => {
        if (chunk.length === 0) return;
        appends.push(this.log.append(partition, buildRecordBatch(chunk, chunk[0]!.timestamp)));
        chunk = [];
        bytes = 0;
      };
      for (const r of records) {
        const size = 32 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
        if (bytes + size > maxBatchPayload) flush();
        chunk.push(r);
        bytes += size;
      }
      flush();
    }
    const all = Promise.all(appends).then(() => undefined);
    this.inFlight.add(all);
    const forget = (): void => {
      this.inFlight.delete(all);
    };
    all.then(forget, forget);
    return all;
  }
}
