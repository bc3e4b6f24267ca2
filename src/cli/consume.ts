// `spate consume TOPIC`: print messages, value per line or JSON lines, by offset alone or in a consumer group.
import { InvalidArgumentError, type Command } from 'commander';
import { Consumer, type Message, type StartOffset } from '../client/index.js';
import { invalidArgument } from '../client/errors.js';
import { clientOptions, integerOption, withCluster, type BootstrapOptions } from './client-common.js';

interface ConsumeOptions extends BootstrapOptions {
  fromBeginning: boolean;
  offset?: number;
  timestamp?: number;
  partition?: number;
  group?: string;
  maxMessages?: number;
  timeoutMs?: number;
  format: 'value' | 'json';
}

function parseFormat(value: string): 'value' | 'json' {
  if (value === 'value' || value === 'json') return value;
  throw new InvalidArgumentError('format must be value or json');
}

function text(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}

function render(m: Message, format: 'value' | 'json'): string {
  if (format === 'value') return `${text(m.value) ?? 'null'}\n`;
  const headers: Record<string, string | null> = {};
  for (const h of m.headers) headers[h.key] = text(h.value);
  return `${JSON.stringify({ topic: m.topic, partition: m.partition, offset: m.offset, timestamp: m.timestamp, key: text(m.key), value: text(m.value), headers })}\n`;
}

export function registerConsumeCommand(program: Command): void {
  clientOptions(
    program
      .command('consume')
      .description('print messages of a topic, one per line')
      .argument('<topic>', 'topic to consume')
      .option('--from-beginning', 'start at the earliest offset (with --group: when the group has no committed offset)', false)
      .option('--offset <n>', 'start at this offset', integerOption('offset', 0, Number.MAX_SAFE_INTEGER))
      .option('--timestamp <ms>', 'start at the first message at or after this time (epoch ms)', integerOption('timestamp', 0, Number.MAX_SAFE_INTEGER))
      .option('--partition <p>', 'consume only this partition', integerOption('partition', 0, 2_147_483_647))
      .option('--group <id>', 'consume as a member of this consumer group, committing offsets')
      .option('--max-messages <n>', 'exit after printing this many messages', integerOption('max messages', 1, Number.MAX_SAFE_INTEGER))
      .option('--timeout-ms <ms>', 'exit after this long without a message', integerOption('timeout', 1, 2_147_483_647))
      .option('--format <format>', 'value (the value only) or json (topic, partition, offset, timestamp, key, value, headers)', parseFormat, 'value' as const),
  ).action(async (topic: string, options: ConsumeOptions) => {
    const starts = [options.fromBeginning ? '--from-beginning' : null, options.offset !== undefined ? '--offset' : null, options.timestamp !== undefined ? '--timestamp' : null].filter((x) => x !== null);
    if (starts.length > 1) throw invalidArgument(`${starts.join(' and ')} cannot be combined`);
    if (options.group !== undefined && (options.offset !== undefined || options.timestamp !== undefined || options.partition !== undefined)) {
      throw invalidArgument('--group cannot be combined with --offset, --timestamp or --partition: the group decides partitions and positions');
    }
    await withCluster(options, async (cluster) => {
      const info = await cluster.topic(topic);
      const maxWaitMs = Math.min(500, options.timeoutMs ?? 500);
      const consumer = new Consumer(cluster, {
        resetPolicy: options.fromBeginning ? 'earliest' : 'latest',
        maxWaitMs,
        ...(options.group !== undefined ? { groupId: options.group } : {}),
      });
      if (options.group !== undefined) {
        consumer.subscribe([topic]);
      } else {
        let partitions = info.partitions.map((p) => p.partition);
        if (options.partition !== undefined) {
          if (!partitions.includes(options.partition)) throw invalidArgument(`topic ${topic} has no partition ${options.partition} (it has ${partitions.length})`);
          partitions = [options.partition];
        }
        const start: StartOffset =
          options.offset !== undefined ? options.offset : options.timestamp !== undefined ? { timestamp: options.timestamp } : options.fromBeginning ? 'earliest' : 'latest';
        consumer.assign(partitions.map((partition) => ({ topic, partition, offset: start })));
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
            chunk += render(messages[i]!, options.format);
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
