import test, { type ExecutionContext } from 'ava';
import { GroupCoordinator, type GroupCoordinatorOptions } from '../../src/group/index.js';
import { ErrorCode as E } from '../../src/protocol/error-codes.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../../src/protocol/generated/join-group.js';
import type { SyncGroupRequest } from '../../src/protocol/generated/sync-group.js';
import { GroupRequests } from './group-requests.js';
import { ManualClock, settle } from './manual-clock.js';

// ------------------------------------------------------------------ helpers

/** A started coordinator on a manual clock (c.clock), reached through the group handlers. */
async function coordinator(t: ExecutionContext, options: Partial<GroupCoordinatorOptions> = {}): Promise<GroupRequests> {
  const clock = new ManualClock();
  const c = new GroupRequests(new GroupCoordinator({ nodeId: 1, initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1, ...options, clock }), clock);
  await c.start();
  t.teardown(() => c.close());
  return c;
}

/** Tracks whether a promise has settled yet. */
function watch<T>(promise: Promise<T>): { readonly done: boolean; promise: Promise<T> } {
  const state = { done: false, promise };
  void promise.then(() => {
    state.done = true;
  });
  return state;
}

/** ConsumerProtocolSubscription v0: int16 version, topics as int16-length strings, empty user data. */
function subscription(topics: string[], userData = ''): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0]), int32(topics.length)];
  for (const t of topics) parts.push(int16(Buffer.byteLength(t)), Buffer.from(t));
  parts.push(int32(Buffer.byteLength(userData)), Buffer.from(userData));
  return Buffer.concat(parts);
}
const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

interface JoinOpts {
  memberId?: string;
  instanceId?: string | null;
  protocols?: { name: string; metadata: Buffer }[];
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  groupId?: string;
}

function joinReq(o: JoinOpts = {}): JoinGroupRequest {
  return {
    groupId: o.groupId ?? 'g',
    sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
    rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 10_000,
    memberId: o.memberId ?? '',
    groupInstanceId: o.instanceId ?? null,
    protocolType: 'consumer',
    protocols: o.protocols ?? [{ name: 'range', metadata: subscription(['t']) }],
    reason: null,
  };
}

function syncReq(memberId: string, generationId: number, assignments: Record<string, string> = {}, groupId = 'g'): SyncGroupRequest {
  return {
    groupId,
    generationId,
    memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: Object.entries(assignments).map(([id, a]) => ({ memberId: id, assignment: Buffer.from(a) })),
  };
}

/** JoinGroup v4+ two-step: MEMBER_ID_REQUIRED, then the real (parked) join. */
async function memberId(c: GroupRequests, client: string, o: JoinOpts = {}): Promise<string> {
  const r = await c.joinGroup(joinReq(o), 5, client, '/127.0.0.1');
  if (r.errorCode !== E.MEMBER_ID_REQUIRED) throw new Error(`expected MEMBER_ID_REQUIRED, got ${r.errorCode}`);
  return r.memberId;
}

const hb = (c: GroupRequests, memberId: string, generationId: number, groupId = 'g'): Promise<number> =>
  c.heartbeat({ groupId, generationId, memberId, groupInstanceId: null }, 4).then((r) => r.errorCode);

/** Three dynamic members through a full first generation; returns ids in join order plus the responses. */
async function stableGroupOfThree(c: GroupRequests, o: JoinOpts = {}): Promise<{ ids: string[]; joins: JoinGroupResponse[] }> {
  const ids = [await memberId(c, 'a', o), await memberId(c, 'b', o), await memberId(c, 'c', o)];
  const joins = await Promise.all(ids.map((id) => c.joinGroup(joinReq({ ...o, memberId: id }), 5, 'x', '/h')));
  const gen = joins[0]!.generationId;
  const leader = joins[0]!.leader;
  const followers = ids.filter((id) => id !== leader);
  const followerSyncs = followers.map((id) => c.syncGroup(syncReq(id, gen), 5));
  const assign: Record<string, string> = {};
  for (const id of ids) assign[id] = `assignment-of-${id}`;
  const leaderSync = await c.syncGroup(syncReq(leader, gen, assign), 5);
  if (leaderSync.errorCode !== 0) throw new Error('leader sync failed');
  await Promise.all(followerSyncs);
  return { ids, joins };
}

