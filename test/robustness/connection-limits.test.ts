// The network front-end's limits seen from clients: max.connections and max.connections.per.ip refuse with one
// rate-limited log line, a flood of malformed connections costs a bounded number of log lines (with the count of
// what was suppressed), the broker-wide response budget leaves small requests of other clients running, and
// parked long-poll fetches hold none of it.
import test, { type ExecutionContext } from 'ava';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey, type FetchResponse } from '../../src/protocol/generated/index.js';
import { countClosed, declaredFrame, destroyAll, fetchFrames, openSilentSocket, openSockets } from '../helpers/attacks.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { startBrokerProcess, startTestBroker, temporaryDir, type BrokerProcess } from '../helpers/broker.js';
import { RawClient, assertRoundTrip, type LogLine } from '../helpers/raw-client.js';

const MiB = 1024 * 1024;

async function processBroker(t: ExecutionContext, overrides: Record<string, string | number> = {}): Promise<BrokerProcess> {
  const dir = temporaryDir();
  const broker = await startBrokerProcess(dir.path, Object.entries(overrides).flatMap(([k, v]) => ['--override', `${k}=${v}`]));
  t.teardown(async () => {
    await broker.kill();
    dir.remove();
  });
  return broker;
}

function logLines(broker: BrokerProcess, msg: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of broker.logs) {
    try {
      const line = JSON.parse(text) as LogLine;
      if (line.msg === msg) lines.push(line);
    } catch {
      // stderr chunk
    }
  }
  return lines;
}

/** Connects from a given loopback address (127.0.0.x), resolving once connected; rejects if refused first. */
function connectFrom(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    socket.resume();
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** True if the broker closes the socket within `ms`. */
function closesWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.closed) return Promise.resolve(true);
  return Promise.race([new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))), sleep(ms).then(() => false)]);
}

test('max.connections refuses connections over the limit with a rate-limited line; a freed slot is taken again', async (t) => {
  const broker = await processBroker(t, { 'max.connections': 5 });
  const clients: RawClient[] = [];
  for (let i = 0; i < 5; i++) clients.push(await RawClient.connect(broker.port));
  for (const client of clients) t.is((await client.apiVersions()).errorCode, 0);
  const { sockets: extra } = await openSockets(broker.port, 20, 5);
  await sleep(1000);
  t.is(countClosed(extra), 20, 'every connection over max.connections was closed');
  const refused = logLines(broker, 'connection refused');
  t.true(refused.length >= 1 && refused.length <= 5, `${refused.length} lines for 20 refusals`);
  t.regex(String(refused[0]!.reason), /max\.connections \(5\)/);
  for (const client of clients) t.false(client.isClosed, 'a connection under the limit was closed');
  await clients.pop()!.close();
  await sleep(300);
  const again = await RawClient.connect(broker.port);
  t.is((await again.apiVersions()).errorCode, 0, 'the freed slot is usable');
  await again.close();
  for (const client of clients) await client.close();
  destroyAll(extra);
});

test('max.connections.per.ip refuses a sixth connection from one address while another address still connects', async (t) => {
  const broker = await processBroker(t, { 'max.connections.per.ip': 5 });
  const fromOne: Socket[] = [];
  for (let i = 0; i < 5; i++) fromOne.push(await connectFrom(broker.port, '127.0.0.1'));
  await sleep(300);
  t.is(countClosed(fromOne), 0);
  const sixth = await connectFrom(broker.port, '127.0.0.1');
  t.true(await closesWithin(sixth, 5000), 'the sixth connection from 127.0.0.1 was kept');
  const other = await connectFrom(broker.port, '127.0.0.2');
  t.false(await closesWithin(other, 1000), 'a connection from 127.0.0.2 was refused');
  const refused = logLines(broker, 'connection refused');
  t.is(refused.length, 1);
  t.regex(String(refused[0]!.reason), /127\.0\.0\.1 already has max\.connections\.per\.ip \(5\)/);
  // A slot freed on 127.0.0.1 is taken again.
  fromOne.pop()!.destroy();
  await sleep(300);
  const replacement = await connectFrom(broker.port, '127.0.0.1');
  t.false(await closesWithin(replacement, 1000));
  destroyAll([...fromOne, sixth, other, replacement]);
});

