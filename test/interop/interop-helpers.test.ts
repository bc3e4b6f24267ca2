// The interop tests are only as good as their generator and verifier: these check, without any broker or
// client, that generation is deterministic and unique, that the verifier catches each kind of damage, and
// that the kcat input/output handling is byte exact.
import test from 'ava';
import { describeMessages, generateMessages, keyAffinityProblems, verifyConsumed, type ConsumedMessage, type ProducedMessage } from '../helpers/messages.js';
import { KCAT_AVOID, KCAT_KEY_DELIMITER, KCAT_MESSAGE_DELIMITER, generateFor, parseKcatJson, planKcatRuns } from './drivers.js';

/** What a perfect consumer would return for `produced`: per partition, offsets from 0 in send order. */
function perfectConsume(produced: readonly ProducedMessage[]): ConsumedMessage[] {
  const next = new Map<number, number>();
  return produced.map((m) => {
    const partition = m.partition ?? 0;
    const offset = next.get(partition) ?? 0;
    next.set(partition, offset + 1);
    return { partition, offset, key: m.key, value: m.value, headers: m.headers, timestamp: m.timestamp!, timestampType: 'create' as const };
  });
}

test('generation is deterministic and every message is unique', (t) => {
  const a = generateMessages({ count: 3_000, seed: 9, partitions: 4 });
  const b = generateMessages({ count: 3_000, seed: 9, partitions: 4 });
  const c = generateMessages({ count: 3_000, seed: 10, partitions: 4 });
  t.deepEqual(a, b);
  t.notDeepEqual(a, c);
  const identity = (m: ProducedMessage): string => `${m.key?.toString('hex') ?? '-'}/${m.value?.toString('hex') ?? '-'}`;
  t.is(new Set(a.map(identity)).size, a.length);
  const shape = describeMessages(a);
  for (const [name, count] of Object.entries(shape)) t.true(count > 0, `${name} present`);
  t.true(a.every((m) => m.partition !== undefined && m.partition >= 0 && m.partition < 4));
  t.false(a.some((m) => m.key === null && (m.value === null || m.value.length === 0)), 'never both key and value degenerate');
});

test('the verifier accepts a perfect consume, in any interleaving of partitions', (t) => {
  const produced = generateMessages({ count: 500, seed: 1, partitions: 3 });
  const consumed = perfectConsume(produced);
  t.deepEqual(verifyConsumed(produced, consumed, { partitions: 3 }).errors, []);
  const interleaved = [...consumed].sort((x, y) => x.partition - y.partition || x.offset - y.offset);
  t.deepEqual(verifyConsumed(produced, interleaved, { partitions: 3 }).errors, []);
  // Without explicit partitions the verifier matches by content.
  const unpinned = produced.map(({ partition: _partition, ...rest }) => rest);
  t.deepEqual(verifyConsumed(unpinned, interleaved, { partitions: 3 }).errors, []);
});