// ------------------------------------------------------------------ membership

test('first JoinGroup v4+ gets MEMBER_ID_REQUIRED, the rejoin with that id completes a generation', async (t) => {
  const c = await coordinator(t);
  const first = await c.joinGroup(joinReq(), 4, 'client-1', '/10.0.0.1');
  t.is(first.errorCode, E.MEMBER_ID_REQUIRED);
  t.regex(first.memberId, /^client-1-[0-9a-f-]{36}$/);
  t.is(first.generationId, -1);
  t.is(first.protocolName, '', 'v4 has a non-nullable protocol name');

  const second = await c.joinGroup(joinReq({ memberId: first.memberId }), 4, 'client-1', '/10.0.0.1');
  t.is(second.errorCode, E.NONE);
  t.is(second.generationId, 1);
  t.is(second.leader, first.memberId);
  t.is(second.memberId, first.memberId);
  t.is(second.protocolName, 'range');
  t.deepEqual(second.members.map((m) => m.memberId), [first.memberId]);
  t.deepEqual(second.members[0]!.metadata, subscription(['t']));

  const v7 = await c.joinGroup(joinReq({ groupId: 'other' }), 7, 'client-1', '/h');
  t.is(v7.protocolName, null, 'v7+ answers errors with a null protocol name');
  await c.close();
});

test('JoinGroup v0-v3 (kafka-python sends v2) hands out the member id on the first join', async (t) => {
  const c = await coordinator(t);
  const r = await c.joinGroup(joinReq({ sessionTimeoutMs: 5000, rebalanceTimeoutMs: -1 }), 2, 'kafka-python-2.0.2', '/h');
  t.is(r.errorCode, E.NONE);
  t.is(r.generationId, 1);
  t.is(r.leader, r.memberId);
  t.true(r.memberId.startsWith('kafka-python-2.0.2-'));
  await c.close();
});

test('three members form one generation; the leader gets everyone\'s metadata; sync distributes assignments', async (t) => {
  const c = await coordinator(t);
  const ids = [await memberId(c, 'a'), await memberId(c, 'b'), await memberId(c, 'c')];
  const joins = await Promise.all(
    ids.map((id, i) => c.joinGroup(joinReq({ memberId: id, protocols: [{ name: 'range', metadata: subscription([`t${i}`]) }] }), 5, 'x', '/h')),
  );
  t.true(joins.every((j) => j.errorCode === 0 && j.generationId === 1));
  const leader = joins[0]!.leader;
  t.is(leader, ids[0]!, 'the first member to join leads');
  t.true(joins.every((j) => j.leader === leader));
  const leaderJoin = joins.find((j) => j.memberId === leader)!;
  t.deepEqual(
    leaderJoin.members.map((m) => [m.memberId, m.metadata.toString('hex')]),
    ids.map((id, i) => [id, subscription([`t${i}`]).toString('hex')]),
  );
  for (const j of joins) if (j.memberId !== leader) t.deepEqual(j.members, []);
  t.is(c.describeGroup('g')?.state, 'CompletingRebalance');

  // Followers sync first and wait for the leader's assignment.
  let followersDone = false;
  const followerSyncs = Promise.all([c.syncGroup(syncReq(ids[1]!, 1), 5), c.syncGroup(syncReq(ids[2]!, 1), 5)]).then((r) => {
    followersDone = true;
    return r;
  });
  await settle();
  t.false(followersDone, 'followers wait for the leader');
  // The leader leaves ids[2] out: it gets an empty assignment.
  const leaderSync = await c.syncGroup(syncReq(leader, 1, { [ids[0]!]: 'A', [ids[1]!]: 'B' }), 5);
  t.is(leaderSync.errorCode, 0);
  t.is(leaderSync.assignment.toString(), 'A');
  t.is(leaderSync.protocolName, 'range');
  t.is(leaderSync.protocolType, 'consumer');
  const [s1, s2] = await followerSyncs;
  t.is(s1.assignment.toString(), 'B');
  t.is(s2.errorCode, 0);
  t.is(s2.assignment.length, 0);
  t.is(c.describeGroup('g')?.state, 'Stable');

  // A late SyncGroup in Stable returns the stored assignment.
  t.is((await c.syncGroup(syncReq(ids[1]!, 1), 5)).assignment.toString(), 'B');
  for (const id of ids) t.is(await hb(c, id, 1), E.NONE);
  await c.close();
});

