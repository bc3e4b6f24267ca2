// `spate topics create|list|describe|delete|add-partitions|delete-records|describe-config|alter-config`.
import type { Command } from 'commander';
import { Admin, KafkaResponseError, type ConfigEntry, type TopicInfo } from '../client/index.js';
import { clientOptions, integerOption, keyValueOption, listOption, withCluster, type BootstrapOptions } from './client-common.js';
import { usageError } from './exit-codes.js';
import { cell, emit, formatTable } from './output.js';
import { parseConfigList, parseNameList } from './config-list.js';

export interface PartitionDescription {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  /** The log start offset: the first offset still readable. */
  startOffset: number;
  /** The log end offset (high watermark): the offset the next message gets. */
  endOffset: number;
  /** endOffset - startOffset: how many offsets the log holds. */
  messages: number;
}

export interface TopicDescription {
  name: string;
  topicId: string;
  internal: boolean;
  partitionCount: number;
  replicationFactor: number;
  /** The topic's config overrides. */
  configs: Record<string, string | null>;
  partitions: PartitionDescription[];
}

async function describeTopic(admin: Admin, info: TopicInfo): Promise<TopicDescription> {
  const partitions = info.partitions.map((p) => p.partition);
  const [starts, ends, configs] = await Promise.all([
    admin.listOffsets(info.name, partitions, 'earliest'),
    admin.listOffsets(info.name, partitions, 'latest'),
    admin.describeConfigs('topic', info.name),
  ]);
  const overrides: Record<string, string | null> = {};
  for (const c of configs) if (c.source === 'DYNAMIC_TOPIC_CONFIG') overrides[c.name] = c.isSensitive ? null : c.value;
  return {
    name: info.name,
    topicId: info.topicId,
    internal: info.isInternal,
    partitionCount: info.partitions.length,
    replicationFactor: info.partitions[0]?.replicas.length ?? 0,
    configs: overrides,
    partitions: info.partitions.map((p) => {
      const startOffset = starts.get(p.partition) ?? -1;
      const endOffset = ends.get(p.partition) ?? -1;
      return { partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas, startOffset, endOffset, messages: endOffset >= startOffset && startOffset >= 0 ? endOffset - startOffset : 0 };
    }),
  };
}

function topicTable(d: TopicDescription): string {
  const configs = Object.entries(d.configs).map(([k, v]) => `${k}=${v ?? '(sensitive)'}`);
  const header = `Topic: ${d.name}  TopicId: ${d.topicId}  PartitionCount: ${d.partitionCount}  ReplicationFactor: ${d.replicationFactor}  Configs: ${configs.join(',') || '-'}`;
  const rows = d.partitions.map((p) => [String(p.partition), p.leader < 0 ? 'none' : String(p.leader), p.replicas.join(','), p.isr.join(',') || '-', String(p.startOffset), String(p.endOffset), String(p.messages)]);
  return `${header}\n${formatTable(['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'START-OFFSET', 'END-OFFSET', 'MESSAGES'], rows)}`;
}

function configTable(entries: ConfigEntry[]): string {
  return formatTable(['NAME', 'VALUE', 'SOURCE', 'READ-ONLY'], entries.map((c) => [c.name, c.isSensitive ? '(sensitive)' : cell(c.value), c.source, c.readOnly ? 'yes' : 'no']));
}