test('the verifier catches every kind of damage', (t) => {
  const produced = generateMessages({ count: 300, seed: 2, partitions: 2 });
  const good = perfectConsume(produced);
  const damaged = (change: (list: ConsumedMessage[]) => void, pinned = true): string[] => {
    const list = good.map((c) => ({ ...c }));
    change(list);
    const set = pinned ? produced : produced.map(({ partition: _partition, ...rest }) => rest);
    return verifyConsumed(set, list, { partitions: 2 }).errors;
  };
  const firstWith = (f: (c: ConsumedMessage) => boolean): number => good.findIndex(f);

  t.not(damaged((l) => l.pop()).length, 0, 'missing message');
  t.not(damaged((l) => l.push({ ...l[0]!, offset: 1_000 })).length, 0, 'extra message');
  t.not(damaged((l) => l.splice(1, 1)).length, 0, 'hole in the offsets');
  t.not(
    damaged((l) => {
      const i = firstWith((c) => c.value !== null && c.value.length > 4);
      const v = Buffer.from(l[i]!.value!);
      v[2] = v[2]! ^ 1;
      l[i]!.value = v;
    }).length,
    0,
    'one flipped value bit',
  );
  t.not(damaged((l) => (l[firstWith((c) => c.value !== null && c.value.length === 0)]!.value = null)).length, 0, 'empty value served as null');
  t.not(damaged((l) => (l[firstWith((c) => c.key === null)]!.key = Buffer.alloc(0))).length, 0, 'null key served as empty');
  t.not(damaged((l) => (l[firstWith((c) => c.headers.length > 1)]!.headers = [...l[firstWith((c) => c.headers.length > 1)]!.headers].reverse())).length, 0, 'headers reordered');
  t.not(damaged((l) => (l[firstWith((c) => c.headers.some((h) => h.value === null))]!.headers = [])).length, 0, 'headers dropped');
  t.not(damaged((l) => (l[5]!.timestamp += 1)).length, 0, 'timestamp changed');
  t.not(damaged((l) => (l[5]!.timestampType = 'log-append')).length, 0, 'timestamp type changed');
  // Two messages of one partition swapped (offsets kept): order broken, pinned or matched by content.
  const swap = (l: ConsumedMessage[]): void => {
    const [i, j] = good.map((c, k) => [c, k] as const).filter(([c]) => c.partition === 0).slice(3, 5).map(([, k]) => k) as [number, number];
    const a = { ...l[i]!, offset: l[j]!.offset };
    l[j] = { ...l[j]!, offset: l[i]!.offset };
    l[i] = a;
  };
  t.not(damaged(swap).length, 0, 'two messages swapped');
  t.not(damaged(swap, false).length, 0, 'two messages swapped, matched by content');
});

test('key affinity: a key in two partitions is reported', (t) => {
  const produced = generateMessages({ count: 200, seed: 3, partitions: 4, nullKeys: false, emptyKeys: false });
  const consumed = perfectConsume(produced);
  t.deepEqual(keyAffinityProblems(consumed), []);
  const moved = consumed.map((c, i) => (i === 7 ? { ...c, partition: (c.partition + 1) % 4 } : c));
  t.is(keyAffinityProblems(moved).length, 1);
});

test('kcat: generated messages avoid the delimiters and split into few runs', (t) => {
  const produced = generateFor('kcat', { count: 5_000, seed: 4, partitions: 6 });
  for (const m of produced) {
    for (const b of [m.key, m.value]) for (const d of KCAT_AVOID) t.false(b !== null && b.includes(Buffer.from(d, 'latin1')));
  }
  const runs = planKcatRuns(produced);
  t.true(runs.length <= 48, `${runs.length} runs`);
  t.is(runs.reduce((n, r) => n + r.messages.length, 0), produced.length);
  t.true(runs.every((r) => !(r.nullMode && r.hasEmpty)));
  t.not(KCAT_KEY_DELIMITER, KCAT_MESSAGE_DELIMITER);
  t.throws(() => planKcatRuns(generateMessages({ count: 10, seed: 5, partitions: 1 })), { message: /timestamp/ });
});

test('kcat -J output is read back byte for byte', (t) => {
  // yajl escapes control characters and passes other bytes through raw; names are UTF-8.
  const line = Buffer.concat([
    Buffer.from('{"topic":"t","partition":2,"offset":7,"tstype":"create","ts":1700000000123,"broker":1,"headers":["x-\u00c3\u00bc",null,"b","\\u0000\\u0001\xff"],"key":"', 'latin1'),
    Buffer.from([0xff, 0x80, 0x5c, 0x22]), // raw 0xff 0x80, then an escaped quote (\")
    Buffer.from('","payload":null}\n', 'latin1'),
  ]);
  const [m] = parseKcatJson(line);
  t.is(m!.partition, 2);
  t.is(m!.offset, 7);
  t.is(m!.timestamp, 1_700_000_000_123);
  t.is(m!.timestampType, 'create');
  t.deepEqual(m!.key, Buffer.from([0xff, 0x80, 0x22]));
  t.is(m!.value, null);
  t.deepEqual(m!.headers, [
    { key: 'x-ü', value: null },
    { key: 'b', value: Buffer.from([0, 1, 0xff]) },
  ]);
});