test('a member leaves: the others see REBALANCE_IN_PROGRESS on heartbeat, rejoin and get a new generation', async (t) => {
  const c = await coordinator(t);
  const { ids } = await stableGroupOfThree(c);
  const leave = await c.leaveGroup({ groupId: 'g', memberId: '', members: [{ memberId: ids[1]!, groupInstanceId: null, reason: null }] }, 4);
  t.is(leave.errorCode, 0);
  t.deepEqual(leave.members.map((m) => m.errorCode), [0]);
  t.is(c.describeGroup('g')?.state, 'PreparingRebalance');

  t.is(await hb(c, ids[0]!, 1), E.REBALANCE_IN_PROGRESS);
  t.is(await hb(c, ids[2]!, 1), E.REBALANCE_IN_PROGRESS);
  t.is(await hb(c, ids[1]!, 1), E.UNKNOWN_MEMBER_ID, 'the member that left is gone');

  const rejoined = await Promise.all([ids[0]!, ids[2]!].map((id) => c.joinGroup(joinReq({ memberId: id }), 5, 'x', '/h')));
  t.true(rejoined.every((j) => j.errorCode === 0 && j.generationId === 2));
  t.is(rejoined[0]!.leader, ids[0]!);
  t.is(rejoined[0]!.members.length, 2);
  t.is(await hb(c, ids[0]!, 1), E.ILLEGAL_GENERATION, 'old generation');
  t.is(await hb(c, ids[0]!, 2), E.NONE);
  await c.close();
});

test('LeaveGroup v0-v2 shapes: top-level error, unknown member, unknown group', async (t) => {
  const c = await coordinator(t);
  const id = (await c.joinGroup(joinReq(), 1, 'kp', '/h')).memberId;
  t.is((await c.leaveGroup({ groupId: 'g', memberId: 'nobody', members: [] }, 1)).errorCode, E.UNKNOWN_MEMBER_ID);
  t.is((await c.leaveGroup({ groupId: 'nope', memberId: id, members: [] }, 1)).errorCode, E.UNKNOWN_MEMBER_ID);
  const ok = await c.leaveGroup({ groupId: 'g', memberId: id, members: [] }, 1);
  t.is(ok.errorCode, 0);
  t.deepEqual(ok.members, []);
  t.is(c.describeGroup('g')?.state, 'Empty');
  t.is(c.describeGroup('g')?.generationId, 2, 'going empty ends the generation');
  await c.close();
});

