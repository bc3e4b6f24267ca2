// Durable storage for committed consumer-group offsets.
//
// The interface is deliberately narrow (load once, then append commits / remove keys) so that moving offsets
// into an internal `__consumer_offsets` topic owned by partition actors later only replaces the implementation.
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** One committed offset, as persisted. */
export interface StoredOffset {
  groupId: string;
  topic: string;
  partition: number;
  offset: number;
  /** -1 when the client did not send one (OffsetCommit < v6). */
  leaderEpoch: number;
  metadata: string;
  /** Epoch milliseconds. */
  commitTimestamp: number;
}

/** Identifies one committed offset, for deletion. */
export interface OffsetKey {
  groupId: string;
  topic: string;
  partition: number;
}

export interface OffsetStore {
  /** Reads the latest value of every live offset. Called once, before any append/remove. */
  load(): Promise<Iterable<StoredOffset>>;
  /** Persists commits; later records for the same key win. Calls are applied in call order. */
  append(records: StoredOffset[]): Promise<void>;
  /** Persists deletions (DeleteGroups, OffsetDelete). Ordered with append. */
  remove(keys: OffsetKey[]): Promise<void>;
  /** Waits for queued writes and releases resources. */
  close(): Promise<void>;
}

export function offsetKeyString(k: OffsetKey): string {
  // JSON of a tuple cannot collide, whatever characters the group or topic names contain.
  return JSON.stringify([k.groupId, k.topic, k.partition]);
}

/** Keeps offsets in memory only; a new coordinator given the same instance sees earlier commits. */
export class MemoryOffsetStore implements OffsetStore {
  private readonly live = new Map<string, StoredOffset>();

  async load(): Promise<Iterable<StoredOffset>> {
    return [...this.live.values()].map((o) => ({ ...o }));
  }

  async append(records: StoredOffset[]): Promise<void> {
    for (const r of records) this.live.set(offsetKeyString(r), { ...r });
  }

  async remove(keys: OffsetKey[]): Promise<void> {
    for (const k of keys) this.live.delete(offsetKeyString(k));
  }

  async close(): Promise<void> {}
}

export interface FileOffsetStoreOptions {
  /** Rewrite the file once it holds at least this many records and more than twice the live count. */
  compactMinRecords?: number;
}

export const OFFSETS_FILE_NAME = '__consumer_offsets.log';

/** Bytes before each payload: uint32 BE payload length, uint32 BE CRC-32 of the payload. */
const FRAME_HEADER = 8;
/** Guards against reading a garbage length from a damaged header. */
const MAX_PAYLOAD = 16 * 1024 * 1024;

interface CommitPayload {
  g: string;
  t: string;
  p: number;
  o: number;
  e: number;
  m: string;
  ts: number;
}

interface TombstonePayload {
  g: string;
  t: string;
  p: number;
  d: 1;
}

/**
 * Offsets in `<dataDir>/__consumer_offsets.log`: an append-only sequence of frames, each
 * `[uint32 length][uint32 crc32][JSON payload]`. A payload is either a commit
 * `{g,t,p,o,e,m,ts}` or a tombstone `{g,t,p,d:1}`. On load the last frame per key wins, a torn or corrupt tail
 * is dropped, and the file is rewritten with only live commits if it held anything else. While running it is
 * rewritten the same way when dead records dominate.
 *
 * Appends are not fsynced: a commit survives a broker crash (the bytes are in the page cache) but not a power
 * loss or kernel crash. Losing the last commits only makes consumers re-read a few records, which the Kafka
 * delivery contract (at-least-once) already allows; an fsync per commit would cost far more than it buys.
 * Compaction does fsync the new file before renaming it over the old one, so a crash never loses everything.
 */
