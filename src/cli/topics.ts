// `spate topics create|list|describe|delete|alter-config`.
import type { Command } from 'commander';
import { Admin, type TopicInfo } from '../client/index.js';
import { invalidArgument } from '../client/errors.js';
import { clientOptions, integerOption, keyValueOption, listOption, out, withCluster, type BootstrapOptions } from './client-common.js';

export function registerTopicsCommand(program: Command): void {
  const topics = program.command('topics').description('create, list, describe, delete and configure topics');

  clientOptions(
    topics
      .command('create')
      .description('create a topic')
      .argument('<name>', 'topic name')
      .option('--partitions <n>', 'number of partitions (default: the broker default)', integerOption('partitions', 1, 1_000_000))
      .option('--replication-factor <n>', 'replication factor (default: the broker default)', integerOption('replication factor', 1, 32_767))
      .option('--config <key=value>', 'topic config override (repeatable)', keyValueOption, {}),
  ).action(async (name: string, options: BootstrapOptions & { partitions?: number; replicationFactor?: number; config: Record<string, string> }) => {
    await withCluster(options, async (cluster) => {
      await new Admin(cluster).createTopics([{ name, partitions: options.partitions ?? -1, replicationFactor: options.replicationFactor ?? -1, configs: options.config }]);
      out(`Created topic ${name}.`);
    });
  });

  clientOptions(
    topics
      .command('list')
      .description('list topic names')
      .option('--include-internal', 'also list internal topics', false),
  ).action(async (options: BootstrapOptions & { includeInternal: boolean }) => {
    await withCluster(options, async (cluster) => {
      const names = await new Admin(cluster).listTopics({ includeInternal: options.includeInternal });
      if (names.length > 0) out(names.join('\n'));
    });
  });

  clientOptions(
    topics
      .command('describe')
      .description('describe one topic or all of them: partitions, leaders, replicas and config overrides')
      .argument('[name]', 'topic name (default: every topic)'),
  ).action(async (name: string | undefined, options: BootstrapOptions) => {
    await withCluster(options, async (cluster) => {
      const admin = new Admin(cluster);
      const infos = await admin.describeTopics(name === undefined ? null : [name]);
      for (const info of infos) {
        const overrides = (await admin.describeConfigs('topic', info.name)).filter((c) => c.source === 'DYNAMIC_TOPIC_CONFIG');
        out(describeTopic(info, overrides.map((c) => `${c.name}=${c.isSensitive ? '(sensitive)' : (c.value ?? '')}`)));
      }
    });
  });

  clientOptions(topics.command('delete').description('delete a topic').argument('<name>', 'topic name')).action(async (name: string, options: BootstrapOptions) => {
    await withCluster(options, async (cluster) => {
      await new Admin(cluster).deleteTopics([name]);
      out(`Deleted topic ${name}.`);
    });
  });

  clientOptions(
    topics
      .command('alter-config')
      .description("set or remove a topic's config overrides")
      .argument('<name>', 'topic name')
      .option('--set <key=value>', 'set a config (repeatable)', keyValueOption, {})
      .option('--delete <key>', 'remove an override, going back to the default (repeatable)', listOption, []),
  ).action(async (name: string, options: BootstrapOptions & { set: Record<string, string>; delete: string[] }) => {
    if (Object.keys(options.set).length === 0 && options.delete.length === 0) throw invalidArgument('nothing to change: give --set key=value and/or --delete key');
    await withCluster(options, async (cluster) => {
      await new Admin(cluster).alterTopicConfig(name, { set: options.set, delete: options.delete });
      out(`Updated config of topic ${name}.`);
    });
  });
}

function describeTopic(info: TopicInfo, configs: string[]): string {
  const replication = info.partitions[0]?.replicas.length ?? 0;
  const lines = [
    `Topic: ${info.name}\tTopicId: ${info.topicId}\tPartitionCount: ${info.partitions.length}\tReplicationFactor: ${replication}\tConfigs: ${configs.join(',')}`,
  ];
  for (const p of info.partitions) {
    lines.push(`\tTopic: ${info.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`);
  }
  return lines.join('\n');
}
