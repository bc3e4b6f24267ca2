import test, { type ExecutionContext } from 'ava';
import {
  consumerLag,
  decodeOffsetKey,
  decodeOffsetValue,
  encodeOffsetKey,
  encodeOffsetValue,
  GroupCoordinator,
  MemoryOffsetStore,
  offsetsPartitionFor,
  PartitionOffsetStore,
  type GroupCoordinatorOptions,
  type OffsetsTopicLog,
  type OffsetKey,
  type StoredOffset,
} from '../../src/group/index.js';
import { OffsetsWriteError } from '../../src/group/offsets-write-error.js';
import { SpateError } from '../../src/errors.js';
import { ErrorCode as E } from '../../src/protocol/error-codes.js';
import { readRecordBatches } from '../../src/records/batch-writer.js';
import { patchBaseOffset } from '../../src/records/batch.js';
import { validateIncomingBatch } from '../../src/records/validation.js';
import type { JoinGroupRequest } from '../../src/protocol/generated/join-group.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../../src/protocol/generated/offset-commit.js';
import { GroupRequests } from './group-requests.js';
import { ManualClock } from './manual-clock.js';

// ------------------------------------------------------------------ helpers

type Options = Partial<Omit<GroupCoordinatorOptions, 'clock'>> & { clock?: ManualClock };

/** A started coordinator on a manual clock (c.clock; a new one unless given), reached through the group handlers. */
async function coordinator(t: ExecutionContext, options: Options = {}): Promise<GroupRequests> {
  const c = unstarted(options);
  await c.start();
  t.teardown(() => c.close());
  return c;
}

function unstarted(options: Options = {}): GroupRequests {
  const clock = options.clock ?? new ManualClock();
  return new GroupRequests(new GroupCoordinator({ nodeId: 7, initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1, ...options, clock }), clock);
}

/** `__consumer_offsets` in memory: batches checked like a Produce and stored with assigned offsets. */
class MemoryTopicLog implements OffsetsTopicLog {
  readonly partitions: { batches: { base: number; bytes: Buffer }[]; end: number }[];
  constructor(readonly partitionCount: number) {
    this.partitions = Array.from({ length: partitionCount }, () => ({ batches: [], end: 0 }));
  }
  async append(partition: number, batch: Buffer): Promise<void> {
    if (validateIncomingBatch(batch, 0, batch.length) !== 0) throw new Error('invalid batch');
    const p = this.partitions[partition]!;
    const bytes = Buffer.from(batch);
    patchBaseOffset(bytes, 0, p.end);
    p.batches.push({ base: p.end, bytes });
    p.end += bytes.readInt32BE(57);
  }
  bounds(partition: number): { logStartOffset: number; logEndOffset: number } {
    return { logStartOffset: 0, logEndOffset: this.partitions[partition]!.end };
  }
  async read(partition: number, offset: number, maxBytes: number): Promise<Buffer | null> {
    const out: Buffer[] = [];
    let size = 0;
    for (const b of this.partitions[partition]!.batches) {
      if (b.base + b.bytes.readInt32BE(57) <= offset) continue;
      if (out.length > 0 && size + b.bytes.length > maxBytes) break;
      out.push(b.bytes);
      size += b.bytes.length;
    }
    return out.length ? Buffer.concat(out) : null;
  }
}

function subscription(topics: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0]), Buffer.alloc(4)];
  parts[1]!.writeInt32BE(topics.length);
  for (const t of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(Buffer.byteLength(t));
    parts.push(len, Buffer.from(t));
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

function joinReq(groupId: string, topics: string[] = ['t']): JoinGroupRequest {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(topics) }],
    reason: null,
  };
}

/** One member through join + sync (JoinGroup v3: member id on the first join). */
async function soloMember(c: GroupRequests, groupId: string, topics: string[] = ['t']): Promise<{ memberId: string; generationId: number }> {
  const j = await c.joinGroup(joinReq(groupId, topics), 3, 'solo', '/h');
  const s = await c.syncGroup(
    { groupId, generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] },
    3,
  );
  if (j.errorCode !== 0 || s.errorCode !== 0) throw new Error('join/sync failed');
  return { memberId: j.memberId, generationId: j.generationId };
}

