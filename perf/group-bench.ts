// Consumer-group figures: how long a 3-member group takes to rebalance after a member leaves, and how many
// OffsetCommit requests (and offsets) one client gets through per second.
//   npm run build && node dist/perf/group-bench.js
// Rebalance is measured twice:
//   - protocol level (raw client, members react at once): LeaveGroup sent -> both remaining members have their
//     new assignment (Heartbeat sees REBALANCE_IN_PROGRESS, JoinGroup, SyncGroup). This is the broker's share.
//   - KafkaJS 2.2.4: the leaver's LeaveGroup request sent (its REQUEST instrumentation event) -> both remaining
//     consumers report GROUP_JOIN. Dominated by how soon they heartbeat: KafkaJS heartbeats from its fetch
//     loop, so the bound is max(heartbeatInterval, maxWaitTimeInMs) on an idle topic; shown for two settings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import kafkajs from 'kafkajs';
import { Broker } from '../src/broker/broker.js';
import { resolveBrokerConfig } from '../src/config/broker-config.js';
import { createLogger } from '../src/logger.js';
import { ApiKey, type HeartbeatResponse, type JoinGroupResponse, type LeaveGroupResponse, type OffsetCommitResponse, type SyncGroupResponse } from '../src/protocol/generated/index.js';
import { RawClient } from '../test/helpers/raw-client.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'bench';
const PARTITIONS = 6;

function subscription(): Buffer {
  const name = Buffer.from(TOPIC);
  const b = Buffer.alloc(2 + 4 + 2 + name.length + 4);
  b.writeInt16BE(0, 0);
  b.writeInt32BE(1, 2);
  b.writeInt16BE(name.length, 6);
  name.copy(b, 8);
  b.writeInt32BE(-1, 8 + name.length);
  return b;
}

interface RawMember {
  client: RawClient;
  memberId: string;
  generationId: number;
}

async function join(m: RawMember, groupId: string): Promise<JoinGroupResponse> {
  for (;;) {
    const r = await m.client.request<JoinGroupResponse>(ApiKey.JoinGroup, 5, {
      groupId,
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 30_000,
      memberId: m.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription() }],
      reason: null,
    });
    m.memberId = r.memberId;
    if (r.errorCode === 79) continue; // MEMBER_ID_REQUIRED: rejoin with the id
    if (r.errorCode !== 0) throw new Error(`JoinGroup failed: ${r.errorCode}`);
    m.generationId = r.generationId;
    return r;
  }
}

async function sync(m: RawMember, groupId: string, join: JoinGroupResponse): Promise<number> {
  const assignments = join.members.map((member, i) => ({ memberId: member.memberId, assignment: Buffer.from([i]) }));
  const r = await m.client.request<SyncGroupResponse>(ApiKey.SyncGroup, 3, {
    groupId,
    generationId: m.generationId,
    memberId: m.memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments,
  });
  if (r.errorCode !== 0 && r.errorCode !== 27) throw new Error(`SyncGroup failed: ${r.errorCode}`);
  return r.errorCode;
}

async function heartbeat(m: RawMember, groupId: string): Promise<number> {
  const hb = await m.client.request<HeartbeatResponse>(ApiKey.Heartbeat, 3, { groupId, generationId: m.generationId, memberId: m.memberId, groupInstanceId: null });
  if (hb.errorCode !== 0 && hb.errorCode !== 27) throw new Error(`Heartbeat failed: ${hb.errorCode}`);
  return hb.errorCode;
}

/** Members that have been told a rebalance is on: everyone rejoins at once, then syncs. */
async function rejoinAll(members: RawMember[], groupId: string): Promise<void> {
  const joins = await Promise.all(members.map((m) => join(m, groupId)));
  const codes = await Promise.all(members.map((m, i) => sync(m, groupId, joins[i]!)));
  if (codes.some((c) => c !== 0)) throw new Error('rebalance did not complete');
}

