// Consumer groups end to end with KafkaJS: exactly-once delivery while membership is stable, takeover when a
// member leaves, resuming from committed offsets, and offsets that survive a broker restart.
import test from 'ava';
import { offsetsPartitionFor, OFFSETS_TOPIC } from '../../src/group/index.js';
import { startBrokerProcess, temporaryDir } from '../helpers/broker.js';
import {
  Deliveries,
  describeAssignments,
  groupSettled,
  kafkaClient,
  produceValues,
  range,
  startInProcessBroker,
  startKafkaJSMember,
  waitFor,
  sleep,
  type Member,
} from './helpers.js';

const PARTITIONS = 6;

test('3 KafkaJS members share 6 partitions exactly once; takeover on leave; resume after stop and after a broker restart', async (t) => {
  const dir = temporaryDir('spate-groups-kafkajs-');
  let broker = await startBrokerProcess(dir.path);
  t.teardown(async () => {
    await broker.kill().catch(() => undefined);
    dir.remove();
  });
  const topic = 'orders';
  const groupId = 'billing';
  let kafka = kafkaClient(broker.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });

  const deliveries = new Deliveries();
  const members: Member[] = [];
  t.teardown(async () => {
    await Promise.allSettled(members.map((m) => m.stop()));
  });
  for (const name of ['a', 'b', 'c']) members.push(await startKafkaJSMember(kafka, name, groupId, topic, deliveries));
  await waitFor('a stable 3-member group', () => groupSettled(admin, groupId, topic, PARTITIONS, members));

  // Stable membership: every message exactly once.
  const first = range('first', 0, 3000);
  await produceValues(kafka, topic, PARTITIONS, first);
  await waitFor('3000 messages', () => deliveries.missing(first).length === 0);
  await sleep(300);
  t.deepEqual(deliveries.duplicates(first), [], 'no duplicates while membership is stable');
  t.is(deliveries.all.length, 3000);
  const perMember = new Map<string, number>();
  for (const d of deliveries.all) perMember.set(d.member, (perMember.get(d.member) ?? 0) + 1);
  t.is(perMember.size, 3, `every member consumed (${JSON.stringify([...perMember])})`);

  // One member leaves while data keeps coming: the other two take its partitions over, nothing is lost.
  const second = range('second', 0, 1500);
  const producing = produceValues(kafka, topic, PARTITIONS, second);
  const leaver = members.pop()!;
  const left = performance.now();
  await leaver.stop();
  await waitFor('the 2 remaining members to own all partitions', () => groupSettled(admin, groupId, topic, PARTITIONS, members));
  t.log(`rebalance after LeaveGroup: ${(Math.max(...members.map((m) => m.lastJoinAt)) - left).toFixed(0)} ms (KafkaJS heartbeat 200 ms)`);
  await producing;
  await waitFor('1500 more messages', () => deliveries.missing(second).length === 0);
  t.log(`redelivered around the leave: ${deliveries.duplicates(second).length}`);

  // All stop; committed offsets are at the log end; a restarted member resumes right after them.
  await Promise.all(members.splice(0).map((m) => m.stop()));
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  const endOf = new Map(ends.map((e) => [e.partition, e.high]));
  t.deepEqual(
    committed[0]!.partitions.map((p) => [p.partition, p.offset]).sort(),
    [...endOf].map(([p, high]) => [p, high]).sort(),
    'everything consumed is committed',
  );
  const third = range('third', 0, 600);
  await produceValues(kafka, topic, PARTITIONS, third);
  const before = deliveries.all.length;
  members.push(await startKafkaJSMember(kafka, 'd', groupId, topic, deliveries));
  await waitFor('the restarted member to read the new messages', () => deliveries.missing(third).length === 0);
  await sleep(300);
  t.deepEqual(
    deliveries.all.slice(before).map((d) => d.value).sort(),
    [...third].sort(),
    'the restarted member got exactly the messages after the committed offsets',
  );
  await members.pop()!.stop();
  await admin.disconnect();

  // The offsets are in __consumer_offsets, so they survive a broker restart on the same data dir.
  t.is(committed[0]!.partitions.length, PARTITIONS);
  t.is(await broker.stop(), 0);
  broker = await startBrokerProcess(dir.path);
  kafka = kafkaClient(broker.bootstrap);
  const admin2 = kafka.admin();
  await admin2.connect();
  const afterRestart = await admin2.fetchOffsets({ groupId, topics: [topic] });
  const ends2 = await admin2.fetchTopicOffsets(topic);
  t.deepEqual(
    afterRestart[0]!.partitions.map((p) => [p.partition, p.offset]).sort(),
    ends2.map((e) => [e.partition, e.high]).sort(),
    'committed offsets (at the log end) are back after the restart',
  );
  const fourth = range('fourth', 0, 300);
  await produceValues(kafka, topic, PARTITIONS, fourth);
  const before4 = deliveries.all.length;
  members.push(await startKafkaJSMember(kafka, 'e', groupId, topic, deliveries));
  await waitFor('the member after the restart to read the new messages', () => deliveries.missing(fourth).length === 0);
  await sleep(300);
  t.deepEqual(deliveries.all.slice(before4).map((d) => d.value).sort(), [...fourth].sort());
  await members.pop()!.stop();
  await admin2.disconnect();
});