function commitReq(
  groupId: string,
  generationId: number,
  memberId: string,
  offsets: [topic: string, partition: number, offset: number, metadata?: string | null][],
): OffsetCommitRequest {
  const byTopic = new Map<string, OffsetCommitRequest['topics'][number]['partitions']>();
  for (const [topic, partition, offset, metadata] of offsets) {
    const list = byTopic.get(topic) ?? [];
    list.push({ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: 3, commitTimestamp: -1, committedMetadata: metadata ?? null });
    byTopic.set(topic, list);
  }
  return {
    groupId,
    generationIdOrMemberEpoch: generationId,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  };
}

const codes = (r: OffsetCommitResponse): number[] => r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

async function fetchOne(c: GroupRequests, groupId: string, topic: string, partition: number): Promise<number> {
  const r = await c.offsetFetch({ groupId, topics: [{ name: topic, partitionIndexes: [partition] }], groups: [], requireStable: false }, 5);
  return r.topics[0]!.partitions[0]!.committedOffset;
}

// ------------------------------------------------------------------ commits

test('commits from the current generation are accepted; stale generations and unknown members are rejected', async (t) => {
  const c = await coordinator(t);
  const m = await soloMember(c, 'g');
  const ok = await c.offsetCommit(commitReq('g', m.generationId, m.memberId, [['t', 0, 42, 'meta'], ['t', 1, 7]]), 8);
  t.deepEqual(codes(ok), [0, 0]);
  t.is(ok.throttleTimeMs, 0);

  t.deepEqual(codes(await c.offsetCommit(commitReq('g', m.generationId - 1, m.memberId, [['t', 0, 99]]), 8)), [E.ILLEGAL_GENERATION]);
  t.deepEqual(codes(await c.offsetCommit(commitReq('g', m.generationId, 'stranger', [['t', 0, 99]]), 8)), [E.UNKNOWN_MEMBER_ID]);
  t.deepEqual(codes(await c.offsetCommit(commitReq('g', -1, '', [['t', 0, 99]]), 2)), [E.UNKNOWN_MEMBER_ID], 'simple commit into an active group');
  t.deepEqual(codes(await c.offsetCommit(commitReq('nope', 3, 'someone', [['t', 0, 99]]), 8)), [E.ILLEGAL_GENERATION], 'generation for a group that does not exist');
  t.is(await fetchOne(c, 'g', 't', 0), 42);

  const r = await c.offsetFetch({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1, 2] }], groups: [], requireStable: false }, 5);
  t.deepEqual(r.topics[0]!.partitions, [
    { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 },
    { partitionIndex: 1, committedOffset: 7, committedLeaderEpoch: 3, metadata: '', errorCode: 0 },
    { partitionIndex: 2, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
  ]);
  t.is(r.errorCode, 0);
});

test('commits during a rebalance: allowed before rejoining, REBALANCE_IN_PROGRESS while awaiting the assignment', async (t) => {
  const c = await coordinator(t);
  const a = await soloMember(c, 'g');
  // b joins: the group prepares to rebalance; a may still commit for generation 1 (eager revoke-then-commit).
  const bJoin = c.joinGroup(joinReq('g'), 3, 'b', '/h');
  t.deepEqual(codes(await c.offsetCommit(commitReq('g', 1, a.memberId, [['t', 0, 10]]), 5)), [0]);
  const aJoin = await c.joinGroup({ ...joinReq('g'), memberId: a.memberId }, 3, 'solo', '/h');
  const b = await bJoin;
  t.is(aJoin.generationId, 2);
  t.deepEqual(codes(await c.offsetCommit(commitReq('g', 2, b.memberId, [['t', 0, 11]]), 5)), [E.REBALANCE_IN_PROGRESS]);
  t.is(await fetchOne(c, 'g', 't', 0), 10);
});

test('simple-consumer commits (generation -1, no member) are accepted for empty or unknown groups', async (t) => {
  const c = await coordinator(t);
  t.deepEqual(codes(await c.offsetCommit(commitReq('simple', -1, '', [['t', 0, 5]]), 2)), [0]);
  t.deepEqual(codes(await c.offsetCommit(commitReq('simple', -1, '', [['t', 0, 6]]), 0)), [0], 'v0');
  t.is(await fetchOne(c, 'simple', 't', 0), 6);
  // Empty group id is legal for offset APIs (Kafka keeps it for old clients).
  t.deepEqual(codes(await c.offsetCommit(commitReq('', -1, '', [['t', 0, 1]]), 2)), [0]);
  t.is(await fetchOne(c, '', 't', 0), 1);
  // A group whose members all left is Empty again: simple commits are fine.
  const m = await soloMember(c, 'was-active');
  await c.leaveGroup({ groupId: 'was-active', memberId: m.memberId, members: [] }, 1);
  t.deepEqual(codes(await c.offsetCommit(commitReq('was-active', -1, '', [['t', 0, 9]]), 2)), [0]);
});