test('session timeout evicts a silent member and starts a rebalance', async (t) => {
  const c = await coordinator(t);
  const a = await memberId(c, 'a', { sessionTimeoutMs: 150 });
  const b = await memberId(c, 'b', { sessionTimeoutMs: 150 });
  const joins = await Promise.all([a, b].map((id) => c.joinGroup(joinReq({ memberId: id, sessionTimeoutMs: 150, rebalanceTimeoutMs: 1000 }), 5, 'x', '/h')));
  t.is(joins[0]!.generationId, 1);
  const syncB = c.syncGroup(syncReq(b, 1), 5);
  await c.syncGroup(syncReq(a, 1, { [a]: 'A', [b]: 'B' }), 5);
  await syncB;

  // Only a keeps heartbeating.
  let sawRebalance = false;
  for (let i = 0; i < 8; i++) {
    await c.clock.advance(50);
    const code = await hb(c, a, 1);
    if (code === E.REBALANCE_IN_PROGRESS) {
      sawRebalance = true;
      break;
    }
    t.is(code, E.NONE);
  }
  t.true(sawRebalance, 'a is told to rejoin after b expires');
  t.deepEqual(c.describeGroup('g')?.members.map((m) => m.memberId), [a]);
  const rejoin = await c.joinGroup(joinReq({ memberId: a, sessionTimeoutMs: 150, rebalanceTimeoutMs: 1000 }), 5, 'x', '/h');
  t.is(rejoin.generationId, 2);
  t.deepEqual(rejoin.members.map((m) => m.memberId), [a]);
  t.is(await hb(c, b, 1), E.UNKNOWN_MEMBER_ID);
  await c.close();
});

test('a member that does not rejoin within the rebalance timeout is dropped from the new generation', async (t) => {
  const c = await coordinator(t);
  // The rebalance waits for the largest rebalance timeout among members.
  const { ids } = await stableGroupOfThree(c, { rebalanceTimeoutMs: 200 });
  // The leader rejoining while Stable starts a rebalance; only ids[1] follows it.
  const leaderJoin = watch(c.joinGroup(joinReq({ memberId: ids[0]!, rebalanceTimeoutMs: 200 }), 5, 'x', '/h'));
  t.is(await hb(c, ids[2]!, 1), E.REBALANCE_IN_PROGRESS);
  const followerJoin = watch(c.joinGroup(joinReq({ memberId: ids[1]!, rebalanceTimeoutMs: 200 }), 5, 'x', '/h'));
  await c.clock.advance(199);
  t.false(leaderJoin.done || followerJoin.done, 'waited for the straggler until the rebalance timeout');
  await c.clock.advance(1);
  t.true(leaderJoin.done && followerJoin.done, 'the rebalance completes at its timeout');
  const [l, f] = await Promise.all([leaderJoin.promise, followerJoin.promise]);
  t.is(l.generationId, 2);
  t.is(f.generationId, 2);
  t.deepEqual(l.members.map((m) => m.memberId).sort(), [ids[0]!, ids[1]!].sort());
  t.is(await hb(c, ids[2]!, 1), E.UNKNOWN_MEMBER_ID);
  const late = await c.joinGroup(joinReq({ memberId: ids[2]! }), 5, 'x', '/h');
  t.is(late.errorCode, E.UNKNOWN_MEMBER_ID);
  await c.close();
});

test('a member that never sends SyncGroup is removed after the rebalance timeout', async (t) => {
  const c = await coordinator(t);
  const a = await memberId(c, 'a');
  const b = await memberId(c, 'b');
  const [ja] = await Promise.all([a, b].map((id) => c.joinGroup(joinReq({ memberId: id, rebalanceTimeoutMs: 100 }), 5, 'x', '/h')));
  await c.syncGroup(syncReq(a, ja!.generationId, { [a]: 'A', [b]: 'B' }), 5);
  t.is(c.describeGroup('g')?.state, 'Stable');
  await c.clock.advance(99);
  t.is(c.describeGroup('g')?.members.length, 2, 'b still has until the rebalance timeout');
  await c.clock.advance(1);
  t.deepEqual(c.describeGroup('g')?.members.map((m) => m.memberId), [a]);
  t.is(await hb(c, a, 1), E.REBALANCE_IN_PROGRESS);
  await c.close();
});