test('300 connections with malformed size prefixes cost at most 5 log lines per 10 s window, and every one is counted', async (t) => {
  const broker = await processBroker(t);
  const before = logLines(broker, 'closing connection').length;
  const started = performance.now();
  for (let i = 0; i < 300; i += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, () => openSilentSocket(broker.port)));
    // Reading, so the broker's close is seen at once.
    for (const socket of batch) socket.resume().write(declaredFrame(-1, 0));
    await Promise.all(batch.map((s) => closesWithin(s, 5000)));
    destroyAll(batch);
  }
  const windows = Math.ceil((performance.now() - started) / 10_000) + 1;
  await sleep(500);
  const lines = logLines(broker, 'closing connection').slice(before);
  t.log(`${lines.length} lines for 300 malformed connections over at most ${windows} windows`);
  t.true(lines.length >= 1 && lines.length <= 5 * windows, `${lines.length} lines`);
  // In the next window, the first line carries the count of those suppressed since the last one written.
  await sleep(10_500);
  const late = await openSilentSocket(broker.port);
  late.resume().write(declaredFrame(-1, 0));
  t.true(await closesWithin(late, 5000));
  await sleep(300);
  const all = logLines(broker, 'closing connection').slice(before);
  t.is(all.length, lines.length + 1);
  const counted = all.reduce((sum, line) => sum + 1 + (typeof line.suppressed === 'number' ? line.suppressed : 0), 0);
  t.is(counted, 301, 'every malformed connection is either logged or counted in a later line');
  const lastSuppressed = all.at(-1)!.suppressed;
  t.true(typeof lastSuppressed === 'number' && lastSuppressed > 0, 'the late line reports what was suppressed');
});

test('with the response budget held by connections that never read, another client still produces and, once they go, consumes', async (t) => {
  // Three attackers at the 16 MiB per-connection bound exceed this 32 MiB broker-wide budget.
  const broker = await processBroker(t, { 'queued.max.response.bytes': 32 * MiB });
  const admin = await RawClient.connect(broker.port);
  t.is((await admin.createTopic('fat', 1)).topics[0]!.errorCode, 0);
  t.is((await admin.createTopic('small', 1)).topics[0]!.errorCode, 0);
  for (let i = 0; i < 4; i++) await admin.produce('fat', { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(900 * 1024, i) }]) });
  await admin.close();
  const encoder = await RawClient.connect(broker.port);
  const attackers: Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const socket = await openSilentSocket(broker.port);
    socket.write(fetchFrames(encoder, 'fat', 500, MiB));
    attackers.push(socket);
  }
  await encoder.close();
  await sleep(3000);
  // Small requests (their responses fit the share every quiet connection is guaranteed) are served.
  const producer = await RawClient.connect(broker.port);
  for (let i = 0; i < 20; i++) {
    const produced = await producer.produce('small', { partition: 0, records: buildRecordBatch([{ value: Buffer.from(`r${i}`) }]), }, 1);
    t.is(produced.responses[0]!.partitionResponses[0]!.errorCode, 0);
  }
  t.is((await producer.metadata(['small'])).topics[0]!.errorCode, 0);
  destroyAll(attackers);
  // With the attackers gone their budget is back: a 1 MiB fetch is answered.
  const fetched = await producer.fetch('fat', 0, 0, { maxBytes: MiB, partitionMaxBytes: MiB, timeoutMs: 30_000 });
  t.true(fetched.responses[0]!.partitions[0]!.records!.length > 0);
  await assertRoundTrip(producer, 'small');
  await producer.close();
});

test('parked long-poll fetches hold no response budget: with 40 parked, a consumer of data is answered', async (t) => {
  // 40 parked fetches of 1 MiB would need 40 MiB of this 16 MiB budget if they kept their bound while waiting,
  // and a fetch with data would then wait for their 60 s max wait to end.
  const broker = await startTestBroker({ config: { 'queued.max.response.bytes': 16 * MiB } });
  t.teardown(() => broker.close());
  const admin = await RawClient.connect(broker.port);
  t.teardown(() => admin.close());
  t.is((await admin.createTopic('quiet', 1)).topics[0]!.errorCode, 0);
  t.is((await admin.createTopic('busy', 1)).topics[0]!.errorCode, 0);
  await admin.produce('busy', { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(1000, 1) }]) });
  const pollers = await Promise.all(Array.from({ length: 40 }, () => RawClient.connect(broker.port)));
  t.teardown(() => Promise.all(pollers.map((p) => p.close())));
  let answeredPolls = 0;
  const parked = pollers.map((p) =>
    p
      .request<FetchResponse>(ApiKey.Fetch, 12, RawClient.fetchBody('quiet', 0, 0, { maxWaitMs: 60_000, maxBytes: MiB, partitionMaxBytes: MiB }), { timeoutMs: 90_000 })
      .then((response) => {
        answeredPolls++;
        return response;
      }),
  );
  await sleep(1000);
  const fetched = await admin.fetch('busy', 0, 0, { maxBytes: MiB, partitionMaxBytes: MiB, timeoutMs: 20_000 });
  t.true(fetched.responses[0]!.partitions[0]!.records!.length > 0);
  t.is(answeredPolls, 0, 'the long polls were still parked');
  // A produce wakes them. Those the budget has room for answer with the record; the others answer at once with
  // what they had (nothing) rather than wait for room, and their clients ask again.
  await admin.produce('quiet', { partition: 0, records: buildRecordBatch([{ value: Buffer.from('wake') }]) });
  const responses = await Promise.all(parked);
  for (const response of responses) t.is(response.responses[0]!.partitions[0]!.errorCode, 0);
  const withData = responses.filter((r) => r.responses[0]!.partitions[0]!.records!.length > 0).length;
  t.log(`${withData} of 40 woken polls answered with the record`);
  t.true(withData >= 1);
});