export function registerTopicsCommand(program: Command): void {
  const topics = program.command('topics').description('create, list, describe, delete, grow, trim and configure topics');

  clientOptions(
    topics
      .command('create')
      .description('create a topic')
      .argument('<name>', 'topic name')
      .option('-p, --partitions <n>', 'number of partitions (default: the broker default)', integerOption('partitions', 1, 1_000_000))
      .option('-r, --replication-factor <n>', 'replication factor (default: the broker default)', integerOption('replication factor', 1, 32_767))
      .option('-c, --config <key=value>', 'topic config (repeatable)', keyValueOption, {})
      .option('--if-not-exists', 'succeed when the topic exists already', false),
  ).action(async (name: string, options: BootstrapOptions & { partitions?: number; replicationFactor?: number; config: Record<string, string>; ifNotExists: boolean }) => {
    await withCluster(options, async (cluster) => {
      const admin = new Admin(cluster);
      let created = true;
      try {
        await admin.createTopics([{ name, partitions: options.partitions ?? -1, replicationFactor: options.replicationFactor ?? -1, configs: options.config }]);
      } catch (error) {
        // 36: TOPIC_ALREADY_EXISTS.
        if (!options.ifNotExists || !(error instanceof KafkaResponseError && error.errorCode === 36)) throw error;
        created = false;
      }
      emit(options.output, { topic: name, created }, (r) => (r.created ? `Created topic ${r.topic}.` : `Topic ${r.topic} exists already.`));
    });
  });

  clientOptions(
    topics
      .command('list')
      .description('list topics with their partition counts')
      .option('-i, --include-internal', 'also list internal topics', false),
  ).action(async (options: BootstrapOptions & { includeInternal: boolean }) => {
    await withCluster(options, async (cluster) => {
      const names = await new Admin(cluster).listTopics({ includeInternal: options.includeInternal });
      const infos = names.length === 0 ? [] : await new Admin(cluster).describeTopics(names);
      const list = infos.map((t) => ({ name: t.name, partitions: t.partitions.length, internal: t.isInternal }));
      emit(options.output, list, (l) => l.map((t) => t.name).join('\n'));
    });
  });

  clientOptions(
    topics
      .command('describe')
      .description('describe topics: per partition the leader, replicas, ISR, start and end offsets, and the config overrides')
      .argument('[names...]', 'topic names (default: every topic)'),
  ).action(async (names: string[], options: BootstrapOptions) => {
    await withCluster(options, async (cluster) => {
      const admin = new Admin(cluster);
      const infos = await admin.describeTopics(names.length === 0 ? null : names);
      const described: TopicDescription[] = [];
      for (const info of infos) described.push(await describeTopic(admin, info));
      emit(options.output, described, (list) => list.map(topicTable).join('\n'));
    });
  });

  clientOptions(topics.command('delete').description('delete topics').argument('<names...>', 'topic names')).action(async (names: string[], options: BootstrapOptions) => {
    await withCluster(options, async (cluster) => {
      await new Admin(cluster).deleteTopics(names);
      emit(options.output, { deleted: names }, (r) => r.deleted.map((n) => `Deleted topic ${n}.`).join('\n'));
    });
  });

  clientOptions(
    topics
      .command('add-partitions')
      .description('grow a topic: --partitions sets the new total (as kafka-topics.sh --alter), --num adds that many (as rpk)')
      .argument('<name>', 'topic name')
      .option('--partitions <total>', 'the new partition count', integerOption('partitions', 1, 1_000_000))
      .option('-n, --num <n>', 'how many partitions to add', integerOption('num', 1, 1_000_000)),
  ).action(async (name: string, options: BootstrapOptions & { partitions?: number; num?: number }) => {
    if ((options.partitions === undefined) === (options.num === undefined)) throw usageError('give exactly one of --partitions TOTAL and --num N');
    await withCluster(options, async (cluster) => {
      const admin = new Admin(cluster);
      const [info] = await admin.describeTopics([name]);
      const before = info!.partitions.length;
      const total = options.partitions ?? before + options.num!;
      await admin.createPartitions(name, total);
      emit(options.output, { topic: name, previousPartitions: before, partitions: total }, (r) => `Topic ${r.topic} now has ${r.partitions} partitions (was ${r.previousPartitions}).`);
    });
  });

  clientOptions(
    topics
      .command('delete-records')
      .description('delete the records below an offset: the log start offset moves up to it (DeleteRecords)')
      .argument('<name>', 'topic name')
      .requiredOption('--before <offset>', 'delete everything below this offset, or "end" for everything written so far')
      .option('-p, --partition <p>', 'only this partition (repeatable; default: every partition)', (v: string, prev: number[] = []) => [...prev, integerOption('partition', 0, 2_147_483_647)(v)]),
  ).action(async (name: string, options: BootstrapOptions & { before: string; partition?: number[] }) => {
    const before = options.before === 'end' ? -1 : Number(options.before);
    if (options.before !== 'end' && (options.before.trim() === '' || !Number.isSafeInteger(before) || before < 0)) throw usageError('--before must be an offset (0 or more) or "end"');
    await withCluster(options, async (cluster) => {
      const admin = new Admin(cluster);
      const [info] = await admin.describeTopics([name]);
      const all = info!.partitions.map((p) => p.partition);
      const partitions = options.partition ?? all;
      for (const p of partitions) if (!all.includes(p)) throw usageError(`topic ${name} has no partition ${p} (it has ${all.length})`);
      const lows = await admin.deleteRecords(name, new Map(partitions.map((p) => [p, before])));
      const rows = [...lows].sort(([a], [b]) => a - b).map(([partition, startOffset]) => ({ partition, startOffset }));
      emit(options.output, { topic: name, partitions: rows }, (r) => formatTable(['TOPIC', 'PARTITION', 'START-OFFSET'], r.partitions.map((p) => [r.topic, String(p.partition), String(p.startOffset)])));
    });
  });

  clientOptions(
    topics
      .command('describe-config')
      .description("a topic's config: its overrides, or with --all every value and where it comes from")
      .argument('<name>', 'topic name')
      .option('-a, --all', 'every config, defaults included', false),
  ).action(async (name: string, options: BootstrapOptions & { all: boolean }) => {
    await withCluster(options, async (cluster) => {
      const entries = (await new Admin(cluster).describeConfigs('topic', name)).filter((c) => options.all || c.source === 'DYNAMIC_TOPIC_CONFIG');
      emit(
        options.output,
        entries.map((c) => ({ name: c.name, value: c.isSensitive ? null : c.value, source: c.source, readOnly: c.readOnly, sensitive: c.isSensitive })),
        () => configTable(entries),
      );
    });
  });

  clientOptions(
    topics
      .command('alter-config')
      .description("set or remove a topic's config overrides")
      .argument('<name>', 'topic name')
      .option('--set <key=value>', 'set a config (repeatable)', keyValueOption, {})
      .option('--add-config <k=v,...>', "set configs, kafka-configs.sh's syntax: k1=v1,k2=[a,b] (repeatable)", parseConfigList, {})
      .option('--delete <key>', 'remove an override, going back to the default (repeatable)', listOption, [])
      .option('--delete-config <k,...>', "remove overrides, kafka-configs.sh's syntax: k1,k2 (repeatable)", parseNameList, []),
  ).action(async (name: string, options: BootstrapOptions & { set: Record<string, string>; addConfig: Record<string, string>; delete: string[]; deleteConfig: string[] }) => {
    const set = { ...options.addConfig, ...options.set };
    const remove = [...options.delete, ...options.deleteConfig];
    if (Object.keys(set).length === 0 && remove.length === 0) throw usageError('nothing to change: give --set key=value and/or --delete key');
    const both = remove.filter((k) => Object.hasOwn(set, k));
    if (both.length > 0) throw usageError(`${both.join(', ')} cannot be both set and deleted`);
    await withCluster(options, async (cluster) => {
      await new Admin(cluster).alterTopicConfig(name, { set, delete: remove });
      emit(options.output, { topic: name, set, deleted: remove }, (r) => `Updated config of topic ${r.topic}.`);
    });
  });
}
