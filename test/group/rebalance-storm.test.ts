// Members joining and leaving over and over while data flows: the group must end Stable with every partition
// assigned, and no message may be lost (redelivery across rebalances is allowed: commits lag processing).
import test from 'ava';
import { Deliveries, groupSettled, kafkaClient, produceValues, range, sleep, startInProcessBroker, startKafkaJSMember, waitFor, type Member } from './helpers.js';

const PARTITIONS = 6;

test('rebalance storm: 10 joins and leaves during production end in a stable group with nothing lost', async (t) => {
  const running = await startInProcessBroker();
  t.teardown(() => running.close());
  const kafka = kafkaClient(running.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const topic = 'storm';
  const groupId = 'storm-group';
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });

  const deliveries = new Deliveries();
  const members: Member[] = [];
  t.teardown(async () => {
    await Promise.allSettled(members.map((m) => m.stop()));
  });
  members.push(await startKafkaJSMember(kafka, 'steady-1', groupId, topic, deliveries));
  members.push(await startKafkaJSMember(kafka, 'steady-2', groupId, topic, deliveries));

  const all = range('storm', 0, 3000);
  const producing = (async () => {
    for (let i = 0; i < all.length; i += 100) {
      await produceValues(kafka, topic, PARTITIONS, all.slice(i, i + 100));
      await sleep(60);
    }
  })();

  // Churn: joiners arrive and leave with overlapping lifetimes (a fixed pattern, so runs are comparable).
  const pauses = [150, 400, 80, 300, 220, 50, 500, 120, 260, 90];
  const churners: Member[] = [];
  for (let i = 0; i < pauses.length; i++) {
    const m = await startKafkaJSMember(kafka, `churn-${i}`, groupId, topic, deliveries);
    churners.push(m);
    members.push(m);
    await sleep(pauses[i]!);
    if (churners.length > 1 || i % 3 === 2) {
      const leaving = churners.shift()!;
      members.splice(members.indexOf(leaving), 1);
      await leaving.stop();
    }
  }
  for (const leaving of churners.splice(0)) {
    members.splice(members.indexOf(leaving), 1);
    await leaving.stop();
  }
  members.push(await startKafkaJSMember(kafka, 'steady-3', groupId, topic, deliveries));
  await producing;

  await waitFor('a stable group of the 3 remaining members', () => groupSettled(admin, groupId, topic, PARTITIONS, members), 60_000, 100);
  await waitFor('every message', () => deliveries.missing(all).length === 0, 60_000);
  t.deepEqual(deliveries.missing(all), []);
  const d = await admin.describeGroups([groupId]);
  t.is(d.groups[0]!.state, 'Stable');
  t.is(d.groups[0]!.members.length, 3);
  const joins = members.reduce((n, m) => n + m.joins, 0);
  t.log(`deliveries ${deliveries.all.length} for ${all.length} messages (${deliveries.duplicates(all).length} redelivered); joins seen by the final members: ${joins}`);
  // Once stable, the committed offsets reach the log end.
  await waitFor('commits at the log end', async () => {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((e) => [e.partition, e.high]));
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    return committed[0]!.partitions.every((p) => p.offset === ends.get(p.partition));
  });
  t.true(running.broker.groupLag(groupId).every((l) => l.lag === 0));
});
