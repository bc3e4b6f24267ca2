import test from 'ava';
import { pino, type Logger } from 'pino';
import { Writable } from 'node:stream';
import { RateLimitedLog } from '../../src/rate-limited-log.js';

function capture(): { lines: Array<Record<string, unknown>>; log: Logger } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: pino({ level: "debug" }, stream) as Logger };
}

test('writes the first lines of a kind, counts the rest, reports the count on the next window', async (t) => {
  const { lines, log } = capture();
  let now = 0;
  const limited = new RateLimitedLog(log, { linesPerWindow: 2, windowMs: 1000, now: () => now });
  for (let i = 0; i < 1000; i++) limited.write('warn', 'bad-frame', { i }, 'bad frame');
  t.is(limited.suppressedCount('bad-frame'), 998);
  now = 1000;
  t.true(limited.write('warn', 'bad-frame', { i: 1000 }, 'bad frame'));
  await new Promise((resolve) => setImmediate(resolve));
  t.is(lines.length, 3);
  t.is(lines[2]!['suppressed'], 998);
  t.is(lines[0]!['suppressed'], undefined);
});

test('kinds are limited separately and the number of kinds is bounded', (t) => {
  const { log } = capture();
  const limited = new RateLimitedLog(log, { linesPerWindow: 1, maxKinds: 3, now: () => 0 });
  t.true(limited.write('warn', 'a', {}, 'a'));
  t.false(limited.write('warn', 'a', {}, 'a'));
  t.true(limited.write('warn', 'b', {}, 'b'));
  for (let i = 0; i < 100; i++) limited.write('warn', `k${i}`, {}, 'k');
  // 'a' was forgotten when the table filled, so it writes again.
  t.true(limited.write('warn', 'a', {}, 'a'));
});
