// The shipped CLI reads and writes every codec kcat does, keys and headers included: a topic kcat wrote with
// each codec is printed by `spate consume -f` exactly as `kcat -C -f` prints it, and what
// `spate produce --compression C` wrote is printed by kcat exactly as spate was given it.
import test from 'ava';
import { requireKcat } from '../helpers/clients.js';
import { startTestBroker } from '../helpers/broker.js';
import { runOk } from '../interop/drivers.js';
import { runCli } from './run-cli.js';

const FORMAT = '%k|%s|%h\\n';

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
  test(`${codec}: kcat writes, spate consume reads; spate produce writes, kcat reads`, async (t) => {
    const kcat = requireKcat();
    const broker = await startTestBroker();
    t.teardown(() => broker.close());
    const lines = Array.from({ length: 200 }, (_, i) => `key-${i % 9}:${codec} line ${i} ${'x'.repeat(i % 50)}`);
    await runOk(kcat, ['-b', broker.bootstrap, '-P', '-t', `from-kcat-${codec}`, '-p', '0', '-z', codec, '-K', ':', '-H', 'origin=kcat'], { input: lines.join('\n') + '\n', timeoutMs: 30_000 });
    const consumed = await runCli(['consume', `from-kcat-${codec}`, '-o', 'beginning', '-e', '-f', FORMAT, '--bootstrap', broker.bootstrap]);
    t.is(consumed.code, 0, consumed.stderr);
    const kcatView = await runOk(kcat, ['-b', broker.bootstrap, '-C', '-t', `from-kcat-${codec}`, '-o', 'beginning', '-e', '-q', '-f', FORMAT], { timeoutMs: 30_000 });
    t.is(consumed.stdout, kcatView.stdout.toString('utf8'));
    t.is(consumed.stdout, lines.map((l) => `${l.replace(':', '|')}|origin=kcat\n`).join(''));

    t.is((await runCli(['topics', 'create', `from-spate-${codec}`, '--bootstrap', broker.bootstrap])).code, 0);
    const written = await runCli(['produce', `from-spate-${codec}`, '-z', codec, '-K', ':', '-H', 'origin=spate', '--bootstrap', broker.bootstrap], lines.join('\n') + '\n');
    t.is(written.code, 0, written.stderr);
    const read = await runOk(kcat, ['-b', broker.bootstrap, '-C', '-t', `from-spate-${codec}`, '-o', 'beginning', '-e', '-q', '-f', FORMAT], { timeoutMs: 30_000 });
    t.is(read.stdout.toString('utf8'), lines.map((l) => `${l.replace(':', '|')}|origin=spate\n`).join(''));
  });
}