test('protocol selection: the protocol all members support that most of them prefer', async (t) => {
  const c = await coordinator(t);
  const p = (...names: string[]): { name: string; metadata: Buffer }[] => names.map((name) => ({ name, metadata: Buffer.from(name) }));
  const ids = [await memberId(c, 'a'), await memberId(c, 'b'), await memberId(c, 'c')];
  const prefs = [p('range', 'roundrobin', 'sticky'), p('roundrobin', 'range'), p('sticky', 'roundrobin', 'range')];
  const joins = await Promise.all(ids.map((id, i) => c.joinGroup(joinReq({ memberId: id, protocols: prefs[i]! }), 5, 'x', '/h')));
  // b lacks sticky, so the candidates are range and roundrobin: a votes range, b and c vote roundrobin.
  t.is(joins[0]!.protocolName, 'roundrobin');
  t.deepEqual(joins[0]!.members.map((m) => m.metadata.toString()), ['roundrobin', 'roundrobin', 'roundrobin']);

  const bad = await c.joinGroup(joinReq({ protocols: p('cooperative-sticky') }), 3, 'x', '/h');
  t.is(bad.errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  const wrongType = await c.joinGroup({ ...joinReq(), protocolType: 'connect' }, 3, 'x', '/h');
  t.is(wrongType.errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  const noProtocols = await c.joinGroup(joinReq({ groupId: 'fresh', protocols: [] }), 3, 'x', '/h');
  t.is(noProtocols.errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  await c.close();
});

test('rejoin while Stable: changed metadata or the leader triggers a rebalance; an identical follower rejoin does not', async (t) => {
  const c = await coordinator(t);
  const { ids } = await stableGroupOfThree(c);
  // Identical follower metadata: current generation handed back, nobody else disturbed.
  const same = await c.joinGroup(joinReq({ memberId: ids[1]! }), 5, 'x', '/h');
  t.is(same.errorCode, 0);
  t.is(same.generationId, 1);
  t.is(c.describeGroup('g')?.state, 'Stable');
  t.is(await hb(c, ids[0]!, 1), E.NONE);

  // Cooperative-style rejoin: the follower revoked partitions, so its subscription (owned partitions) changed.
  const changed = joinReq({ memberId: ids[2]!, protocols: [{ name: 'range', metadata: subscription(['t'], 'owned:none') }] });
  const pending = c.joinGroup(changed, 5, 'x', '/h');
  t.is(c.describeGroup('g')?.state, 'PreparingRebalance');
  t.is(await hb(c, ids[0]!, 1), E.REBALANCE_IN_PROGRESS);
  const others = [ids[0]!, ids[1]!].map((id) => c.joinGroup(joinReq({ memberId: id }), 5, 'x', '/h'));
  const [r2, r0] = await Promise.all([pending, ...others]);
  t.is(r2.generationId, 2);
  t.is(r0!.generationId, 2);
  const leaderView = r0!.members.find((m) => m.memberId === ids[2]);
  t.deepEqual(leaderView?.metadata, subscription(['t'], 'owned:none'), 'the leader sees the updated metadata');

  // Complete generation 2, then the leader alone rejoins with the same metadata: that is a rebalance too.
  const s = [ids[1]!, ids[2]!].map((id) => c.syncGroup(syncReq(id, 2), 5));
  await c.syncGroup(syncReq(ids[0]!, 2, {}), 5);
  await Promise.all(s);
  t.is(c.describeGroup('g')?.state, 'Stable');
  const leaderRejoin = c.joinGroup(joinReq({ memberId: ids[0]! }), 5, 'x', '/h');
  t.is(c.describeGroup('g')?.state, 'PreparingRebalance');
  const rest = [ids[1]!, ids[2]!].map((id, i) =>
    c.joinGroup(i === 1 ? changed : joinReq({ memberId: id }), 5, 'x', '/h'),
  );
  const all = await Promise.all([leaderRejoin, ...rest]);
  t.true(all.every((r) => r.generationId === 3));
  await c.close();
});

test('initial rebalance delay collects members that arrive within it into one generation', async (t) => {
  const c = await coordinator(t, { initialRebalanceDelayMs: 150 });
  const first = watch(c.joinGroup(joinReq({ rebalanceTimeoutMs: 2000 }), 3, 'a', '/h'));
  await c.clock.advance(100);
  const second = watch(c.joinGroup(joinReq({ rebalanceTimeoutMs: 2000 }), 3, 'b', '/h'));
  await c.clock.advance(199);
  t.false(first.done || second.done, 'the second member extended the delay by one more period');
  await c.clock.advance(1);
  t.true(first.done && second.done, 'one delay period after the second member arrived, the first generation starts');
  const [a, b] = await Promise.all([first.promise, second.promise]);
  t.is(a.generationId, 1);
  t.is(b.generationId, 1);
  t.is(a.members.length + b.members.length, 2, 'the leader sees both');
  await c.close();
});

test('heartbeat and sync errors: unknown group, unknown member, illegal generation, empty group id', async (t) => {
  const c = await coordinator(t);
  t.is(await hb(c, 'm', 1, 'missing'), E.UNKNOWN_MEMBER_ID);
  t.is(await hb(c, 'm', 1, ''), E.INVALID_GROUP_ID);
  t.is((await c.syncGroup(syncReq('m', 1, {}, 'missing'), 3)).errorCode, E.UNKNOWN_MEMBER_ID);
  t.is((await c.syncGroup(syncReq('m', 1, {}, ''), 3)).errorCode, E.INVALID_GROUP_ID);
  t.is((await c.joinGroup(joinReq({ groupId: '' }), 5, 'x', '/h')).errorCode, E.INVALID_GROUP_ID);
  t.is((await c.leaveGroup({ groupId: '', memberId: 'm', members: [] }, 1)).errorCode, E.INVALID_GROUP_ID);
  t.is((await c.joinGroup(joinReq({ memberId: 'ghost' }), 5, 'x', '/h')).errorCode, E.UNKNOWN_MEMBER_ID);

  const strict = await coordinator(t, { minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 30_000 });
  t.is((await strict.joinGroup(joinReq({ sessionTimeoutMs: 1000 }), 5, 'x', '/h')).errorCode, E.INVALID_SESSION_TIMEOUT);
  t.is((await strict.joinGroup(joinReq({ sessionTimeoutMs: 60_000 }), 5, 'x', '/h')).errorCode, E.INVALID_SESSION_TIMEOUT);
  await strict.close();

  const id = (await c.joinGroup(joinReq(), 3, 'x', '/h')).memberId;
  t.is(await hb(c, id, 7), E.ILLEGAL_GENERATION);
  t.is(await hb(c, 'stranger', 1), E.UNKNOWN_MEMBER_ID);
  t.is((await c.syncGroup(syncReq(id, 7), 3)).errorCode, E.ILLEGAL_GENERATION);
  const mismatch = await c.syncGroup({ ...syncReq(id, 1), protocolName: 'roundrobin' }, 5);
  t.is(mismatch.errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  t.is(await hb(c, id, 1), E.NONE, 'heartbeats are fine while waiting for the leader sync');
  await c.close();
});

test('static membership: a restart with the same instance id takes over without a rebalance; the old id is fenced', async (t) => {
  const c = await coordinator(t);
  // v5 with an instance id: no MEMBER_ID_REQUIRED round trip.
  const j1 = c.joinGroup(joinReq({ instanceId: 'host-1' }), 5, 'app', '/h');
  const j2 = c.joinGroup(joinReq({ instanceId: 'host-2' }), 5, 'app', '/h');
  const [r1, r2] = await Promise.all([j1, j2]);
  t.is(r1.errorCode, 0);
  t.true(r1.memberId.startsWith('host-1-'));
  const leader = r1.leader;
  const follower = leader === r1.memberId ? r2.memberId : r1.memberId;
  const fs = c.syncGroup(syncReq(follower, 1), 5);
  await c.syncGroup(syncReq(leader, 1, { [r1.memberId]: 'P0', [r2.memberId]: 'P1' }), 5);
  await fs;

  // host-2 restarts: unknown member id, same instance id and subscription.
  const again = await c.joinGroup(joinReq({ instanceId: 'host-2' }), 5, 'app', '/h');
  t.is(again.errorCode, 0);
  t.not(again.memberId, r2.memberId);
  t.is(again.generationId, 1, 'no new generation');
  t.is(c.describeGroup('g')?.state, 'Stable');
  const sync = await c.syncGroup({ ...syncReq(again.memberId, 1), groupInstanceId: 'host-2' }, 5);
  t.is(sync.assignment.toString(), 'P1', 'the assignment carries over');

  // The stale process is fenced everywhere.
  const staleHb = await c.heartbeat({ groupId: 'g', generationId: 1, memberId: r2.memberId, groupInstanceId: 'host-2' }, 4);
  t.is(staleHb.errorCode, E.FENCED_INSTANCE_ID);
  const staleJoin = await c.joinGroup(joinReq({ memberId: r2.memberId, instanceId: 'host-2' }), 5, 'app', '/h');
  t.is(staleJoin.errorCode, E.FENCED_INSTANCE_ID);
  const staleCommit = await c.offsetCommit(
    {
      groupId: 'g',
      generationIdOrMemberEpoch: 1,
      memberId: r2.memberId,
      groupInstanceId: 'host-2',
      retentionTimeMs: -1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }],
    },
    7,
  );
  t.is(staleCommit.topics[0]!.partitions[0]!.errorCode, E.FENCED_INSTANCE_ID);
  const goodHb = await c.heartbeat({ groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: 'host-2' }, 4);
  t.is(goodHb.errorCode, 0);
  const unknownInstance = await c.heartbeat({ groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: 'host-9' }, 4);
  t.is(unknownInstance.errorCode, E.UNKNOWN_MEMBER_ID);

  // Leaving by instance id alone (LeaveGroup v3+ batch).
  const leave = await c.leaveGroup(
    { groupId: 'g', memberId: '', members: [{ memberId: '', groupInstanceId: 'host-2', reason: null }, { memberId: r2.memberId, groupInstanceId: 'host-1', reason: null }] },
    3,
  );
  t.deepEqual(leave.members.map((m) => m.errorCode), [E.NONE, E.FENCED_INSTANCE_ID]);
  t.is(c.describeGroup('g')?.state, 'PreparingRebalance');
  await c.close();
});

test('static leader restart: v9 learns it leads and may skip assignment, older versions see the previous leader', async (t) => {
  const c = await coordinator(t);
  const r = await c.joinGroup(joinReq({ instanceId: 'solo' }), 9, 'app', '/h');
  await c.syncGroup(syncReq(r.memberId, 1, { [r.memberId]: 'ALL' }), 5);
  const v9 = await c.joinGroup(joinReq({ instanceId: 'solo' }), 9, 'app', '/h');
  t.is(v9.leader, v9.memberId);
  t.true(v9.skipAssignment);
  t.is(v9.members.length, 1);
  t.is(v9.generationId, 1);
  const v5 = await c.joinGroup(joinReq({ instanceId: 'solo' }), 5, 'app', '/h');
  t.is(v5.leader, v9.memberId, 'the previous leader id, so this member does not assign');
  t.not(v5.memberId, v9.memberId);
  t.deepEqual(v5.members, []);
  t.false(v5.skipAssignment);
  t.is(c.describeGroup('g')?.state, 'Stable');
  await c.close();
});

test('static member rejoining with a changed subscription while Stable triggers a rebalance', async (t) => {
  const c = await coordinator(t);
  const r = await c.joinGroup(joinReq({ instanceId: 'i1' }), 5, 'app', '/h');
  await c.syncGroup(syncReq(r.memberId, 1, {}), 5);
  const changed = await c.joinGroup(joinReq({ instanceId: 'i1', protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }] }), 5, 'app', '/h');
  t.is(changed.errorCode, 0);
  t.is(changed.generationId, 2);
  t.is(changed.leader, changed.memberId);
  await c.close();
});