export class FileOffsetStore implements OffsetStore {
  readonly path: string;
  private readonly dataDir: string;
  private readonly compactMinRecords: number;
  /** Its own copy of the live set, so compaction never has to ask the coordinator. */
  private readonly live = new Map<string, StoredOffset>();
  private handle: FileHandle | null = null;
  /** Frames in the file, live or not. */
  private recordsInFile = 0;
  /** Serialises file operations so writes land in call order and never overlap a compaction. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(dataDir: string, options: FileOffsetStoreOptions = {}) {
    this.dataDir = dataDir;
    this.path = join(dataDir, OFFSETS_FILE_NAME);
    this.compactMinRecords = options.compactMinRecords ?? 50_000;
  }

  load(): Promise<Iterable<StoredOffset>> {
    return this.enqueue(async () => {
      await mkdir(this.dataDir, { recursive: true });
      let data: Buffer;
      try {
        data = await readFile(this.path);
      } catch (err: unknown) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        data = Buffer.alloc(0);
      }
      this.live.clear();
      const { frames, validBytes } = this.replay(data);
      if (frames !== this.live.size || validBytes !== data.length) {
        await this.rewrite();
      } else {
        this.handle = await open(this.path, 'a');
        this.recordsInFile = frames;
      }
      return [...this.live.values()].map((o) => ({ ...o }));
    });
  }

  append(records: StoredOffset[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const copies = records.map((r) => ({ ...r }));
    return this.enqueue(async () => {
      const frames = copies.map((r) =>
        encodeFrame({ g: r.groupId, t: r.topic, p: r.partition, o: r.offset, e: r.leaderEpoch, m: r.metadata, ts: r.commitTimestamp }),
      );
      await this.write(Buffer.concat(frames), frames.length);
      for (const r of copies) this.live.set(offsetKeyString(r), r);
      await this.maybeCompact();
    });
  }

  remove(keys: OffsetKey[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    const copies = keys.map((k) => ({ groupId: k.groupId, topic: k.topic, partition: k.partition }));
    return this.enqueue(async () => {
      const frames = copies.map((k) => encodeFrame({ g: k.groupId, t: k.topic, p: k.partition, d: 1 }));
      await this.write(Buffer.concat(frames), frames.length);
      for (const k of copies) this.live.delete(offsetKeyString(k));
      await this.maybeCompact();
    });
  }

  close(): Promise<void> {
    return this.enqueue(async () => {
      this.closed = true;
      const h = this.handle;
      this.handle = null;
      if (h) await h.close();
    });
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(op);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async write(buf: Buffer, frames: number): Promise<void> {
    if (this.closed) throw new Error('offset store is closed');
    if (!this.handle) throw new Error('offset store used before load()');
    await this.handle.write(buf);
    this.recordsInFile += frames;
  }

  private async maybeCompact(): Promise<void> {
    if (this.recordsInFile >= this.compactMinRecords && this.recordsInFile > 2 * this.live.size) await this.rewrite();
  }

  /** Parses frames into `live`; stops at the first damaged frame (a torn write at the tail). */
  private replay(data: Buffer): { frames: number; validBytes: number } {
    let pos = 0;
    let frames = 0;
    while (pos + FRAME_HEADER <= data.length) {
      const len = data.readUInt32BE(pos);
      const crc = data.readUInt32BE(pos + 4);
      if (len > MAX_PAYLOAD || pos + FRAME_HEADER + len > data.length) break;
      const payload = data.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + len);
      if (crc32(payload) !== crc) break;
      let parsed: unknown;
      try {
        parsed = JSON.parse(payload.toString('utf8'));
      } catch {
        break;
      }
      pos += FRAME_HEADER + len;
      frames++;
      this.applyPayload(parsed);
    }
    return { frames, validBytes: pos };
  }

  private applyPayload(p: unknown): void {
    if (typeof p !== 'object' || p === null) return;
    const r = p as Partial<CommitPayload & { d: number }>;
    if (typeof r.g !== 'string' || typeof r.t !== 'string' || typeof r.p !== 'number') return;
    const key = offsetKeyString({ groupId: r.g, topic: r.t, partition: r.p });
    if (r.d === 1) {
      this.live.delete(key);
      return;
    }
    if (typeof r.o !== 'number') return;
    this.live.set(key, {
      groupId: r.g,
      topic: r.t,
      partition: r.p,
      offset: r.o,
      leaderEpoch: typeof r.e === 'number' ? r.e : -1,
      metadata: typeof r.m === 'string' ? r.m : '',
      commitTimestamp: typeof r.ts === 'number' ? r.ts : 0,
    });
  }

  /** Writes the live set to a side file, syncs it and renames it over the log. */
  private async rewrite(): Promise<void> {
    const tmp = `${this.path}.compact`;
    const frames: Buffer[] = [];
    for (const r of this.live.values()) {
      frames.push(encodeFrame({ g: r.groupId, t: r.topic, p: r.partition, o: r.offset, e: r.leaderEpoch, m: r.metadata, ts: r.commitTimestamp }));
    }
    const out = await open(tmp, 'w');
    try {
      await out.write(Buffer.concat(frames));
      await out.sync();
    } finally {
      await out.close();
    }
    const old = this.handle;
    this.handle = null;
    if (old) await old.close();
    await rename(tmp, this.path);
    await syncDir(this.dataDir);
    this.handle = await open(this.path, 'a');
    this.recordsInFile = frames.length;
  }
}

function encodeFrame(payload: CommitPayload | TombstonePayload): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.writeUInt32BE(crc32(body), 4);
  body.copy(frame, FRAME_HEADER);
  return frame;
}

/** Makes the rename durable; some platforms cannot open directories, and that is not worth failing for. */
async function syncDir(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch {
    // best effort
  } finally {
    await h?.close().catch(() => undefined);
  }
}
