// The consumer-group scenario every client goes through: stable exactly-once delivery, takeover when a member
// leaves, resuming from committed offsets after all stop, and offsets that survive a broker restart.
import type { ExecutionContext } from 'ava';
import { startBrokerProcess, temporaryDir, type BrokerProcess } from '../helpers/broker.js';
import { Deliveries, groupSettled, kafkaClient, produceValues, range, sleep, waitFor } from './helpers.js';

export interface FlowMember {
  /** The member's own view of its partitions, when the client reports it. */
  readonly assignment?: number[] | undefined;
  stop(): Promise<void>;
}

export type StartMember = (name: string, bootstrap: string, groupId: string, topic: string, deliveries: Deliveries) => FlowMember | Promise<FlowMember>;

const PARTITIONS = 6;

export interface FlowOptions {
  /** The protocol (assignor) the group must end up using. */
  protocol?: string;
  sizes?: { first: number; second: number; third: number; fourth: number };
  /**
   * Stop the leaving member only while nothing is in flight, then produce. kcat needs this: a SIGTERM during
   * rd_kafka_consumer_poll drops the message just polled unprinted while its offset is already stored, so
   * close() commits past it (kcat.c consume_cb returns early once conf.run is 0): an at-most-once window of
   * the client, not of the broker.
   */
  leaveWhileIdle?: boolean;
}

export async function groupFlow(t: ExecutionContext, label: string, startMember: StartMember, options: FlowOptions = {}): Promise<{ leftAt: number; stoppedAt: number }> {
  const sizes = options.sizes ?? { first: 3000, second: 1500, third: 600, fourth: 300 };
  const dir = temporaryDir(`spate-groups-${label}-`);
  let broker: BrokerProcess = await startBrokerProcess(dir.path);
  const members: FlowMember[] = [];
  t.teardown(async () => {
    await Promise.allSettled(members.map((m) => m.stop()));
    await broker.kill().catch(() => undefined);
    dir.remove();
  });
  const topic = `${label}-topic`;
  const groupId = `${label}-group`;
  let kafka = kafkaClient(broker.bootstrap);
  let admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  const deliveries = new Deliveries();
  const settled = (timeoutMs = 40_000): Promise<void> =>
    waitFor(`a stable ${members.length}-member group`, () => groupSettled(admin, groupId, topic, PARTITIONS, members), timeoutMs, 100);

  for (const name of ['a', 'b', 'c']) members.push(await startMember(name, broker.bootstrap, groupId, topic, deliveries));
  await settled();
  if (options.protocol !== undefined) t.is((await admin.describeGroups([groupId])).groups[0]!.protocol, options.protocol);

  const first = range('first', 0, sizes.first);
  await produceValues(kafka, topic, PARTITIONS, first);
  await waitFor(`${sizes.first} messages`, () => deliveries.missing(first).length === 0, 40_000);
  await sleep(300);
  t.deepEqual(deliveries.duplicates(first), [], 'each message exactly once while membership is stable');
  t.is(new Set(deliveries.all.map((d) => d.member)).size, 3, 'every member consumed');

  const second = range('second', 0, sizes.second);
  const leftAt = performance.now();
  if (options.leaveWhileIdle) {
    await members.pop()!.stop();
    await settled();
    await produceValues(kafka, topic, PARTITIONS, second);
  } else {
    const producing = produceValues(kafka, topic, PARTITIONS, second);
    await members.pop()!.stop();
    await settled();
    await producing;
  }
  await waitFor(`${sizes.second} more messages`, () => deliveries.missing(second).length === 0, 40_000).catch(async (error: unknown) => {
    const missing = deliveries.missing(second);
    const d = await admin.describeGroups([groupId]);
    const committedNow = await admin.fetchOffsets({ groupId, topics: [topic] });
    t.log(JSON.stringify({ missing: missing.length, sample: missing.slice(0, 10), group: d.groups[0]!.state, members: d.groups[0]!.members.length, committedNow: committedNow[0]!.partitions }));
    throw error;
  });
  t.log(`${label}: redelivered around the leave: ${deliveries.duplicates(second).length} of ${sizes.second}`);

  const stoppedAt = performance.now();
  await Promise.all(members.splice(0).map((m) => m.stop()));
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((e) => [e.partition, e.high]));
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  t.deepEqual(
    committed[0]!.partitions.map((p) => [p.partition, p.offset]).sort(),
    [...ends].sort(),
    'after a graceful stop everything consumed is committed',
  );

  const third = range('third', 0, sizes.third);
  await produceValues(kafka, topic, PARTITIONS, third);
  let before = deliveries.all.length;
  members.push(await startMember('d', broker.bootstrap, groupId, topic, deliveries));
  await waitFor('the restarted member to read the new messages', () => deliveries.missing(third).length === 0, 40_000);
  await sleep(300);
  t.deepEqual(deliveries.all.slice(before).map((d) => d.value).sort(), [...third].sort(), 'a restarted member resumes after the committed offsets');
  await members.pop()!.stop();
  await admin.disconnect();

  t.is(await broker.stop(), 0);
  broker = await startBrokerProcess(dir.path);
  kafka = kafkaClient(broker.bootstrap);
  admin = kafka.admin();
  await admin.connect();
  const ends2 = new Map((await admin.fetchTopicOffsets(topic)).map((e) => [e.partition, e.high]));
  const afterRestart = await admin.fetchOffsets({ groupId, topics: [topic] });
  t.deepEqual(afterRestart[0]!.partitions.map((p) => [p.partition, p.offset]).sort(), [...ends2].sort(), 'committed offsets survive a broker restart');
  const fourth = range('fourth', 0, sizes.fourth);
  await produceValues(kafka, topic, PARTITIONS, fourth);
  before = deliveries.all.length;
  members.push(await startMember('e', broker.bootstrap, groupId, topic, deliveries));
  await waitFor('the member after the broker restart to read the new messages', () => deliveries.missing(fourth).length === 0, 40_000);
  await sleep(300);
  t.deepEqual(deliveries.all.slice(before).map((d) => d.value).sort(), [...fourth].sort(), 'after a broker restart a member resumes after the committed offsets');
  await members.pop()!.stop();
  await admin.disconnect();
  return { leftAt, stoppedAt };
}