test('commit metadata limits and unknown partitions', async (t) => {
  const c = await coordinator(t, {
    offsetMetadataMaxBytes: 8,
    partitionExists: (topic, partition) => topic === 't' && partition < 2,
  });
  const r = await c.offsetCommit(commitReq('g', -1, '', [['t', 0, 1, '12345678'], ['t', 1, 1, '123456789'], ['t', 5, 1], ['u', 0, 1]]), 2);
  t.deepEqual(codes(r), [0, E.OFFSET_METADATA_TOO_LARGE, E.UNKNOWN_TOPIC_OR_PARTITION, E.UNKNOWN_TOPIC_OR_PARTITION]);
});

/**
 * A store whose writes wait until the test settles them, in any order. Like the offsets topic, it keeps the
 * writes in the order they were issued, whatever order they are settled in.
 */
class GatedOffsetStore extends MemoryOffsetStore {
  readonly pending: { kind: 'append' | 'remove'; settle(error?: Error): void }[] = [];
  private readonly issued: { write: () => Promise<void>; state: 'pending' | 'written' | 'failed' }[] = [];

  override append(records: StoredOffset[]): Promise<void> {
    return this.gate('append', () => super.append(records));
  }

  override remove(keys: OffsetKey[]): Promise<void> {
    return this.gate('remove', () => super.remove(keys));
  }

