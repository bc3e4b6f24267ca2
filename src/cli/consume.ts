// `spate consume TOPIC`: print messages, by offset alone or in a consumer group, until a count, the end of
// every partition (-e), an idle timeout or a signal.
import type { Command } from 'commander';
import { Admin, Consumer, type Assignment, type Cluster, type Message } from '../client/index.js';
import { clientOptions, integerOption, withCluster, type BootstrapOptions } from './client-common.js';
import { outputRenderer } from './consume-format.js';
import { parseOffsetChoice, type OffsetChoice } from './consume-offset.js';
import { usageError } from './exit-codes.js';

interface ConsumeOptions extends BootstrapOptions {
  fromBeginning: boolean;
  offset?: string;
  timestamp?: number;
  partition?: number[];
  group?: string;
  maxMessages?: number;
  exitAtEnd: boolean;
  timeoutMs?: number;
  format: string;
  nullAsNull: boolean;
}

/** The one start position the flags ask for (--from-beginning, --offset, --timestamp), if any. */
function startChoice(options: ConsumeOptions): OffsetChoice | undefined {
  const given = [options.fromBeginning ? '--from-beginning' : null, options.offset !== undefined ? '--offset' : null, options.timestamp !== undefined ? '--timestamp' : null].filter((x) => x !== null);
  if (given.length > 1) throw usageError(`${given.join(' and ')} cannot be combined`);
  if (options.fromBeginning) return { kind: 'beginning' };
  if (options.timestamp !== undefined) return { kind: 'timestamp', timestamp: options.timestamp };
  return options.offset !== undefined ? parseOffsetChoice(options.offset) : undefined;
}

/** Each partition's start for an assigned (group-less) consumer. */
async function assignments(cluster: Cluster, topic: string, partitions: number[], choice: OffsetChoice | undefined): Promise<Assignment[]> {
  const all = (offset: Assignment['offset']): Assignment[] => partitions.map((partition) => ({ topic, partition, ...(offset !== undefined ? { offset } : {}) }));
  switch (choice?.kind) {
    case undefined:
    case 'end':
      return all('latest');
    case 'beginning':
      return all('earliest');
    case 'absolute':
      return all(choice.offset);
    case 'timestamp':
      return all({ timestamp: choice.timestamp });
    case 'stored':
      throw usageError('--offset stored needs --group');
    case 'fromEnd': {
      const admin = new Admin(cluster);
      const [earliest, latest] = await Promise.all([admin.listOffsets(topic, partitions, 'earliest'), admin.listOffsets(topic, partitions, 'latest')]);
      return partitions.map((partition) => ({ topic, partition, offset: Math.max(earliest.get(partition) ?? 0, (latest.get(partition) ?? 0) - choice.count) }));
    }
  }
}

export function registerConsumeCommand(program: Command): void {
  clientOptions(
    program
      .command('consume')
      .description('print messages of a topic, one per line')
      .argument('<topic>', 'topic to consume')
      .option('-o, --offset <where>', 'start at beginning, end, stored (the group\'s offset), N, -N (N before the end) or @T (first message at or after epoch-ms T); default end')
      .option('--from-beginning', 'start at the earliest offset (with --group: when the group has no committed offset)', false)
      .option('--timestamp <ms>', 'start at the first message at or after this time (epoch ms), as --offset @ms', integerOption('timestamp', 0, Number.MAX_SAFE_INTEGER))
      .option('-p, --partition <p>', 'consume only this partition (repeatable)', (v: string, prev: number[] = []) => [...prev, integerOption('partition', 0, 2_147_483_647)(v)])
      .option('-g, --group <id>', 'consume as a member of this consumer group, committing offsets')
      .option('-c, --max-messages <n>', 'exit after printing this many messages', integerOption('max messages', 1, Number.MAX_SAFE_INTEGER))
      .option('-e, --exit-at-end', 'exit once every partition is read to its end', false)
      .option('--timeout-ms <ms>', 'exit after this long without a message', integerOption('timeout', 1, 2_147_483_647))
      .option('-f, --format <format>', 'value, json, or a kcat-style format string: %t topic, %p partition, %o offset, %T timestamp, %k key, %s value, %h headers, %K/%S lengths, \\n \\t', 'value')
      .option('-Z, --null-as-null', 'in a format string, print a null key or value as NULL (kcat -Z)', false),
  ).action(async (topic: string, options: ConsumeOptions) => {
    const choice = startChoice(options);
    const render = outputRenderer(options.output === 'json' ? 'json' : options.format, options.nullAsNull);
    if (options.group !== undefined) {
      if (options.partition !== undefined) throw usageError('--group cannot be combined with --partition: the group decides partitions');
      if (choice !== undefined && choice.kind !== 'beginning' && choice.kind !== 'end' && choice.kind !== 'stored') {
        throw usageError('--group cannot be combined with --offset N, -N, @T or --timestamp: the group decides positions (--offset beginning|end sets where a partition with no committed offset starts)');
      }
    }
    await withCluster(options, async (cluster) => {
      const info = await cluster.topic(topic);
      const maxWaitMs = Math.min(500, options.timeoutMs ?? 500);
      const consumer = new Consumer(cluster, {
        resetPolicy: choice?.kind === 'beginning' ? 'earliest' : 'latest',
        maxWaitMs,
        ...(options.group !== undefined ? { groupId: options.group } : {}),
      });
      if (options.group !== undefined) {
        consumer.subscribe([topic]);
      } else {
        const existing = info.partitions.map((p) => p.partition);
        for (const p of options.partition ?? []) if (!existing.includes(p)) throw usageError(`topic ${topic} has no partition ${p} (it has ${existing.length})`);
        consumer.assign(await assignments(cluster, topic, options.partition ?? existing, choice));
      }

      let stopping = false;
      const stop = (): void => {
        stopping = true;
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let printed = 0;
      let lastMessageAt = Date.now();
      let firstPoll = true;
      try {
        while (!stopping) {
          const messages = await consumer.poll();
          // The first poll may include joining a group and resolving offsets: idle time counts from its end.
          if (messages.length > 0 || firstPoll) lastMessageAt = Date.now();
          firstPoll = false;
          let chunk = '';
          let i = 0;
          for (; i < messages.length; i++) {
            if (options.maxMessages !== undefined && printed >= options.maxMessages) break;
            chunk += render(messages[i]!);
            printed++;
          }
          if (chunk.length > 0) process.stdout.write(chunk);
          if (i < messages.length) {
            // Stopped mid-poll: rewind each partition to its first message not printed, so a group commits that.
            const rewind = new Map<string, Message>();
            for (const m of messages.slice(i)) {
              const key = `${m.topic}\u0000${m.partition}`;
              if (!rewind.has(key)) rewind.set(key, m);
            }
            for (const m of rewind.values()) consumer.seek(m.topic, m.partition, m.offset);
          }
          if (options.maxMessages !== undefined && printed >= options.maxMessages) break;
          if (options.exitAtEnd && consumer.atEnd()) break;
          if (options.timeoutMs !== undefined && messages.length === 0 && Date.now() - lastMessageAt >= options.timeoutMs) break;
        }
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await consumer.close();
      }
      process.stderr.write(`Processed a total of ${printed} message${printed === 1 ? '' : 's'}\n`);
    });
  });
}