test('a pending member (MEMBER_ID_REQUIRED, never rejoined) does not block the rebalance beyond its session timeout', async (t) => {
  const c = await coordinator(t);
  const a = await memberId(c, 'a');
  const ja = await c.joinGroup(joinReq({ memberId: a }), 5, 'x', '/h');
  await c.syncGroup(syncReq(a, ja.generationId, {}), 5);
  await c.joinGroup(joinReq({ sessionTimeoutMs: 100 }), 5, 'ghost', '/h'); // pending, never comes back
  const rejoining = watch(c.joinGroup(joinReq({ memberId: a }), 5, 'x', '/h'));
  await c.clock.advance(99);
  t.false(rejoining.done, 'waited for the pending member');
  await c.clock.advance(1);
  const rejoin = await rejoining.promise;
  t.is(rejoin.generationId, 2);
  t.is(rejoin.members.length, 1);
  await c.close();
});

test('DescribeGroups and ListGroups report state, protocol, members and assignments', async (t) => {
  const c = await coordinator(t);
  const { ids } = await stableGroupOfThree(c);
  await c.offsetCommit(
    {
      groupId: 'offsets-only',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }],
    },
    2,
  );
  const d = await c.describeGroups({ groups: ['g', 'offsets-only', 'missing'], includeAuthorizedOperations: true }, 5);
  const [g, offsetsOnly, missing] = d.groups;
  t.is(g!.groupState, 'Stable');
  t.is(g!.protocolType, 'consumer');
  t.is(g!.protocolData, 'range');
  t.deepEqual(g!.members.map((m) => m.memberId), ids);
  t.is(g!.members[0]!.memberAssignment.toString(), `assignment-of-${ids[0]}`);
  t.is(g!.members[0]!.clientHost, '/h');
  t.true(g!.authorizedOperations > 0);
  t.is(offsetsOnly!.groupState, 'Empty');
  t.is(offsetsOnly!.protocolType, '');
  t.is(missing!.groupState, 'Dead');
  t.is(missing!.errorCode, 0);

  const all = await c.listGroups({ statesFilter: [] }, 4);
  t.deepEqual(all.groups.map((x) => [x.groupId, x.protocolType, x.groupState]).sort(), [
    ['g', 'consumer', 'Stable'],
    ['offsets-only', '', 'Empty'],
  ]);
  const onlyEmpty = await c.listGroups({ statesFilter: ['empty'] }, 4);
  t.deepEqual(onlyEmpty.groups.map((x) => x.groupId), ['offsets-only']);
  await c.close();
});

