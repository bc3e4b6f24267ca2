// `spate bench produce|consume|e2e`: the load generator (src/bench/) on the command line.
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Acks } from '../client/index.js';
import { runAsChild, runBench, shardOptions } from '../bench/run.js';
import type { BenchOptions, Workload } from '../bench/types.js';
import { integerOption } from './client-common.js';
import { usageError } from './exit-codes.js';
import { BOOTSTRAP_ENV, PROFILE_ENV, resolveConnection } from './profile.js';

/** What commander parses: the harness options with the CLI's own units (seconds) and CLI-only flags. */
type BenchCliOptions = Omit<BenchOptions, 'durationMs' | 'timeoutMs' | 'shard' | 'bootstrap'> & {
  bootstrap?: string;
  profile?: string;
  duration?: number;
  processes: number;
  json?: string;
  timeoutMs?: number;
  shard?: string;
};

function parseAcks(value: string): Acks {
  if (value === 'all' || value === '-1') return -1;
  if (value === '0') return 0;
  if (value === '1') return 1;
  throw new InvalidArgumentError('acks must be 0, 1, -1 or all');
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

/** This command line minus the options a child must not inherit (the fan-out, the JSON file). */
function childArgs(index: number, count: number): string[] {
  const args = process.argv.slice(2);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--processes' || a === '--json' || a === '--shard') {
      i++;
      continue;
    }
    if (a.startsWith('--processes=') || a.startsWith('--json=') || a.startsWith('--shard=')) continue;
    out.push(a);
  }
  return [...out, '--shard', `${index}/${count}`];
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('load generator speaking the Kafka protocol: produce, consume or e2e (works against any Kafka-compatible broker)')
    .argument('<workload>', 'produce, consume or e2e')
    .option('--bootstrap <servers>', `bootstrap broker(s), host:port[,host:port...] [${BOOTSTRAP_ENV}] (default: the profile's, else 127.0.0.1:9092)`)
    .option('--profile <name>', `connection profile from the CLI profile file [${PROFILE_ENV}]`)
    .option('--topic <name>', 'topic (created when missing)', 'spate-bench')
    .option('--partitions <n>', 'partitions of the topic when it is created', integerOption('partitions', 1, 100_000))
    .option('--messages <n>', 'messages to send (produce default 1,000,000) or to read (consume default: everything)', integerOption('messages', 1, Number.MAX_SAFE_INTEGER))
    .option('--duration <seconds>', 'run for this long instead of a message count', positiveNumber('duration'))
    .option('--size <bytes>', 'value bytes per message', integerOption('size', 0, 100 * 1024 * 1024), 100)
    .option('--batch-bytes <bytes>', 'record bytes per batch (one batch per request)', integerOption('batch bytes', 1, 100 * 1024 * 1024), 65536)
    .option('--linger-ms <ms>', 'with --rate: how long messages gather before their batch is sent', integerOption('linger', 0, 60_000), 0)
    .option('--acks <acks>', 'acknowledgements: 0, 1 or all (-1)', parseAcks, 1 as Acks)
    .addOption(new Option('--compression <codec>', 'record batch compression').choices(['none', 'gzip', 'zstd']).default('none'))
    .option('--rate <msgs/s>', 'produce at this fixed rate (latency runs) instead of flat out', positiveNumber('rate'))
    .addOption(new Option('--keys <mode>', 'key distribution: none, random or sequential (keys pick the partition by murmur2)').choices(['none', 'random', 'sequential']).default('none'))
    .option('--connections <n>', 'connections per broker', integerOption('connections', 1, 1024), 2)
    .option('--in-flight <n>', 'requests in flight per connection', integerOption('in flight', 1, 4096), 16)
    .option('--processes <n>', 'fork this many load processes and merge their results', integerOption('processes', 1, 256), 1)
    .option('--json <file>', 'write the result as JSON to this file')
    .option('--timeout-ms <ms>', 'abort the run after this long (default: duration plus 5 minutes, or 10 minutes)', integerOption('timeout', 1, 2_147_483_647))
    .addOption(new Option('--shard <i/n>', 'internal: this process is child i of n').hideHelp())
    .action(async (workloadArg: string, o: BenchCliOptions) => {
      if (workloadArg !== 'produce' && workloadArg !== 'consume' && workloadArg !== 'e2e') throw usageError(`unknown workload "${workloadArg}": use produce, consume or e2e`);
      const workload: Workload = workloadArg;
      const durationMs = o.duration !== undefined ? Math.round(o.duration * 1000) : undefined;
      const options: BenchOptions = {
        bootstrap: resolveConnection(o, process.env).bootstrap,
        topic: o.topic,
        ...(o.partitions !== undefined ? { partitions: o.partitions } : {}),
        ...(o.messages !== undefined ? { messages: o.messages } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
        size: o.size,
        batchBytes: o.batchBytes,
        lingerMs: o.lingerMs,
        acks: o.acks,
        compression: o.compression,
        ...(o.rate !== undefined ? { rate: o.rate } : {}),
        keys: o.keys,
        connections: o.connections,
        inFlight: o.inFlight,
        timeoutMs: o.timeoutMs ?? (durationMs !== undefined ? durationMs + 300_000 : 600_000),
      };
      if (o.shard !== undefined) {
        const m = /^(\d+)\/(\d+)$/.exec(o.shard);
        if (m === null) throw usageError('--shard must be i/n');
        await runAsChild(workload, shardOptions(options, Number(m[1]), Number(m[2])));
        return;
      }
      await runBench(workload, options, { processes: o.processes, ...(o.json !== undefined ? { json: o.json } : {}), childArgs: (i) => childArgs(i, o.processes) });
    });
}
