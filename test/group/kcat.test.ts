// The group flow with kcat's balanced consumer (`kcat -G`, librdkafka's default range,roundrobin assignors,
// auto-commit), stopped with SIGTERM, which makes kcat commit and leave the group.
import { spawn } from 'node:child_process';
import test from 'ava';
import { requireKcat } from '../helpers/clients.js';
import { groupFlow } from './flow.js';

test('kcat -G', async (t) => {
  const kcat = requireKcat();
  await groupFlow(t, 'kcat', (name, bootstrap, groupId, topic, deliveries) => {
    const child = spawn(
      kcat,
      [
        '-b', bootstrap, '-G', groupId, topic, '-q', '-u', '-f', '%p %o %s\\n',
        '-X', 'auto.offset.reset=earliest',
        '-X', 'auto.commit.interval.ms=100',
        '-X', 'heartbeat.interval.ms=200',
        '-X', 'session.timeout.ms=10000',
        '-X', 'fetch.wait.max.ms=100',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let buffered = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      buffered += c.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const [p, o, v] = buffered.slice(0, nl).split(' ');
        buffered = buffered.slice(nl + 1);
        deliveries.add(name, v!, Number(p), Number(o));
      }
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return {
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const code = await exited;
        if (code !== 0) throw new Error(`kcat ${name} exited with ${code}: ${stderr}`);
      },
    };
  }, { leaveWhileIdle: true });
});