  private gate(kind: 'append' | 'remove', write: () => Promise<void>): Promise<void> {
    const entry = { write, state: 'pending' as 'pending' | 'written' | 'failed' };
    this.issued.push(entry);
    return new Promise((resolve, reject) => {
      this.pending.push({
        kind,
        settle: (error) => {
          entry.state = error ? 'failed' : 'written';
          while (this.issued[0] !== undefined && this.issued[0].state !== 'pending') {
            const next = this.issued.shift()!;
            if (next.state === 'written') void next.write();
          }
          if (error) reject(error);
          else resolve();
        },
      });
    });
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a commit is shown only once it is written; a failed write leaves the previous offset and gets Kafka\'s error', async (t) => {
  const store = new GatedOffsetStore();
  const c = await coordinator(t, { offsetStore: store });
  const first = c.offsetCommit(commitReq('g', -1, '', [['t', 0, 5]]), 2);
  await tick();
  t.is(await fetchOne(c, 'g', 't', 0), -1, 'not visible while being written');
  store.pending.shift()!.settle();
  t.deepEqual(codes(await first), [E.NONE]);
  t.is(await fetchOne(c, 'g', 't', 0), 5);

  const failures: [Error, number][] = [
    [new OffsetsWriteError(E.MESSAGE_TOO_LARGE, 'too large'), E.INVALID_COMMIT_OFFSET_SIZE],
    [new OffsetsWriteError(E.KAFKA_STORAGE_ERROR, 'disk'), E.NOT_COORDINATOR],
    [new SpateError('SPATE_WORKER_DIED', 'worker died'), E.NOT_COORDINATOR],
    [new Error('unexpected'), E.COORDINATOR_NOT_AVAILABLE],
  ];
  for (const [error, expected] of failures) {
    const failing = c.offsetCommit(commitReq('g', -1, '', [['t', 0, 9], ['t', 1, 9]]), 2);
    await tick();
    store.pending.shift()!.settle(error);
    t.deepEqual(codes(await failing), [expected, expected], error.message);
    t.is(await fetchOne(c, 'g', 't', 0), 5, `${error.message}: the previous offset stays`);
    t.is(await fetchOne(c, 'g', 't', 1), -1);
  }
  // A group that only ever had failed commits holds no offsets and is forgotten by the sweep.
  const lonely = c.offsetCommit(commitReq('lonely', -1, '', [['t', 0, 1]]), 2);
  await tick();
  store.pending.shift()!.settle(new Error('unexpected'));
  await lonely;
  await c.expireOffsets();
  t.is(c.describeGroup('lonely'), undefined);
});

test('writes issued later win: out-of-order commit completions, OffsetDelete and DeleteGroups during a commit', async (t) => {
  const store = new GatedOffsetStore();
  const c = await coordinator(t, { offsetStore: store });
  const older = c.offsetCommit(commitReq('g', -1, '', [['t', 0, 1]]), 2);
  const newer = c.offsetCommit(commitReq('g', -1, '', [['t', 0, 2]]), 2);
  await tick();
  const [olderWrite, newerWrite] = store.pending.splice(0);
  newerWrite!.settle();
  await newer;
  olderWrite!.settle();
  await older;
  t.is(await fetchOne(c, 'g', 't', 0), 2, 'the later commit is also later in the log, so it is the one a restart shows');

  // A failed later commit leaves the earlier successful one.
  const ok = c.offsetCommit(commitReq('g', -1, '', [['t', 0, 3]]), 2);
  const failed = c.offsetCommit(commitReq('g', -1, '', [['t', 0, 4]]), 2);
  await tick();
  const [okWrite, failedWrite] = store.pending.splice(0);
  failedWrite!.settle(new Error('unexpected'));
  await failed;
  okWrite!.settle();
  await ok;
  t.is(await fetchOne(c, 'g', 't', 0), 3);

  // OffsetDelete while a commit is being written: the tombstone follows the commit in the log.
  const racing = c.offsetCommit(commitReq('g', -1, '', [['t', 0, 7]]), 2);
  await tick();
  const deleting = c.offsetDelete({ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] }, 0);
  await tick();
  t.is(store.pending.length, 2, 'the commit, then the tombstone');
  for (const w of store.pending.splice(0)) w.settle();
  t.is((await deleting).topics[0]!.partitions[0]!.errorCode, E.NONE);
  t.deepEqual(codes(await racing), [E.NONE]);
  t.is(await fetchOne(c, 'g', 't', 0), -1, 'deleted after the commit was issued, so deleted');
  t.deepEqual((await c.offsetFetch({ groupId: 'g', topics: null, groups: [], requireStable: false }, 2)).topics, []);

  // The sweep does not forget a new group whose first commit is being written.
  const first = c.offsetCommit(commitReq('fresh', -1, '', [['t', 3, 30]]), 2);
  await tick();
  await c.expireOffsets();
  const committedFirst = c.offsetCommit(commitReq('doomed2', -1, '', [['t', 0, 1]]), 2);
  await tick();
  for (const w of store.pending.splice(0)) w.settle();
  await Promise.all([first, committedFirst]);
  t.is(await fetchOne(c, 'fresh', 't', 3), 30);

  // DeleteGroups while a commit is being written also writes a tombstone for the partition being committed.
  const pendingCommit = c.offsetCommit(commitReq('doomed2', -1, '', [['t', 1, 2]]), 2);
  await tick();
  const deleteGroup = c.deleteGroups({ groupsNames: ['doomed2'] }, 2);
  await tick();
  for (const w of store.pending.splice(0)) w.settle();
  t.is((await deleteGroup).results[0]!.errorCode, E.NONE);
  await pendingCommit;
  t.deepEqual(c.groupOffsets('doomed2'), []);
  const restarted = await coordinator(t, { offsetStore: store });
  t.deepEqual(restarted.groupOffsets('doomed2'), [], 'the commit written before the deletion stays deleted after a restart');
  t.is(await fetchOne(restarted, 'fresh', 't', 3), 30);
});

test('OffsetCommit v2-4 retention_time_ms: the offsets expire at commit time plus that retention, also after a restart', async (t) => {
  const clock = new ManualClock(1_000_000);
  const log = new MemoryTopicLog(3);
  const c = await coordinator(t, { offsetStore: new PartitionOffsetStore(log), offsetsRetentionMs: 3_600_000, clock });
  await c.offsetCommit({ ...commitReq('short', -1, '', [['t', 0, 5]]), retentionTimeMs: 2000 }, 2);
  await c.offsetCommit({ ...commitReq('default', -1, '', [['t', 0, 6]]), retentionTimeMs: -1 }, 4);
  await c.offsetCommit({ ...commitReq('v5', -1, '', [['t', 0, 7]]), retentionTimeMs: 2000 }, 5);
  const m = await soloMember(c, 'member', ['t']);
  await c.offsetCommit({ ...commitReq('member', m.generationId, m.memberId, [['other', 0, 8]]), retentionTimeMs: 2000 }, 3);
  await clock.advance(1999);
  t.is(await c.expireOffsets(), 0);
  const restarted = await coordinator(t, { offsetStore: new PartitionOffsetStore(log), offsetsRetentionMs: 3_600_000, clock });
  await clock.advance(1);
  t.is(await restarted.expireOffsets(), 2, 'the expire timestamp is persisted (value v1)');
  t.is(await fetchOne(restarted, 'short', 't', 0), -1);
  t.is(await fetchOne(restarted, 'member', 'other', 0), -1);
  t.is(await fetchOne(restarted, 'default', 't', 0), 6, 'retention_time_ms -1 means offsets.retention.minutes');
  t.is(await fetchOne(restarted, 'v5', 't', 0), 7, 'v5+ has no retention_time_ms');
  t.is(await c.expireOffsets(), 2, 'the first coordinator agrees');

  const v1 = encodeOffsetValue({ groupId: 'g', topic: 't', partition: 0, offset: 9, leaderEpoch: -1, metadata: 'm', commitTimestamp: 10, expireTimestamp: 20 });
  t.is(v1.readInt16BE(0), 1, "Kafka's value v1 carries the expire timestamp");
  t.deepEqual(decodeOffsetValue({ groupId: 'g', topic: 't', partition: 0 }, v1), {
    groupId: 'g', topic: 't', partition: 0, offset: 9, leaderEpoch: -1, metadata: 'm', commitTimestamp: 10, expireTimestamp: 20,
  });
});