test('requests that together exceed queued.max.request.bytes while arriving in pieces all finish, one after another', async (t) => {
  // Three 6 MiB produce requests in a 10 MiB budget: read side by side, they would fill it half-way through each
  // and none could finish; the budget's pass lets them finish one at a time, well within the partial timeout.
  const broker = await startTestBroker({
    config: {
      'socket.request.max.bytes': 8 * MiB,
      'queued.max.request.bytes': 10 * MiB,
      'message.max.bytes': 8 * MiB,
      'partial.request.timeout.ms': 20_000,
    },
  });
  t.teardown(() => broker.close());
  const admin = await RawClient.connect(broker.port);
  t.teardown(() => admin.close());
  t.is((await admin.createTopic('big', 1)).topics[0]!.errorCode, 0);
  const producers = await Promise.all(Array.from({ length: 3 }, () => RawClient.connect(broker.port)));
  t.teardown(() => Promise.all(producers.map((p) => p.close())));
  const requests = producers.map((p, i) =>
    p.prepare<{ responses: Array<{ partitionResponses: Array<{ errorCode: number }> }> }>(
      ApiKey.Produce,
      9,
      RawClient.produceBody('big', { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(6 * MiB, i) }]) }, 1),
      { timeoutMs: 60_000 },
    ),
  );
  for (let i = 0; i < producers.length; i++) producers[i]!.write(requests[i]!.frame);
  for (const request of requests) t.is((await request.response).responses[0]!.partitionResponses[0]!.errorCode, 0);
  t.is(await admin.offset('big', 0), 3);
  for (const p of producers) t.false(p.isClosed);
});

test('a connection whose request waits for the response budget is not closed by the partial-request timeout meanwhile', async (t) => {
  const broker = await startTestBroker({ config: { 'partial.request.timeout.ms': 1000, 'queued.max.response.bytes': 8 * MiB } });
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is((await client.createTopic('fat', 1)).topics[0]!.errorCode, 0);
  for (let i = 0; i < 4; i++) await client.produce('fat', { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(900 * 1024, i) }]) });
  // A connection that never reads takes the whole 8 MiB response budget.
  const hog = await openSilentSocket(broker.port);
  hog.write(fetchFrames(client, 'fat', 100, MiB));
  await sleep(2000);
  // Our fetch cannot start, so the broker stops reading us, with half of the next request already read: that
  // wait is the broker's doing, and the timer must not run through it.
  const fetch = client.prepare<FetchResponse>(ApiKey.Fetch, 12, RawClient.fetchBody('fat', 0, 0, { maxBytes: MiB, partitionMaxBytes: MiB }), { timeoutMs: 60_000 });
  const versions = client.prepare<{ errorCode: number }>(ApiKey.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }, { timeoutMs: 60_000 });
  client.write([fetch.frame, versions.frame.subarray(0, 8)]);
  await sleep(3000);
  t.false(client.isClosed, 'closed while waiting for the broker');
  hog.destroy();
  t.is((await fetch.response).responses[0]!.partitions[0]!.errorCode, 0);
  client.write(versions.frame.subarray(8));
  t.is((await versions.response).errorCode, 0);
});

test('a connection that never reads its responses is closed after connections.max.idle.ms and its memory returned', async (t) => {
  const broker = await startTestBroker({ metricsPort: 0, config: { 'connections.max.idle.ms': 2000 } });
  t.teardown(() => broker.close());
  const scrape = async (): Promise<{ open: number; responses: number }> => {
    const text = await (await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`)).text();
    const value = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    return { open: value(/^spate_open_connections (\S+)$/m), responses: value(/^spate_network_queued_bytes\{budget="responses"\} (\S+)$/m) };
  };
  const admin = await RawClient.connect(broker.port);
  t.teardown(() => admin.close());
  t.is((await admin.createTopic('fat', 1)).topics[0]!.errorCode, 0);
  for (let i = 0; i < 4; i++) await admin.produce('fat', { partition: 0, records: buildRecordBatch([{ value: Buffer.alloc(900 * 1024, i) }]) });
  const hog = await openSilentSocket(broker.port);
  t.teardown(() => hog.destroy());
  hog.write(fetchFrames(admin, 'fat', 200, MiB));
  await sleep(1000);
  const attacked = await scrape();
  t.is(attacked.open, 2);
  t.true(attacked.responses > 4 * MiB, `the non-reader holds ${attacked.responses} bytes`);
  // Its responses stay unwritten (the socket makes no progress) for longer than the idle timeout: it is closed.
  let after = attacked;
  // (Requests it had running give their bytes back as they finish, just after.)
  for (let i = 0; i < 100 && (after.open !== 1 || after.responses !== 0); i++) {
    await sleep(100);
    t.is((await admin.apiVersions()).errorCode, 0); // the admin connection stays active, so it is kept
    after = await scrape();
  }
  t.deepEqual(after, { open: 1, responses: 0 });
  t.false(admin.isClosed);
});
