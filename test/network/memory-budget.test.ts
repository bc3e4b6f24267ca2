import test from 'ava';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { resolveBrokerConfig } from '../../src/config/broker-config.js';
import { MemoryBudget, type BudgetWaiter } from '../../src/network/memory-budget.js';

/** A waiter that takes `wants` bytes when retried, if they fit; otherwise it registers again. */
function waiter(budget: MemoryBudget, wants: number, log: string[], name: string): BudgetWaiter {
  const self: BudgetWaiter = {
    retry: () => {
      log.push(name);
      if (!budget.fits(wants)) {
        budget.wait(self);
        return 0;
      }
      budget.add(wants);
      return wants;
    },
  };
  return self;
}

test('waiters are retried in registration order once bytes come back, as far as there is room', async (t) => {
  const budget = new MemoryBudget('test', 100);
  budget.add(100);
  t.true(budget.exhausted);
  const log: string[] = [];
  const a = waiter(budget, 30, log, 'a');
  const b = waiter(budget, 30, log, 'b');
  const c = waiter(budget, 30, log, 'c');
  budget.wait(a);
  budget.wait(b);
  budget.wait(c);
  budget.release(60);
  await nextTurn();
  t.deepEqual(log, ['a', 'b'], 'c is not retried: a and b took the room there was');
  t.is(budget.usedBytes, 100);
  t.is(budget.waiterCount, 1);
  budget.release(30);
  await nextTurn();
  t.deepEqual(log, ['a', 'b', 'c']);
  t.is(budget.waiterCount, 0);
});

test('many releases in one turn wake waiters once; a cancelled waiter is not retried', async (t) => {
  const budget = new MemoryBudget('test', 10);
  budget.add(10);
  const log: string[] = [];
  const a = waiter(budget, 1, log, 'a');
  const b = waiter(budget, 1, log, 'b');
  budget.wait(a);
  budget.wait(b);
  budget.cancel(a);
  for (let i = 0; i < 5; i++) budget.release(1);
  await nextTurn();
  t.deepEqual(log, ['b']);
});

test('one waiter at a time holds the pass past the limit, the longest waiting first', (t) => {
  const budget = new MemoryBudget('test', 10, { pass: true });
  budget.add(10);
  t.false(new MemoryBudget('no pass', 10).takePass({ retry: () => 0 }), 'a budget made without a pass has none');
  const first: BudgetWaiter = { retry: () => 0 };
  const second: BudgetWaiter = { retry: () => 0 };
  budget.wait(first);
  budget.wait(second);
  t.false(budget.takePass(second), 'someone waited longer');
  t.true(budget.takePass(first));
  t.true(budget.holdsPass(first));
  t.false(budget.takePass(second), 'the pass is held');
  budget.endPass(first);
  t.true(budget.takePass(second));
});

test('queued.max.request.bytes below socket.request.max.bytes is refused, as Kafka does; -1 means no bound', (t) => {
  t.throws(() => resolveBrokerConfig({ properties: { 'queued.max.request.bytes': 1024 * 1024 } }), {
    code: 'SPATE_CONFIG_INVALID',
    message: /queued\.max\.request\.bytes.*socket\.request\.max\.bytes/,
  });
  t.is(resolveBrokerConfig({ properties: { 'queued.max.request.bytes': -1 } }).properties['queued.max.request.bytes'], '-1');
  const small = resolveBrokerConfig({ properties: { 'queued.max.request.bytes': 2 * 1024 * 1024, 'socket.request.max.bytes': 1024 * 1024 } });
  t.is(small.properties['queued.max.request.bytes'], String(2 * 1024 * 1024));
  t.throws(() => resolveBrokerConfig({ properties: { 'max.connections': 0 } }), { message: /max\.connections.*at least 1/ });
});