test('DescribeGroups, OffsetFetch and lag for callers; __consumer_offsets is internal and closed to clients', async (t) => {
  const running = await startInProcessBroker();
  t.teardown(() => running.close());
  const kafka = kafkaClient(running.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const topic = 'events';
  const groupId = 'analytics';
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

  // Like Kafka, the offsets topic is created on first use (the first commit), not at startup.
  t.false((await admin.listTopics()).includes(OFFSETS_TOPIC), 'no offsets topic before any commit');

  await produceValues(kafka, topic, 3, range('v', 0, 90));
  const deliveries = new Deliveries();
  const member = await startKafkaJSMember(kafka, 'only', groupId, topic, deliveries);
  t.teardown(() => member.stop().catch(() => undefined));
  await waitFor('stable group', () => groupSettled(admin, groupId, topic, 3, [member]));
  await waitFor('90 messages', () => deliveries.all.length >= 90);
  await waitFor('commits at the log end', async () => {
    const o = await admin.fetchOffsets({ groupId, topics: [topic] });
    return o[0]!.partitions.every((p) => p.offset === '30');
  });

  // Now it exists: Metadata lists the internal topic, flagged, with offsets.topic.num.partitions partitions.
  const meta = await admin.fetchTopicMetadata({ topics: [OFFSETS_TOPIC] });
  t.is(meta.topics[0]!.partitions.length, 50);
  const listed = await admin.listTopics();
  t.true(listed.includes(OFFSETS_TOPIC), 'listed among all topics, as Kafka does');

  // Clients may not produce to it.
  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  const refused = await t.throwsAsync(producer.send({ topic: OFFSETS_TOPIC, messages: [{ value: 'x', partition: 0 }] }));
  t.regex(String((refused as Error & { type?: string }).type ?? refused?.message), /INVALID_TOPIC_EXCEPTION|invalid topic/i);
  await producer.disconnect();

  const described = await describeAssignments(admin, groupId, topic);
  t.is(described.state, 'Stable');
  t.deepEqual([...described.members.values()], [[0, 1, 2]]);
  const { groups } = await admin.describeGroups([groupId]);
  t.is(groups[0]!.protocolType, 'consumer');
  t.is(groups[0]!.protocol, 'RoundRobinAssigner');
  t.is(groups[0]!.members[0]!.clientId, 'groups-test');

  t.deepEqual(
    running.broker.groupLag(groupId).map((l) => [l.partition, l.committedOffset, l.logEndOffset, l.lag]),
    [[0, 30, 30, 0], [1, 30, 30, 0], [2, 30, 30, 0]],
  );
  await member.stop();
  await produceValues(kafka, topic, 3, range('w', 0, 12));
  t.deepEqual(running.broker.groupLag(groupId).map((l) => l.lag), [4, 4, 4], 'lag grows while nobody consumes');

  // The commits went to partition hash(group) % 50 of __consumer_offsets.
  const offsetsEnds = await admin.fetchTopicOffsets(OFFSETS_TOPIC);
  const home = offsetsPartitionFor(groupId, 50);
  const written = offsetsEnds.filter((e) => Number(e.high) > 0).map((e) => e.partition);
  t.deepEqual(written, [home]);
  const groupsListed = await admin.listGroups();
  t.deepEqual(groupsListed.groups.map((g) => g.groupId), [groupId]);
});