test('close() answers parked JoinGroup calls with NOT_COORDINATOR and clears timers', async (t) => {
  const c = await coordinator(t, { initialRebalanceDelayMs: 60_000 });
  const parked = c.joinGroup(joinReq({ rebalanceTimeoutMs: 120_000 }), 3, 'x', '/h');
  await settle();
  t.true(c.clock.pendingTimers > 0, 'the initial delay and the session are running');
  await c.close();
  t.is(c.clock.pendingTimers, 0, 'close() cancelled every timer');
  const r = await parked;
  t.is(r.errorCode, E.NOT_COORDINATOR);
  t.is((await c.heartbeat({ groupId: 'g', generationId: 0, memberId: r.memberId, groupInstanceId: null }, 4)).errorCode, E.NOT_COORDINATOR);
});

test('requests before start() get COORDINATOR_LOAD_IN_PROGRESS', async (t) => {
  const clock = new ManualClock();
  const c = new GroupRequests(new GroupCoordinator({ nodeId: 1, clock }), clock);
  t.is((await c.joinGroup(joinReq(), 5, 'x', '/h')).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS);
  await c.start();
  t.is((await c.joinGroup(joinReq(), 5, 'x', '/h')).errorCode, E.MEMBER_ID_REQUIRED);
  await c.close();
});
