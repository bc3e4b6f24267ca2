// Graceful shutdown of `spate start`: SIGTERM/SIGINT stop accepting, let in-flight requests finish and their
// responses reach the client, close the logs cleanly (so the next start scans nothing) and exit 0; a second
// signal forces the exit.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { decodeRecordBatches } from '../../src/client/records.js';
import { temporaryDir } from '../helpers/broker.js';
import { ApiKey, type JoinGroupResponse } from '../../src/protocol/generated/index.js';
import { RawClient, waitForLogLine } from '../helpers/raw-client.js';
import { jsonLines, spawnSpate, startSpate } from './helpers.js';

const TOPIC = 'drain';
const PARTITIONS = 4;
const PRODUCERS = 4;

interface Acked {
  partition: number;
  offset: number;
  value: Buffer;
}

/** Every record of `partition`, in offset order, read through the broker. */
async function readPartition(client: RawClient, partition: number): Promise<Array<{ offset: number; value: Buffer | null }>> {
  const out: Array<{ offset: number; value: Buffer | null }> = [];
  let offset = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    const data = (await client.fetch(TOPIC, partition, offset, { partitionMaxBytes: 1024 * 1024, maxWaitMs: 0 })).responses[0]!.partitions[0]!;
    if (data.errorCode !== 0) throw new Error(`fetch ${TOPIC}-${partition}@${offset}: error ${data.errorCode}`);
    if (offset >= data.highWatermark) break;
    const { records, nextOffset } = decodeRecordBatches(data.records ?? null, offset);
    for (const r of records) out.push({ offset: r.offset, value: r.value });
    if (nextOffset <= offset) throw new Error(`no progress at ${TOPIC}-${partition}@${offset}`);
    offset = nextOffset;
  }
  return out;
}

test('SIGTERM while KafkaJS producers send with acks=-1: exit 0, every acknowledged message kept, restart scans nothing', async (t) => {
  t.timeout(90_000);
  const dir = temporaryDir('spate-drain-');
  t.teardown(() => dir.remove());
  const dataDir = join(dir.path, 'data');
  const args = ['--port', '0', '--data-dir', dataDir, '--workers', '2', '--override', 'group.initial.rebalance.delay.ms=0'];
  const broker = await startSpate(t, args);
  const bootstrap = `127.0.0.1:${broker.port}`;

  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'drain', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, configEntries: [{ name: 'segment.bytes', value: String(256 * 1024) }] }] });
  await admin.disconnect();

  const acked: Acked[] = [];
  let failedSends = 0;
  let stop = false;
  const producers = await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
      await producer.connect();
      return producer;
    }),
  );
  const loops = producers.map(async (producer, p) => {
    for (let n = 0; !stop; n++) {
      const partition = (p + n) % PARTITIONS;
      const values = Array.from({ length: 1 + (n % 3) }, () => randomBytes(100 + (n % 400)));
      try {
        const [meta] = await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ value, partition })) });
        if (meta?.errorCode === 0) values.forEach((value, i) => acked.push({ partition, offset: Number(meta.baseOffset) + i, value }));
      } catch {
        failedSends++;
        return; // the broker has stopped taking requests: nothing unacknowledged is promised
      }
    }
  });

  await new Promise((resolve) => setTimeout(resolve, 1000));
  const ackedBeforeSignal = acked.length;
  const signalledAt = performance.now();
  broker.child.kill('SIGTERM');
  const code = await broker.exited;
  const exitMs = performance.now() - signalledAt;
  stop = true;
  await Promise.all(loops);
  await Promise.all(producers.map((producer) => producer.disconnect().catch(() => undefined)));

  t.is(code, 0, broker.stderr.join(''));
  const lines = jsonLines(broker.stdout);
  const start = lines.find((l) => l.msg === 'shutting down');
  const end = lines.find((l) => l.msg === 'shutdown complete');
  t.is(start?.signal, 'SIGTERM');
  t.is(end?.signal, 'SIGTERM');
  t.is(typeof end?.durationMs, 'number');
  t.true(lines.some((l) => l.msg === 'broker stopped'));
  t.true(exitMs < 10_000, `exit took ${Math.round(exitMs)} ms`);
  t.true(ackedBeforeSignal > 50, `only ${ackedBeforeSignal} messages acknowledged before SIGTERM`);
  t.log(`${acked.length} messages acknowledged (${acked.length - ackedBeforeSignal} after SIGTERM), ${failedSends} sends failed; shutdown ${end?.durationMs} ms, exit ${Math.round(exitMs)} ms after SIGTERM`);

  // Restart: the logs were closed cleanly, so nothing is scanned or recovered.
  const again = await startSpate(t, args);
  const restartLines = jsonLines(again.stdout);
  const opened = restartLines.find((l) => l.msg === 'opened partition logs');
  t.truthy(opened, 'no "opened partition logs" line on restart');
  t.like(opened, { scannedPartitions: 0, scannedSegments: 0, repaired: 0 });
  t.true((opened?.partitions as number) >= PARTITIONS);
  t.deepEqual(
    restartLines.filter((l) => l.msg === 'recovered partition log' || /recover|scan|truncat/i.test(String(l.msg))),
    [],
  );

  // Every acknowledged message is at its offset with its bytes; offsets are contiguous from 0.
  const client = await RawClient.connect(again.port);
  let missing = 0;
  let stored = 0;
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const records = await readPartition(client, partition);
    stored += records.length;
    t.true(
      records.every((r, i) => r.offset === i),
      `${TOPIC}-${partition}: offsets are not contiguous from 0`,
    );
    for (const a of acked.filter((x) => x.partition === partition)) {
      const record = records[a.offset];
      if (!record || record.offset !== a.offset || !record.value?.equals(a.value)) missing++;
    }
  }
  await client.close();
  t.is(missing, 0, `${missing} of ${acked.length} acknowledged messages are missing or differ`);
  t.true(stored >= acked.length);
  t.log(`${stored} messages stored, ${stored - acked.length} of them unacknowledged`);
  again.child.kill('SIGTERM');
  t.is(await again.exited, 0);
});