// ------------------------------------------------------------------ fetch

test('OffsetFetch: null topics returns every committed offset; v0/v1 shapes', async (t) => {
  const c = await coordinator(t);
  await c.offsetCommit(commitReq('g', -1, '', [['b', 1, 11], ['a', 0, 1], ['b', 0, 10]]), 2);
  const all = await c.offsetFetch({ groupId: 'g', topics: null, groups: [], requireStable: false }, 2);
  const flat = all.topics.flatMap((tp) => tp.partitions.map((p) => `${tp.name}-${p.partitionIndex}=${p.committedOffset}`)).sort();
  t.deepEqual(flat, ['a-0=1', 'b-0=10', 'b-1=11']);
  const none = await c.offsetFetch({ groupId: 'unknown', topics: null, groups: [], requireStable: false }, 7);
  t.deepEqual(none.topics, []);
  const v1 = await c.offsetFetch({ groupId: 'g', topics: [{ name: 'b', partitionIndexes: [1] }], groups: [], requireStable: false }, 1);
  t.is(v1.topics[0]!.partitions[0]!.committedOffset, 11);
});

test('batched OffsetFetch (v8+) answers per group', async (t) => {
  const c = await coordinator(t);
  await c.offsetCommit(commitReq('g1', -1, '', [['t', 0, 100]]), 8);
  await c.offsetCommit(commitReq('g2', -1, '', [['t', 0, 200], ['u', 3, 300]]), 8);
  const r = await c.offsetFetch(
    {
      groupId: '',
      topics: null,
      requireStable: true,
      groups: [
        { groupId: 'g1', memberId: null, memberEpoch: -1, topics: [{ name: 't', partitionIndexes: [0, 1] }] },
        { groupId: 'g2', memberId: null, memberEpoch: -1, topics: null },
        { groupId: 'g3', memberId: null, memberEpoch: -1, topics: [{ name: 't', partitionIndexes: [0] }] },
      ],
    },
    8,
  );
  t.deepEqual(r.topics, []);
  t.deepEqual(r.groups.map((g) => g.groupId), ['g1', 'g2', 'g3']);
  t.deepEqual(r.groups[0]!.topics[0]!.partitions.map((p) => p.committedOffset), [100, -1]);
  t.deepEqual(
    r.groups[1]!.topics.map((tp) => [tp.name, tp.partitions.map((p) => p.committedOffset)]).sort(),
    [['t', [200]], ['u', [300]]],
  );
  t.is(r.groups[2]!.topics[0]!.partitions[0]!.committedOffset, -1);
  t.true(r.groups.every((g) => g.errorCode === 0));
});

// ------------------------------------------------------------------ FindCoordinator

