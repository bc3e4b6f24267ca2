// The Prometheus endpoint end to end: a broker with metricsPort 0, real KafkaJS traffic, then /metrics parsed
// and checked against what was produced and consumed; /health and /ready, including a dead worker.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Broker, resolveBrokerConfig } from '../../src/index.js';
import { createLogger } from '../../src/logger.js';
import { limitLagSeries } from '../../src/broker/metrics/index.js';
import { startBrokerProcess, startTestBroker, temporaryDir } from '../helpers/broker.js';
import { httpStatus, scrape, waitFor } from './scrape.js';

function kafkaClient(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'metrics-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
}

async function produce(kafka: Kafka, topic: string, counts: Record<number, number>, sends = 3): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const [partition, count] of Object.entries(counts)) {
      // Several sends per partition: several batches, so the per-batch sums are exercised.
      for (let sent = 0, round = 0; sent < count; round++) {
        const n = round === sends - 1 ? count - sent : Math.max(1, Math.floor(count / sends));
        const messages = Array.from({ length: Math.min(n, count - sent) }, (_, i) => ({ value: `m-${partition}-${sent + i}`, partition: Number(partition) }));
        await producer.send({ topic, acks: -1, messages });
        sent += messages.length;
      }
    }
  } finally {
    await producer.disconnect();
  }
}

/** A group member that consumes `topic` (committing after each batch) and counts what it saw. */
async function startMember(kafka: Kafka, groupId: string, topic: string): Promise<{ consumer: Consumer; seen: () => number }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async () => {
      seen++;
    },
  });
  return { consumer, seen: () => seen };
}

test('metrics are off unless asked for', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  t.is(broker.metricsPort, undefined);
});