/** A JoinGroup (v3: no member-id round trip) of a new group: answered only after the initial rebalance delay. */
function joinGroup(client: RawClient, groupId: string): Promise<JoinGroupResponse> {
  return client.request<JoinGroupResponse>(
    ApiKey.JoinGroup,
    3,
    {
      groupId,
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 30_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      reason: null,
    },
    { timeoutMs: 20_000 },
  );
}

test('shutdown answers in-flight requests before closing their connections; parked fetches and idle connections end at once', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const broker = await startSpate(t, ['--port', '0', '--data-dir', join(dir.path, 'data'), '--workers', '1', '--override', 'group.initial.rebalance.delay.ms=2000']);
  const busy = await RawClient.connect(broker.port);
  const fetcher = await RawClient.connect(broker.port);
  const idle = await RawClient.connect(broker.port);
  t.teardown(async () => {
    await Promise.all([busy.close(), fetcher.close(), idle.close()]);
  });
  t.is((await busy.createTopic('waiting', 1)).topics[0]!.errorCode, 0);
  t.is((await idle.apiVersions()).errorCode, 0);

  // In flight at the signal: a JoinGroup that the coordinator answers 2 s after it arrived, and a long-poll
  // fetch on an empty partition that would wait 8 s.
  const joinedAt = performance.now();
  const joining = joinGroup(busy, 'drain-group');
  const fetching = fetcher.fetch('waiting', 0, 0, { maxWaitMs: 8000, timeoutMs: 15_000 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const signalledAt = performance.now();
  broker.child.kill('SIGTERM');

  // The idle connection and the parked fetch end promptly; the JoinGroup gets its answer, then its
  // connection is closed; the broker waited for it.
  t.true(await idle.waitForClose(1000), 'the idle connection stayed open');
  const fetched = await fetching;
  t.is(fetched.responses[0]!.partitions[0]!.errorCode, 0);
  t.true(performance.now() - signalledAt < 1000, 'the parked fetch waited out its max wait');
  t.true(await fetcher.waitForClose(1000), 'the fetch connection stayed open after its answer');
  const joined = await joining;
  const joinMs = performance.now() - joinedAt;
  t.is(joined.errorCode, 0);
  t.true(joinMs >= 1800, `JoinGroup answered after ${Math.round(joinMs)} ms, before the rebalance delay`);
  t.true(await busy.waitForClose(3000), 'the busy connection stayed open after its answer');
  t.is(await broker.exited, 0);
  const exitMs = performance.now() - signalledAt;
  t.true(exitMs < 6000, `exit took ${Math.round(exitMs)} ms`);
  const end = jsonLines(broker.stdout).find((l) => l.msg === 'shutdown complete');
  t.true((end?.durationMs as number) >= 1400, `shutdown did not wait for the in-flight JoinGroup: ${JSON.stringify(end)}`);
  t.log(`shutdown with a JoinGroup in flight: ${end?.durationMs} ms`);
});

test('a repeated signal within a second is the same request; a later second signal forces exit 1', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const broker = await startSpate(t, ['--port', '0', '--data-dir', join(dir.path, 'data'), '--workers', '1', '--override', 'group.initial.rebalance.delay.ms=10000']);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  // Keeps the shutdown busy for 10 s (the drain timeout).
  void joinGroup(client, 'slow-group').catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 300));

  broker.child.kill('SIGTERM');
  broker.child.kill('SIGTERM'); // e.g. npm forwarding the signal the terminal also sent to the broker
  await waitForLogLine(broker.stdout, (l) => l.msg === 'shutting down', 2000);
  await new Promise((resolve) => setTimeout(resolve, 1300));
  t.is(broker.child.exitCode, null, 'the repeated signal forced the exit');
  const forcedAt = performance.now();
  broker.child.kill('SIGINT');
  t.is(await broker.exited, 1);
  t.true(performance.now() - forcedAt < 2000);
  t.true(jsonLines(broker.stdout).some((l) => l.msg === 'second signal during shutdown: exiting now' && l.signal === 'SIGINT'));
});

test('--log-format pretty prints human-readable lines; SIGINT stops the broker like SIGTERM', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const run = spawnSpate(['start', '--port', '0', '--data-dir', join(dir.path, 'data'), '--workers', '1', '--metrics-port', '-1', '--log-format', 'pretty']);
  t.teardown(() => void run.child.kill('SIGKILL'));
  const deadline = performance.now() + 20_000;
  while (!run.stdout.some((l) => l.includes('broker started')) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const started = run.stdout.find((l) => l.includes('broker started'));
  t.truthy(started, run.stdout.join('\n'));
  t.throws(() => JSON.parse(started!));
  t.regex(started!, /INFO/);
  run.child.kill('SIGINT');
  t.is(await run.exited, 0);
  t.true(run.stdout.some((l) => l.includes('shutdown complete') && l.includes('durationMs')), run.stdout.join('\n'));
  t.deepEqual(jsonLines(run.stdout), []);
});