test('FindCoordinator: single key (v0-3), batched keys (v4), transaction keys, bad key type', async (t) => {
  const c = await coordinator(t);
  const ep = { host: 'broker.local', port: 9092 };
  const v0 = await c.findCoordinator({ key: 'g', keyType: 0, coordinatorKeys: [] }, 0, ep);
  t.like(v0, { errorCode: 0, nodeId: 7, host: 'broker.local', port: 9092 });
  const txn = await c.findCoordinator({ key: 'my-txn', keyType: 1, coordinatorKeys: [] }, 3, ep);
  t.like(txn, { errorCode: 0, nodeId: 7, errorMessage: null });
  const bad = await c.findCoordinator({ key: 'g', keyType: 9, coordinatorKeys: [] }, 2, ep);
  t.is(bad.errorCode, E.INVALID_REQUEST);
  const v4 = await c.findCoordinator({ key: '', keyType: 0, coordinatorKeys: ['a', 'b'] }, 4, { ...ep, nodeId: 3 });
  t.deepEqual(v4.coordinators, [
    { key: 'a', nodeId: 3, host: 'broker.local', port: 9092, errorCode: 0, errorMessage: null },
    { key: 'b', nodeId: 3, host: 'broker.local', port: 9092, errorCode: 0, errorMessage: null },
  ]);
  const v4txn = await c.findCoordinator({ key: '', keyType: 1, coordinatorKeys: ['tx'] }, 4, ep);
  t.is(v4txn.coordinators[0]!.nodeId, 7);
});

// ------------------------------------------------------------------ DeleteGroups / OffsetDelete

test('DeleteGroups: unknown -> GROUP_ID_NOT_FOUND, active -> NON_EMPTY_GROUP, empty -> deleted with its offsets', async (t) => {
  const c = await coordinator(t);
  await soloMember(c, 'active');
  await c.offsetCommit(commitReq('idle', -1, '', [['t', 0, 5]]), 2);
  const r = await c.deleteGroups({ groupsNames: ['missing', 'active', 'idle'] }, 2);
  t.deepEqual(r.results, [
    { groupId: 'missing', errorCode: E.GROUP_ID_NOT_FOUND },
    { groupId: 'active', errorCode: E.NON_EMPTY_GROUP },
    { groupId: 'idle', errorCode: E.NONE },
  ]);
  t.is(await fetchOne(c, 'idle', 't', 0), -1);
  t.is(c.describeGroup('idle'), undefined);
  t.deepEqual((await c.deleteGroups({ groupsNames: ['idle'] }, 0)).results[0]!.errorCode, E.GROUP_ID_NOT_FOUND);
});

test('OffsetDelete: refuses subscribed topics of an active group, deletes others and everything of an empty group', async (t) => {
  const c = await coordinator(t);
  const m = await soloMember(c, 'g', ['t']);
  await c.offsetCommit(commitReq('g', m.generationId, m.memberId, [['t', 0, 1], ['old', 0, 2], ['old', 1, 3]]), 5);
  const r = await c.offsetDelete({ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }, { name: 'old', partitions: [{ partitionIndex: 0 }] }] }, 0);
  t.is(r.errorCode, 0);
  t.deepEqual(r.topics.map((tp) => [tp.name, tp.partitions[0]!.errorCode]), [['t', E.GROUP_SUBSCRIBED_TO_TOPIC], ['old', 0]]);
  t.is(await fetchOne(c, 'g', 'old', 0), -1);
  t.is(await fetchOne(c, 'g', 'old', 1), 3);
  t.is(await fetchOne(c, 'g', 't', 0), 1);

  await c.leaveGroup({ groupId: 'g', memberId: m.memberId, members: [] }, 1);
  const r2 = await c.offsetDelete({ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] }, 0);
  t.is(r2.topics[0]!.partitions[0]!.errorCode, 0);
  t.is(await fetchOne(c, 'g', 't', 0), -1);

  t.is((await c.offsetDelete({ groupId: 'missing', topics: [] }, 0)).errorCode, E.GROUP_ID_NOT_FOUND);
  t.is((await c.offsetDelete({ groupId: '', topics: [] }, 0)).errorCode, E.INVALID_GROUP_ID);
});

// ------------------------------------------------------------------ persistence

