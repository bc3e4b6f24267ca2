// The shipped CLI reads and writes every codec kcat does: a topic kcat wrote with snappy or lz4 is consumed
// by `spate consume`, and `spate produce --compression snappy|lz4` is read back by kcat.
import test from 'ava';
import { requireKcat } from '../helpers/clients.js';
import { startTestBroker } from '../helpers/broker.js';
import { runOk } from '../interop/drivers.js';
import { runCli } from './run-cli.js';

for (const codec of ['snappy', 'lz4', 'gzip', 'zstd'] as const) {
  test(`${codec}: kcat writes, spate consume reads; spate produce writes, kcat reads`, async (t) => {
    const kcat = requireKcat();
    const broker = await startTestBroker();
    t.teardown(() => broker.close());
    const lines = Array.from({ length: 200 }, (_, i) => `${codec} line ${i} ${'x'.repeat(i % 50)}`);
    await runOk(kcat, ['-b', broker.bootstrap, '-P', '-t', `from-kcat-${codec}`, '-p', '0', '-z', codec], { input: lines.join('\n') + '\n', timeoutMs: 30_000 });
    const consumed = await runCli(['consume', `from-kcat-${codec}`, '--from-beginning', '--max-messages', String(lines.length), '--bootstrap', broker.bootstrap]);
    t.is(consumed.code, 0, consumed.stderr);
    t.deepEqual(consumed.stdout.split('\n').filter(Boolean), lines);

    t.is((await runCli(['topics', 'create', `from-spate-${codec}`, '--bootstrap', broker.bootstrap])).code, 0);
    const written = await runCli(['produce', `from-spate-${codec}`, '--compression', codec, '--bootstrap', broker.bootstrap], lines.join('\n') + '\n');
    t.is(written.code, 0, written.stderr);
    const read = await runOk(kcat, ['-b', broker.bootstrap, '-C', '-t', `from-spate-${codec}`, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeoutMs: 30_000 });
    t.deepEqual(read.stdout.toString('utf8').split('\n').filter(Boolean), lines);
  });
}
