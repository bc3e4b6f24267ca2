// The group flow with Debian's Python clients: confluent-kafka (librdkafka) with the incremental
// cooperative-sticky assignor, and kafka-python with its default eager assignors.
import test from 'ava';
import { requirePythonModule } from '../helpers/clients.js';
import { groupFlow } from './flow.js';
import { PyMember, waitFor } from './helpers.js';

test('confluent-kafka, partition.assignment.strategy=cooperative-sticky', async (t) => {
  requirePythonModule('confluent_kafka');
  const members: PyMember[] = [];
  const { leftAt, stoppedAt } = await groupFlow(t, 'confluent', async (name, bootstrap, groupId, topic, deliveries) => {
    const m = new PyMember(name, 'confluent', bootstrap, groupId, topic, deliveries, ['cooperative-sticky']);
    await waitFor(`${name} to start`, () => m.events.some((e) => e.e === 'ready') || m.child.exitCode !== null, 15_000);
    if (m.child.exitCode !== null) throw new Error(`${name} exited: ${m.stderr}`);
    members.push(m);
    return m;
  }, { protocol: 'cooperative-sticky' });
  // Incremental rebalancing: when "c" left, the members that stayed were only given partitions, never told
  // to revoke the ones they kept (an eager assignor revokes everything on every rebalance).
  const stayed = members.filter((m) => m.name === 'a' || m.name === 'b');
  for (const m of stayed) {
    const during = m.events.filter((e) => e.at! > leftAt && e.at! < stoppedAt);
    t.deepEqual(during.filter((e) => e.e === 'revoked' && (e.p as number[]).length > 0), [], `${m.name} was not told to revoke the partitions it kept`);
    t.true(during.some((e) => e.e === 'assigned' && (e.p as number[]).length > 0), `${m.name} was given some of the leaver's partitions`);
    // librdkafka before 2.10 (Debian ships 2.0.2) drops its whole assignment when a commit it sent with the old
    // generation arrives after the rebalance bumped it and gets ILLEGAL_GENERATION, as Kafka answers
    // (confluentinc/librdkafka#4059). That must be the only way a member that stayed loses partitions.
    for (const lost of during.filter((e) => e.e === 'lost' && (e.p as number[]).length > 0)) {
      const cause = during.find((e) => e.e === 'error' && e.at! <= lost.at! && e.msg!.startsWith('commit: ') && e.msg!.includes('ILLEGAL_GENERATION'));
      t.truthy(cause, `${m.name} lost ${JSON.stringify(lost.p)} only after a commit that raced the rebalance failed`);
    }
  }
});

test('kafka-python', async (t) => {
  requirePythonModule('kafka');
  await groupFlow(t, 'kafka-python', async (name, bootstrap, groupId, topic, deliveries) => {
    const m = new PyMember(name, 'kafka-python', bootstrap, groupId, topic, deliveries);
    await waitFor(`${name} to start`, () => m.events.some((e) => e.e === 'ready') || m.child.exitCode !== null, 15_000);
    if (m.child.exitCode !== null) throw new Error(`${name} exited: ${m.stderr}`);
    return m;
  });
});