/** Each member on its own, like a real client: join, sync, heartbeat until 150 ms pass without a rebalance. */
async function formGroup(members: RawMember[], groupId: string): Promise<void> {
  await Promise.all(
    members.map(async (m) => {
      // A member already in the group only rejoins once a heartbeat tells it to.
      let needJoin = m.generationId < 0 || m.memberId === '';
      for (;;) {
        if (needJoin) {
          const j = await join(m, groupId);
          if ((await sync(m, groupId, j)) !== 0) continue;
        }
        needJoin = true;
        let quiet = 0;
        while (quiet < 150 && (await heartbeat(m, groupId)) === 0) {
          await new Promise((r) => setTimeout(r, 10));
          quiet += 10;
        }
        if (quiet >= 150) return;
      }
    }),
  );
}

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toFixed(2)} ms, p90 ${q(0.9).toFixed(2)} ms, max ${s[s.length - 1]!.toFixed(2)} ms (n=${s.length})`;
}

async function rawRebalance(port: number, rounds: number): Promise<number[]> {
  const groupId = `bench-rebalance-${rounds}`;
  const members: RawMember[] = await Promise.all([0, 1, 2].map(async () => ({ client: await RawClient.connect(port), memberId: '', generationId: -1 })));
  await formGroup(members, groupId);
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const [a, b, leaver] = members as [RawMember, RawMember, RawMember];
    const t0 = performance.now();
    const left = await leaver.client.request<LeaveGroupResponse>(ApiKey.LeaveGroup, 3, { groupId, memberId: '', members: [{ memberId: leaver.memberId, groupInstanceId: null, reason: null }] });
    if (left.errorCode !== 0) throw new Error(`LeaveGroup failed: ${left.errorCode}`);
    const noticed = await Promise.all([a, b].map((m) => heartbeat(m, groupId)));
    if (noticed.some((c) => c !== 27)) throw new Error('expected REBALANCE_IN_PROGRESS');
    await rejoinAll([a, b], groupId);
    samples.push(performance.now() - t0);
    // Bring the third member back for the next round (not measured).
    leaver.memberId = '';
    leaver.generationId = -1;
    await formGroup(members, groupId);
  }
  await Promise.all(members.map((m) => m.client.close()));
  return samples;
}

async function kafkajsRebalance(bootstrap: string, heartbeatInterval: number, maxWaitTimeInMs: number, rounds: number): Promise<number[]> {
  const kafka = new Kafka({ clientId: 'group-bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const groupId = `bench-kafkajs-${heartbeatInterval}-${round}`;
    const joinedAt = new Map<string, number>();
    let leaveSentAt = 0;
    const consumers = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const c = kafka.consumer({ groupId, heartbeatInterval, maxWaitTimeInMs, sessionTimeout: 30_000 });
        c.on(c.events.GROUP_JOIN, () => joinedAt.set(name, Date.now()));
        c.on(c.events.REQUEST, (e) => {
          if (name === 'c' && e.payload.apiName === 'LeaveGroup') leaveSentAt = e.payload.sentAt;
        });
        await c.connect();
        await c.subscribe({ topics: [TOPIC] });
        await c.run({ eachMessage: async () => undefined });
        return c;
      }),
    );
    // Wait until the group has settled with 3 members.
    for (;;) {
      const d = await (async () => {
        const admin = kafka.admin();
        await admin.connect();
        const g = await admin.describeGroups([groupId]);
        await admin.disconnect();
        return g.groups[0]!;
      })();
      if (d.state === 'Stable' && d.members.length === 3 && d.members.every((m) => m.memberAssignment.length > 0)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    joinedAt.clear();
    await consumers[2]!.disconnect();
    while (!(joinedAt.has('a') && joinedAt.has('b'))) await new Promise((r) => setTimeout(r, 2));
    samples.push(Math.max(joinedAt.get('a')!, joinedAt.get('b')!) - leaveSentAt);
    await Promise.all(consumers.slice(0, 2).map((c) => c.disconnect()));
  }
  return samples;
}

async function commitThroughput(port: number, inFlight: number, partitionsPerCommit: number, durationMs: number): Promise<{ requests: number; offsets: number }> {
  const client = await RawClient.connect(port);
  let offset = 0;
  let requests = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      offset++;
      const r = await client.request<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, {
        groupId: 'bench-commit',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [
          {
            name: TOPIC,
            partitions: Array.from({ length: partitionsPerCommit }, (_, p) => ({
              partitionIndex: p,
              committedOffset: offset,
              committedLeaderEpoch: -1,
              commitTimestamp: -1,
              committedMetadata: '',
            })),
          },
        ],
      });
      if (r.topics[0]!.partitions.some((p) => p.errorCode !== 0)) throw new Error('commit failed');
      requests++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  return { requests: requests / seconds, offsets: (requests * partitionsPerCommit) / seconds };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(joinPath(tmpdir(), 'spate-group-bench-'));
  const config = resolveBrokerConfig({ host: '127.0.0.1', port: 0, dataDir, workers: 1, properties: { 'group.initial.rebalance.delay.ms': 0 } });
  const broker = await Broker.start(config, createLogger(process.env.BENCH_LOG === 'info' ? 'info' : 'warn'));
  try {
    const admin = await RawClient.connect(broker.port);
    await admin.createTopic(TOPIC, PARTITIONS);
    await admin.close();

    console.log(`Node ${process.version}, 1 partition worker, data in ${dataDir}`);
    console.log('\nRebalance of a 3-member group after one member leaves');
    await rawRebalance(broker.port, 20); // warm-up
    console.log(`  protocol level (LeaveGroup -> 2 members re-synced):  ${stats(await rawRebalance(broker.port, 200))}`);
    console.log(`  KafkaJS, heartbeat 100 ms, maxWaitTime 100 ms:        ${stats(await kafkajsRebalance(broker.bootstrap, 100, 100, 5))}`);
    console.log(`  KafkaJS defaults (heartbeat 3 s, maxWaitTime 5 s):    ${stats(await kafkajsRebalance(broker.bootstrap, 3000, 5000, 3))}`);

    console.log('\nOffsetCommit throughput from one client (simple commits, persisted to __consumer_offsets)');
    for (const [inFlight, parts] of [[1, 1], [1, 6], [32, 1], [32, 6]] as const) {
      const r = await commitThroughput(broker.port, inFlight, parts, 3000);
      console.log(`  ${String(inFlight).padStart(2)} in flight, ${parts} partition(s)/commit: ${Math.round(r.requests).toLocaleString('en')} requests/s, ${Math.round(r.offsets).toLocaleString('en')} offsets/s`);
    }
  } finally {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
