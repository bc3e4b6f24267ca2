// When a partition worker gives up on its log dir, and how it reports storage errors (src/partition/storage-faults.ts).
// The live-broker side (a full disk) is test/broker/disk-full.test.ts; a failing fdatasync cannot be caused there
// without a faulty block device, so that rule is checked here.
import test from 'ava';
import { FAILING_APPENDS_OFFLINE_AFTER_MS, StorageFaults } from '../../src/partition/storage-faults.js';
import type { WorkerEvent } from '../../src/partition/worker-events.js';

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

function setup(): { faults: StorageFaults; events: WorkerEvent[]; clock: { now: number } } {
  const events: WorkerEvent[] = [];
  const clock = { now: 1_000_000 };
  return { faults: new StorageFaults((e) => events.push(e), () => clock.now), events, clock };
}

test('a failed fdatasync takes the log dir offline at once', (t) => {
  const { faults, events } = setup();
  faults.record('flush', 't-0', Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
  t.regex(faults.offlineReason ?? '', /fdatasync of t-0 failed \(EIO\)/);
  t.deepEqual(
    events.map((e) => e.type),
    ['storage-errors', 'log-dir-offline'],
  );
});

test('appends must keep failing, none succeeding, for the whole window before the log dir goes offline', (t) => {
  const { faults, events, clock } = setup();
  faults.record('append', 't-0', enospc());
  clock.now += FAILING_APPENDS_OFFLINE_AFTER_MS - 1;
  faults.record('append', 't-1', enospc());
  t.is(faults.offlineReason, null);
  // One success starts the window again.
  faults.appendSucceeded();
  clock.now += 10;
  faults.record('append', 't-0', enospc());
  clock.now += FAILING_APPENDS_OFFLINE_AFTER_MS - 1;
  faults.record('append', 't-0', enospc());
  t.is(faults.offlineReason, null);
  clock.now += 1;
  faults.record('append', 't-0', enospc());
  t.regex(faults.offlineReason ?? '', /every append failed for 2000 ms \(3 appends\), the last on t-0 \(ENOSPC\)/);
  t.is(events.filter((e) => e.type === 'log-dir-offline').length, 1);
  // Reads and retention failures never take it offline on their own.
  const other = setup();
  for (let i = 0; i < 100; i++) {
    other.faults.record('read', 't-0', new Error('short read'));
    other.faults.record('retention', 't-0', Object.assign(new Error('EPERM'), { code: 'EPERM' }));
    other.clock.now += 100;
  }
  t.is(other.faults.offlineReason, null);
});

test('errors are coalesced per operation and code into at most one report per 100 ms', (t) => {
  const { faults, events, clock } = setup();
  for (let i = 0; i < 1000; i++) faults.record('append', `t-${i % 7}`, enospc());
  faults.record('read', 't-3', new Error('short read'));
  faults.report(clock.now);
  t.is(events.length, 1);
  const first = events[0]!;
  if (first.type !== 'storage-errors') throw new Error(first.type);
  t.deepEqual(
    first.errors.map((e) => [e.operation, e.code, e.count, e.partition]),
    [
      ['append', 'ENOSPC', 1000, 't-0'],
      ['read', 'Error', 1, 't-3'],
    ],
  );
  faults.record('append', 't-0', enospc());
  clock.now += 50;
  faults.report(clock.now);
  t.is(events.length, 1, 'not within 100 ms of the last report');
  clock.now += 50;
  faults.report(clock.now);
  t.is(events.length, 2);
});
