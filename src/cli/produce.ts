// `spate produce TOPIC`: one message per input line, from stdin or --file.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { Producer, type Acks, type Compression, type ProduceMessage, type RecordHeader } from '../client/index.js';
import { invalidArgument } from '../client/errors.js';
import { clientOptions, integerOption, keyValueOption, out, withCluster, type BootstrapOptions } from './client-common.js';
import { asError } from '../errors.js';

interface ProduceOptions extends BootstrapOptions {
  file?: string;
  keySeparator?: string;
  header: Record<string, string>;
  partition?: number;
  acks: Acks;
  compression: Compression;
  batchSize: number;
  lingerMs: number;
}

function parseAcks(value: string): Acks {
  if (value === 'all' || value === '-1') return -1;
  if (value === '0') return 0;
  if (value === '1') return 1;
  throw new InvalidArgumentError('acks must be 0, 1, -1 or all');
}

function parseCompression(value: string): Compression {
  if (value === 'none' || value === 'gzip' || value === 'zstd' || value === 'snappy' || value === 'lz4') return value;
  throw new InvalidArgumentError('compression must be none, gzip, snappy, lz4 or zstd');
}

export function registerProduceCommand(program: Command): void {
  clientOptions(
    program
      .command('produce')
      .description('produce one message per line of stdin (or of --file)')
      .argument('<topic>', 'topic to produce to')
      .option('--file <path>', 'read lines from this file instead of stdin')
      .option('--key-separator <sep>', 'split each line at the first <sep> into key and value')
      .option('--header <key=value>', 'header added to every message (repeatable)', keyValueOption, {})
      .option('--partition <p>', 'produce to this partition (default: by key hash, round robin without a key)', integerOption('partition', 0, 2_147_483_647))
      .option('--acks <acks>', 'acknowledgements: 0, 1 or all (-1)', parseAcks, -1 as Acks)
      .option('--compression <codec>', 'none, gzip, snappy, lz4 or zstd', parseCompression, 'none' as Compression)
      .option('--batch-size <n>', 'messages per produce request', integerOption('batch size', 1, 1_000_000), 1000)
      .option('--linger-ms <ms>', 'send buffered lines after this long without a full batch', integerOption('linger', 0, 60_000), 100),
  ).action(async (topic: string, options: ProduceOptions) => {
    const headers: RecordHeader[] = Object.entries(options.header).map(([key, value]) => ({ key, value: Buffer.from(value, 'utf8') }));
    await withCluster(options, async (cluster) => {
      await cluster.topic(topic);
      const producer = new Producer(cluster, { acks: options.acks, compression: options.compression });
      const input = options.file !== undefined ? createReadStream(options.file) : process.stdin;
      const opened = new Promise<void>((resolve, reject) => {
        input.once('error', (error: NodeJS.ErrnoException) => reject(invalidArgument(`cannot read ${options.file ?? 'stdin'}: ${error.code ?? error.message}`)));
        if (options.file === undefined) resolve();
        else input.once('open', () => resolve());
      });
      await opened;
      const lines = createInterface({ input, crlfDelay: Infinity });
      let buffered: ProduceMessage[] = [];
      let sent = 0;
      let lineNumber = 0;
      let chain: Promise<void> = Promise.resolve();
      let failure: unknown = null;
      let timer: NodeJS.Timeout | null = null;
      const flush = (): Promise<void> => {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        const batch = buffered;
        buffered = [];
        if (batch.length > 0) {
          chain = chain.then(async () => {
            if (failure !== null) return;
            try {
              await producer.send(topic, batch);
              sent += batch.length;
            } catch (error) {
              failure = error;
            }
          });
        }
        return chain;
      };
      for await (const line of lines) {
        if (failure !== null) break;
        lineNumber++;
        let key: string | null = null;
        let value = line;
        if (options.keySeparator !== undefined) {
          const at = line.indexOf(options.keySeparator);
          if (at < 0) {
            await flush();
            throw invalidArgument(`line ${lineNumber} has no key separator "${options.keySeparator}"`);
          }
          key = line.slice(0, at);
          value = line.slice(at + options.keySeparator.length);
        }
        buffered.push({ key, value, headers, ...(options.partition !== undefined ? { partition: options.partition } : {}) });
        if (buffered.length >= options.batchSize) await flush();
        else timer ??= setTimeout(() => void flush(), options.lingerMs);
      }
      await flush();
      if (failure !== null) throw asError(failure);
      out(`Produced ${sent} message${sent === 1 ? '' : 's'} to ${topic}.`);
    });
  });
}