test('committed offsets survive a restart on the same __consumer_offsets, including deletions', async (t) => {
  const log = new MemoryTopicLog(5);
  const first = unstarted({ nodeId: 1, offsetStore: new PartitionOffsetStore(log) });
  await first.start();
  await first.offsetCommit(commitReq('keep', -1, '', [['t', 0, 10, 'hello'], ['t', 1, 20]]), 2);
  await first.offsetCommit(commitReq('keep', -1, '', [['t', 0, 15, 'again']]), 8);
  await first.offsetCommit(commitReq('gone', -1, '', [['t', 0, 1]]), 2);
  await first.offsetCommit(commitReq('partial', -1, '', [['x', 0, 1], ['x', 1, 2]]), 2);
  t.is((await first.deleteGroups({ groupsNames: ['gone'] }, 1)).results[0]!.errorCode, 0);
  await first.offsetDelete({ groupId: 'partial', topics: [{ name: 'x', partitions: [{ partitionIndex: 0 }] }] }, 0);
  await first.close();

  const second = await coordinator(t, { offsetStore: new PartitionOffsetStore(log) });
  const kept = await second.offsetFetch({ groupId: 'keep', topics: null, groups: [], requireStable: false }, 5);
  t.deepEqual(
    kept.topics[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.committedLeaderEpoch]),
    [
      [0, 15, 'again', 3],
      [1, 20, '', -1],
    ],
    'v2 commits carry no leader epoch; v8 ones do',
  );
  t.is(await fetchOne(second, 'gone', 't', 0), -1);
  t.is(await fetchOne(second, 'partial', 'x', 0), -1);
  t.is(await fetchOne(second, 'partial', 'x', 1), 2);
  const list = await second.listGroups({ statesFilter: [] }, 4);
  t.deepEqual(list.groups.map((g) => [g.groupId, g.groupState]).sort(), [['keep', 'Empty'], ['partial', 'Empty']]);
  // After a restart nobody is a member: the old generation's commits are refused, simple commits work.
  t.deepEqual(codes(await second.offsetCommit(commitReq('keep', 1, 'old-member', [['t', 0, 99]]), 5)), [E.UNKNOWN_MEMBER_ID]);
});

test('__consumer_offsets records use Kafka key v1 / value v3, land on hash(group) % N, tombstone deletions', async (t) => {
  // Java's String.hashCode, then Utils.abs, then modulo: the same partition a Kafka broker would pick.
  t.is(offsetsPartitionFor('', 50), 0);
  t.is(offsetsPartitionFor('abc', 1000), 354, '"abc".hashCode() = 96354');
  t.is(offsetsPartitionFor('hello', 50), 99_162_322 % 50);
  t.is(offsetsPartitionFor('polygenelubricants', 50), 0, 'hashCode is Integer.MIN_VALUE, which Utils.abs maps to 0');
  t.is(offsetsPartitionFor('console-consumer-12345', 50), javaHash('console-consumer-12345') % 50);
  const key = { groupId: 'g', topic: 'tp', partition: 7 };
  const keyBytes = encodeOffsetKey(key);
  t.deepEqual([...keyBytes], [0, 1, 0, 1, 0x67, 0, 2, 0x74, 0x70, 0, 0, 0, 7]);
  const value = { ...key, offset: 2 ** 40, leaderEpoch: 3, metadata: 'm', commitTimestamp: 1_700_000_000_000, expireTimestamp: null };
  const valueBytes = encodeOffsetValue(value);
  t.is(valueBytes.readInt16BE(0), 3);
  t.is(Number(valueBytes.readBigInt64BE(2)), 2 ** 40);
  t.is(valueBytes.readInt32BE(10), 3);
  t.deepEqual(decodeOffsetKey(keyBytes), key);
  t.deepEqual(decodeOffsetValue(key, valueBytes), value);
  t.is(decodeOffsetKey(Buffer.from([0, 2, 0, 1, 0x67])), null, 'group metadata keys (v2) are not offsets');

  const log = new MemoryTopicLog(4);
  const store = new PartitionOffsetStore(log);
  t.deepEqual([...(await store.load())], []);
  const rec = (groupId: string, partition: number, offset: number) => ({ groupId, topic: 't', partition, offset, leaderEpoch: -1, metadata: '', commitTimestamp: 5, expireTimestamp: null });
  await store.append([rec('a', 0, 1), rec('a', 1, 2)]);
  await store.append([rec('b', 0, 9)]);
  await Promise.all([store.append([rec('a', 0, 3)]), store.append([rec('a', 0, 4)])]);
  await store.remove([{ groupId: 'a', topic: 't', partition: 1 }]);
  await store.close();
  const home = offsetsPartitionFor('a', 4);
  const seen: [string, number, number | null][] = [];
  readRecordBatches((await log.read(home, 0, 1 << 20))!, (r) => {
    const k = decodeOffsetKey(r.key!)!;
    seen.push([k.groupId, k.partition, r.value ? decodeOffsetValue(k, r.value)!.offset : null]);
  });
  t.deepEqual(
    seen.filter(([g]) => g === 'a'),
    [['a', 0, 1], ['a', 1, 2], ['a', 0, 3], ['a', 0, 4], ['a', 1, null]],
    'one partition per group, in call order, deletions as null values',
  );
  const reloaded = [...(await new PartitionOffsetStore(log).load())].map((o) => [o.groupId, o.partition, o.offset]).sort();
  t.deepEqual(reloaded, [['a', 0, 4], ['b', 0, 9]]);
});