test('/metrics counts requests, bytes and messages per topic, and log offsets match what KafkaJS produced and consumed', async (t) => {
  const broker = await startTestBroker({ metricsPort: 0 });
  t.teardown(() => broker.close());
  const port = broker.metricsPort!;
  t.true(port > 0);

  const health = await httpStatus(port, '/health');
  t.is(health.status, 200);
  t.is((await httpStatus(port, '/ready')).status, 200);
  t.is((await httpStatus(port, '/nothing-here')).status, 404);

  const kafka = kafkaClient(broker.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const topic = 'metered';
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await produce(kafka, topic, { 0: 10, 1: 5 });

  const afterProduce = await scrape(port);
  t.true(afterProduce.sum('spate_requests_total', { api: 'Produce' }) >= 6, 'at least the 6 sends');
  t.true(afterProduce.sum('spate_requests_total', { api: 'Metadata' }) >= 1);
  t.true(afterProduce.sum('spate_requests_total', { api: 'CreateTopics' }) >= 1);
  t.is(afterProduce.value('spate_request_duration_seconds_count', { api: 'Produce' }), afterProduce.value('spate_requests_total', { api: 'Produce' }));
  t.is(afterProduce.value('spate_topic_messages_in_total', { topic }), 15);
  t.is(afterProduce.value('spate_log_end_offset', { topic, partition: '0' }), 10);
  t.is(afterProduce.value('spate_log_end_offset', { topic, partition: '1' }), 5);
  t.is(afterProduce.value('spate_log_start_offset', { topic, partition: '0' }), 0);
  // Batches are stored exactly as received, so the bytes in are the log's size.
  const bytesIn = afterProduce.value('spate_topic_bytes_in_total', { topic })!;
  t.true(bytesIn > 6 * 61, `bytes in ${bytesIn} (6 batches of 61-byte headers plus records)`);
  t.is(afterProduce.sum('spate_log_size_bytes', { topic }), bytesIn);
  // KafkaJS sent acks=-1: every one of those batches waited for an fdatasync.
  t.true(afterProduce.sum('spate_fsync_duration_seconds_count') >= 1);
  t.is(afterProduce.sum('spate_fsync_duration_seconds_bucket', { le: '+Inf' }), afterProduce.sum('spate_fsync_duration_seconds_count'));
  t.true(afterProduce.value('spate_open_connections')! >= 1);
  t.is(afterProduce.value('spate_worker_up', { worker: '0' }), 1);
  t.not(afterProduce.value('spate_ring_occupancy_ratio', { worker: '0', direction: 'request' }), undefined);
  t.not(afterProduce.value('spate_event_loop_delay_seconds', { stat: 'max' }), undefined);
  t.not(afterProduce.value('process_cpu_user_seconds_total'), undefined, 'prom-client default process metrics');

  const member = await startMember(kafka, 'metrics-readers', topic);
  t.teardown(() => member.consumer.disconnect());
  await waitFor('15 messages consumed', () => member.seen() >= 15);
  const afterConsume = await scrape(port);
  t.true(afterConsume.sum('spate_requests_total', { api: 'Fetch' }) >= 1);
  t.true(afterConsume.sum('spate_requests_total', { api: 'JoinGroup' }) >= 1);
  t.true(afterConsume.value('spate_topic_bytes_out_total', { topic })! >= bytesIn);
  t.true(afterConsume.value('spate_topic_messages_out_total', { topic })! >= 15);
  t.true(afterConsume.value('spate_requests_total', { api: 'Produce' })! >= afterProduce.value('spate_requests_total', { api: 'Produce' })!);
});

test('consumer lag appears for a group that fell behind and returns to zero when it catches up', async (t) => {
  const broker = await startTestBroker({ metricsPort: 0 });
  t.teardown(() => broker.close());
  const port = broker.metricsPort!;
  const kafka = kafkaClient(broker.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const topic = 'lagging';
  const group = 'slow-readers';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await produce(kafka, topic, { 0: 5 });

  const lagOf = async (): Promise<number | undefined> => (await scrape(port)).value('spate_consumer_lag', { group, topic, partition: '0' });
  let member = await startMember(kafka, group, topic);
  await waitFor('5 messages consumed', () => member.seen() >= 5);
  await waitFor('lag 0 after the commit', async () => (await lagOf()) === 0);
  await member.consumer.disconnect();

  await produce(kafka, topic, { 0: 7 });
  const behind = await scrape(port);
  t.is(behind.value('spate_consumer_lag', { group, topic, partition: '0' }), 7);
  t.is(behind.value('spate_consumer_group_lag', { group }), 7);
  t.is(behind.value('spate_metrics_series_dropped', { metric: 'spate_consumer_lag' }), 0);

  member = await startMember(kafka, group, topic);
  t.teardown(() => member.consumer.disconnect());
  await waitFor('7 more messages consumed', () => member.seen() >= 7);
  await waitFor('lag back to 0', async () => (await lagOf()) === 0);
  t.is((await scrape(port)).value('spate_consumer_group_lag', { group }), 0);
});

test('/ready turns 503 when a partition worker dies; /health stays 200', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spate-metrics-'));
  const config = resolveBrokerConfig({ host: '127.0.0.1', port: 0, dataDir, workers: 2, metricsPort: 0, properties: { 'group.initial.rebalance.delay.ms': 0 } });
  const broker = await Broker.start(config, createLogger('silent'));
  t.teardown(async () => {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const port = broker.metricsPort!;
  t.is((await httpStatus(port, '/ready')).status, 200);

  await broker.context.workers.terminateWorkerForTesting(1);
  await waitFor('/ready to answer 503', async () => (await httpStatus(port, '/ready')).status === 503, 10_000);
  t.regex((await httpStatus(port, '/ready')).body, /partition worker 1 is dead/);
  t.is((await httpStatus(port, '/health')).status, 200);
  const after = await scrape(port);
  t.is(after.value('spate_worker_up', { worker: '0' }), 1);
  t.is(after.value('spate_worker_up', { worker: '1' }), 0);
});

test('`spate start --metrics-port 0` serves the endpoint and logs its address in the "broker started" line', async (t) => {
  const dir = temporaryDir('spate-metrics-cli-');
  const broker = await startBrokerProcess(dir.path, ['--metrics-port', '0']);
  t.teardown(async () => {
    await broker.kill().catch(() => undefined);
    dir.remove();
  });
  const started = JSON.parse(broker.logs.find((l) => l.includes('"broker started"'))!) as { port: number; metrics: string | null };
  t.is(started.port, broker.port);
  const match = /^http:\/\/127\.0\.0\.1:(\d+)\/metrics$/.exec(started.metrics ?? '');
  t.truthy(match, `metrics address ${started.metrics}`);
  const port = Number(match![1]);
  t.is((await httpStatus(port, '/health')).status, 200);
  t.is((await httpStatus(port, '/ready')).status, 200);
  t.not((await scrape(port)).value('spate_worker_up', { worker: '0' }), undefined);
  t.is(await broker.stop(), 0);
});

test('lag series are capped: whole groups beyond the cap are reported as totals and counted as dropped', (t) => {
  const lags = (topic: string, values: number[]) =>
    values.map((lag, partition) => ({ topic, partition, committedOffset: 0, logEndOffset: lag, lag }));
  const snapshot = limitLagSeries(
    [
      { groupId: 'a', lags: lags('t', [1, 2]) },
      { groupId: 'b', lags: lags('t', [3, 4, 5]) },
      { groupId: 'c', lags: [...lags('u', [6]), { topic: 'gone', partition: 0, committedOffset: 3, logEndOffset: null, lag: null }] },
    ],
    4,
  );
  t.deepEqual(
    snapshot.series.map((s) => `${s.group}/${s.topic}/${s.partition}=${s.lag}`),
    ['a/t/0=1', 'a/t/1=2'],
  );
  t.deepEqual(snapshot.groupTotals, [
    ['a', 3],
    ['b', 12],
    ['c', 6],
  ]);
  t.is(snapshot.dropped, 4);
});
