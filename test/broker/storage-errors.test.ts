// A storage error while reading one partition (here: its segment file truncated under the running broker, as
// a failing disk or an operator's mistake would) fails that partition's fetch with KAFKA_STORAGE_ERROR. It
// must not take down the partition worker, and with it every other partition that worker owns.
import test from 'ava';
import { readdirSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { startTestBroker } from '../helpers/broker.js';
import { simpleBatch } from '../helpers/batch-builder.js';
import { RawClient, assertRoundTrip } from '../helpers/raw-client.js';

const KAFKA_STORAGE_ERROR = 56;

test('a failed read fails only that fetch; the worker and its other partitions carry on', async (t) => {
  // One worker: the damaged partition and the bystander share it.
  const broker = await startTestBroker({ workers: 1 });
  t.teardown(() => broker.close());
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  t.is((await client.createTopic('damaged', 1)).topics[0]!.errorCode, 0);
  t.is((await client.createTopic('bystander', 1)).topics[0]!.errorCode, 0);
  for (let i = 0; i < 5; i++) {
    t.is((await client.produce('damaged', { partition: 0, records: simpleBatch(3, { valueBytes: 1000 }) })).responses[0]!.partitionResponses[0]!.errorCode, 0);
  }
  await assertRoundTrip(client, 'bystander');

  const dir = join(broker.dataDir, 'damaged-0');
  const segments = readdirSync(dir).filter((f) => f.endsWith('.log'));
  t.true(segments.length > 0, `no .log segment in ${readdirSync(dir).join(', ')}`);
  for (const segment of segments) truncateSync(join(dir, segment), 100);

  const fetched = (await client.fetch('damaged', 0, 0)).responses[0]!.partitions[0]!;
  t.is(fetched.errorCode, KAFKA_STORAGE_ERROR);
  t.is(fetched.records?.length ?? 0, 0);

  // The worker survived: metadata still shows leaders everywhere, and the bystander works end to end.
  const metadata = await client.metadata(['damaged', 'bystander']);
  t.deepEqual(metadata.topics.map((x) => x.partitions.map((p) => p.errorCode)), [[0], [0]]);
  await assertRoundTrip(client, 'bystander');
  // The damaged partition keeps answering (with the error) rather than hanging.
  const again = (await client.fetch('damaged', 0, 3)).responses[0]!.partitions[0]!;
  t.is(again.errorCode, KAFKA_STORAGE_ERROR);
});