function javaHash(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h === -2147483648 ? 0 : Math.abs(h);
}

test('offsets of empty groups expire after offsets.retention; active consumer groups keep subscribed topics', async (t) => {
  const clock = new ManualClock(1_000_000);
  const log = new MemoryTopicLog(3);
  const c = await coordinator(t, { offsetStore: new PartitionOffsetStore(log), offsetsRetentionMs: 1000, clock });
  await c.offsetCommit(commitReq('idle', -1, '', [['t', 0, 5]]), 2);
  const m = await soloMember(c, 'busy', ['t']);
  await c.offsetCommit(commitReq('busy', m.generationId, m.memberId, [['t', 0, 7], ['old', 0, 1]]), 2);
  await clock.advance(999);
  t.is(await c.expireOffsets(), 0);
  await clock.advance(2);
  t.is(await c.expireOffsets(), 2, 'the empty group and the unsubscribed topic of the active one');
  t.is(await fetchOne(c, 'idle', 't', 0), -1);
  t.is(await fetchOne(c, 'busy', 't', 0), 7);
  t.is(await fetchOne(c, 'busy', 'old', 0), -1);
  t.deepEqual((await c.listGroups({ statesFilter: [] }, 4)).groups.map((g) => g.groupId), ['busy'], 'an empty group without offsets is forgotten');
  // Once the member leaves, the clock starts when the group became empty, not at the older commit.
  await c.leaveGroup({ groupId: 'busy', memberId: m.memberId, members: [] }, 1);
  await clock.advance(500);
  t.is(await c.expireOffsets(), 0);
  await clock.advance(600);
  t.is(await c.expireOffsets(), 1);
  const again = await coordinator(t, { offsetStore: new PartitionOffsetStore(log) });
  t.deepEqual(again.groupOffsets('busy'), [], 'expirations are persisted as tombstones');
  t.deepEqual(again.groupOffsets('idle'), []);
});

test('the expiry sweep runs every offsets.retention.check.interval.ms on the coordinator clock', async (t) => {
  const c = await coordinator(t, { offsetsRetentionMs: 1000, emptyGroupSweepIntervalMs: 5000 });
  await c.offsetCommit(commitReq('idle', -1, '', [['t', 0, 5]]), 2);
  await c.clock.advance(4999);
  t.is(await fetchOne(c, 'idle', 't', 0), 5, 'past its retention, but no sweep has run yet');
  await c.clock.advance(1);
  t.is(await fetchOne(c, 'idle', 't', 0), -1, 'the first sweep expired it');
  t.is(c.describeGroup('idle'), undefined, 'and forgot the group it left without offsets');
  await c.offsetCommit(commitReq('later', -1, '', [['t', 0, 1]]), 2);
  await c.clock.advance(4999);
  t.is(await fetchOne(c, 'later', 't', 0), 1);
  await c.clock.advance(1);
  t.is(await fetchOne(c, 'later', 't', 0), -1, 'the sweep runs again one interval later');
});

test('a MemoryOffsetStore shared by two coordinators behaves like a restart', async (t) => {
  const store = new MemoryOffsetStore();
  const a = await coordinator(t, { offsetStore: store });
  await a.offsetCommit(commitReq('g', -1, '', [['t', 0, 3]]), 2);
  const b = await coordinator(t, { offsetStore: store });
  t.is(await fetchOne(b, 'g', 't', 0), 3);
});

// ------------------------------------------------------------------ lag

test('consumerLag compares committed offsets with log end offsets', async (t) => {
  const c = await coordinator(t);
  await c.offsetCommit(commitReq('g', -1, '', [['t', 1, 90], ['t', 0, 40], ['gone', 0, 5]]), 2);
  const ends: Record<string, number> = { 't-0': 100, 't-1': 80 };
  const leo = (topic: string, partition: number): number | undefined => ends[`${topic}-${partition}`];
  const lag = consumerLag(c.groupOffsets('g'), leo);
  t.deepEqual(lag, [
    { topic: 'gone', partition: 0, committedOffset: 5, logEndOffset: null, lag: null },
    { topic: 't', partition: 0, committedOffset: 40, logEndOffset: 100, lag: 60 },
    { topic: 't', partition: 1, committedOffset: 90, logEndOffset: 80, lag: 0 },
  ]);
  t.deepEqual(c.groupLag('g', leo), lag);
});
