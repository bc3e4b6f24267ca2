// `spate produce TOPIC`: one message per input line, from stdin or --file. Lines are sent in batches, in order;
// a line that does not parse stops the run after everything before it was acknowledged, so a rerun from that
// line neither loses nor repeats a message.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ClientError, Producer, type Acks, type Compression, type ProduceMessage, type RecordHeader } from '../client/index.js';
import { asError } from '../errors.js';
import { clientOptions, integerOption, keyValueOption, withCluster, type BootstrapOptions } from './client-common.js';
import { usageError } from './exit-codes.js';
import { emit } from './output.js';
import { InputFormat, toBytes, toHeaders, type NullRules } from './produce-format.js';

interface ProduceOptions extends BootstrapOptions {
  file?: string;
  format?: string;
  keySeparator?: string;
  header: Record<string, string>;
  nullEmpty: boolean;
  nullValue?: string;
  partition?: number;
  acks: Acks;
  compression: Compression;
  batchSize: number;
  lingerMs: number;
  autoCreate: boolean;
}

function parseAcks(value: string): Acks {
  if (value === 'all' || value === '-1') return -1;
  if (value === '0') return 0;
  if (value === '1') return 1;
  throw new InvalidArgumentError('acks must be 0, 1, -1 or all');
}

function inputFormat(options: ProduceOptions): InputFormat {
  if (options.format !== undefined && options.keySeparator !== undefined) throw usageError('--format and --key-separator cannot be combined (put the separator in the format: %k<sep>%v)');
  if (options.keySeparator !== undefined) {
    if (options.keySeparator === '') throw usageError('--key-separator cannot be empty');
    return InputFormat.parse(`%k${options.keySeparator.replaceAll('%', '%%').replaceAll('\\', '\\\\')}%v`);
  }
  return options.format !== undefined ? InputFormat.parse(options.format) : InputFormat.value();
}

/** Thrown for a line that does not parse, after every line before it was acknowledged. */
function badLine(lineNumber: number, reason: string, sent: number): ClientError {
  return new ClientError('SPATE_CLIENT_INVALID_ARGUMENT', `line ${lineNumber}: ${reason}; the ${sent} message${sent === 1 ? '' : 's'} before it ${sent === 1 ? 'was' : 'were'} produced, nothing after it`);
}

export function registerProduceCommand(program: Command): void {
  clientOptions(
    program
      .command('produce')
      .description('produce one message per line of stdin (or of --file)')
      .argument('<topic>', 'topic to produce to (created when the broker auto-creates topics)')
      .option('--file <path>', 'read lines from this file instead of stdin')
      .option('-f, --format <format>', 'how a line splits into message parts: %k key, %v value, %h headers (h1:v1,h2:v2), %p partition, e.g. "%k\\t%h\\t%v"')
      .option('-K, --key-separator <sep>', 'split each line at the first <sep> into key and value (the format %k<sep>%v)')
      .option('-H, --header <key=value>', 'header added to every message (repeatable)', keyValueOption, {})
      .option('-Z, --null-empty', 'send an empty key or value as null (an empty value is a tombstone), as kcat -Z', false)
      .option('--null-value <marker>', "a key, value or header value equal to this is sent as null (kafka-console-producer's null.marker)")
      .option('-p, --partition <p>', 'produce to this partition (default: by key hash, round robin without a key)', integerOption('partition', 0, 2_147_483_647))
      .option('--acks <acks>', 'acknowledgements: 0, 1 or all (-1)', parseAcks, -1 as Acks)
      .addOption(new Option('-z, --compression <codec>', 'record batch compression').choices(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'))
      .option('--batch-size <n>', 'messages per produce request', integerOption('batch size', 1, 1_000_000), 1000)
      .option('--linger-ms <ms>', 'send buffered lines after this long without a full batch', integerOption('linger', 0, 60_000), 100)
      .option('--no-auto-create', 'fail on a missing topic instead of asking the broker to create it'),
  ).action(async (topic: string, options: ProduceOptions) => {
    const format = inputFormat(options);
    const rules: NullRules = { emptyIsNull: options.nullEmpty, ...(options.nullValue !== undefined ? { marker: options.nullValue } : {}) };
    const fixedHeaders: RecordHeader[] = toHeaders(Object.entries(options.header).map(([key, value]) => ({ key, value })), rules);
    await withCluster(options, async (cluster) => {
      const info = await cluster.topic(topic, { allowAutoTopicCreation: options.autoCreate });
      const partitionCount = info.partitions.length;
      if (options.partition !== undefined && options.partition >= partitionCount) throw usageError(`topic ${topic} has no partition ${options.partition} (it has ${partitionCount})`);
      const producer = new Producer(cluster, { acks: options.acks, compression: options.compression });
      const input = options.file !== undefined ? createReadStream(options.file) : process.stdin;
      await new Promise<void>((resolve, reject) => {
        input.once('error', (error: NodeJS.ErrnoException) => reject(usageError(`cannot read ${options.file ?? 'stdin'}: ${error.code ?? error.message}`)));
        if (options.file === undefined) resolve();
        else input.once('open', () => resolve());
      });
      const lines = createInterface({ input, crlfDelay: Infinity });
      let buffered: ProduceMessage[] = [];
      let sent = 0;
      let lineNumber = 0;
      let chain: Promise<void> = Promise.resolve();
      let failure: unknown = null;
      let timer: NodeJS.Timeout | null = null;
      // Batches go out one after another, so messages keep their input order.
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
      try {
        for await (const line of lines) {
          if (failure !== null) break;
          lineNumber++;
          let message: ProduceMessage;
          try {
            const parsed = format.parse(line);
            const partition = parsed.partition ?? options.partition;
            if (partition !== undefined && partition >= partitionCount) throw new Error(`topic ${topic} has no partition ${partition} (it has ${partitionCount})`);
            message = {
              key: toBytes(parsed.key, rules),
              value: toBytes(parsed.value, rules),
              headers: [...fixedHeaders, ...toHeaders(parsed.headers, rules)],
              ...(partition !== undefined ? { partition } : {}),
            };
          } catch (error) {
            await flush();
            if (failure !== null) break;
            throw badLine(lineNumber, (error as Error).message, sent);
          }
          buffered.push(message);
          if (buffered.length >= options.batchSize) await flush();
          else timer ??= setTimeout(() => void flush(), options.lingerMs);
        }
        await flush();
      } finally {
        if (timer !== null) clearTimeout(timer);
        lines.close();
      }
      if (failure !== null) {
        const error = asError(failure);
        error.message = `${error.message} (${sent} message${sent === 1 ? '' : 's'} produced before the failure)`;
        throw error;
      }
      emit(options.output, { topic, produced: sent }, (r) => `Produced ${r.produced} message${r.produced === 1 ? '' : 's'} to ${r.topic}.`);
    });
  });
}
