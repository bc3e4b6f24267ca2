// A full disk in a live broker: the data dir is a 2 MiB tmpfs, a KafkaJS producer writes until it fills. The
// producer gets KAFKA_STORAGE_ERROR, the broker logs the failures in a few rate-limited lines that carry counts,
// a metric counts them, and once appends keep failing the log dir is taken offline: every partition answers
// KAFKA_STORAGE_ERROR (LEADER_NOT_AVAILABLE in Metadata), /ready answers 503 and says why. After the disk is
// grown and the broker restarted, every acknowledged record is there. (The issue: 64,694 KAFKA_STORAGE_ERROR
// replies and not one log line.) Mounting needs root, which the test machine and CI have.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker.js';
import { RawClient, waitForLogLine, type LogLine } from '../helpers/raw-client.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { readBatchHeader } from '../../src/records/batch.js';
import { forEachRecord } from '../../src/records/codec.js';
import { httpStatus, scrape } from '../metrics/scrape.js';

const KAFKA_STORAGE_ERROR = 56;
const LEADER_NOT_AVAILABLE = 5;

function errorType(error: unknown): string | undefined {
  const e = error as { type?: string; cause?: { type?: string } };
  return e.type ?? e.cause?.type;
}

function parsedLines(logs: readonly string[]): LogLine[] {
  return logs.flatMap((text) => {
    try {
      return [JSON.parse(text) as LogLine];
    } catch {
      return [];
    }
  });
}

test('a full disk: KAFKA_STORAGE_ERROR, rate-limited log lines with counts, a metric, then the log dir goes offline; nothing acknowledged is lost', async (t) => {
  t.timeout(180_000);
  if (process.getuid?.() !== 0) {
    t.fail('this test mounts a tmpfs and needs root');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'spate-disk-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
  let broker: BrokerProcess | null = null;
  t.teardown(async () => {
    await broker?.kill();
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  broker = await startBrokerProcess(dir, ['--metrics-port', '0']);
  const started = await waitForLogLine(broker.logs, (line) => line.msg === 'broker started');
  const metricsPort = Number(new URL(String(started.metrics)).port);

  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'disk-full', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'full', numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());

  const acked = new Map<number, string>();
  const value = (i: number): string => `${String(i).padStart(8, '0')}:${'x'.repeat(60_000)}`;
  let failures = 0;
  let storageErrors = 0;
  // Write until the disk is full, then keep writing until the broker gives up on the log dir.
  for (let i = 0; i < 2000 && !parsedLines(broker.logs).some((l) => l.msg?.startsWith('log dir is offline')); i++) {
    try {
      const [meta] = await producer.send({ topic: 'full', acks: -1, messages: [{ value: value(i) }] });
      acked.set(Number(meta!.baseOffset), value(i));
    } catch (error) {
      // Once the log dir is offline KafkaJS may first see the partition leaderless in its metadata refresh.
      const type = errorType(error);
      t.true(type === 'KAFKA_STORAGE_ERROR' || (type === 'LEADER_NOT_AVAILABLE' && storageErrors > 0), String(error));
      if (type === 'KAFKA_STORAGE_ERROR') storageErrors++;
      failures++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  t.true(acked.size > 10, `${acked.size} messages were acknowledged before the disk filled`);
  t.true(storageErrors > 10, `${storageErrors} produce requests got KAFKA_STORAGE_ERROR`);
  const offline = await waitForLogLine(broker.logs, (l) => l.msg?.startsWith('log dir is offline') === true);
  t.regex(String(offline.reason), /ENOSPC/);

  // The failures are in the log: few lines, each saying how many errors it stands for, all of them counted.
  const errorLines = parsedLines(broker.logs).filter((l) => l.operation === 'append' && l.code === 'ENOSPC');
  t.true(errorLines.length >= 1 && errorLines.length <= 10, `${errorLines.length} lines for ${storageErrors} failures`);
  t.is(errorLines[0]!.partition, 'full-0');
  const logged = errorLines.reduce((sum, l) => sum + Number(l.errors), 0);
  const metrics = await scrape(metricsPort);
  const counted = metrics.sum('spate_storage_errors_total', { operation: 'append' });
  t.true(logged >= 1 && logged <= counted, `lines account for ${logged} of ${counted} errors`);
  t.true(counted > 10, `${counted} append errors counted`);
  t.is(metrics.value('spate_log_dir_offline', { dir }), 1);

  // Offline: everything on the log dir answers KAFKA_STORAGE_ERROR at once, and /ready says why.
  const ready = await httpStatus(metricsPort, '/ready');
  t.is(ready.status, 503);
  t.regex(ready.body, /log dir .* is offline/);
  t.is((await httpStatus(metricsPort, '/health')).status, 200);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const produced = await client.produce('full', { partition: 0, records: buildRecordBatch([{ value: Buffer.from('late') }]) });
  t.is(produced.responses[0]!.partitionResponses[0]!.errorCode, KAFKA_STORAGE_ERROR);
  t.is((await client.fetch('full', 0, 0)).responses[0]!.partitions[0]!.errorCode, KAFKA_STORAGE_ERROR);
  t.is((await client.metadata(['full'])).topics[0]!.partitions[0]!.errorCode, LEADER_NOT_AVAILABLE);
  await client.close();
  await producer.disconnect();

  // Grow the disk, restart: every acknowledged record is there, at its offset.
  t.is(await broker.stop(), 0);
  execFileSync('mount', ['-o', 'remount,size=16m', dir]);
  broker = await startBrokerProcess(dir);
  const reader = await RawClient.connect(broker.port);
  t.teardown(() => reader.close());
  const stored = new Map<number, string>();
  for (let offset = 0, guard = 0; guard < 10_000; guard++) {
    const data = (await reader.fetch('full', 0, offset)).responses[0]!.partitions[0]!;
    t.is(data.errorCode, 0);
    if (offset >= data.highWatermark || !data.records) break;
    const records = data.records;
    for (let p = 0; p + 61 <= records.length; ) {
      const header = readBatchHeader(records, p);
      const size = header.batchLength + 12;
      if (p + size > records.length) break;
      forEachRecord(records, p, header, (record) => {
        stored.set(record.offset, record.value?.toString() ?? '');
      });
      offset = header.baseOffset + header.lastOffsetDelta + 1;
      p += size;
    }
  }
  const missing = [...acked].filter(([offset, v]) => stored.get(offset) !== v);
  t.is(missing.length, 0, `${missing.length} of ${acked.size} acknowledged messages are missing or moved`);
});
