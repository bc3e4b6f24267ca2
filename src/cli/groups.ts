// `spate groups list|describe|delete|reset-offsets`, after kafka-consumer-groups.sh.
import type { Command } from 'commander';
import { Admin, planOffsetReset, type OffsetReset, type ResetScope } from '../client/index.js';
import { invalidArgument } from '../client/errors.js';
import { clientOptions, integerOption, listOption, withCluster, type BootstrapOptions } from './client-common.js';
import { usageError } from './exit-codes.js';
import { cell, emit, formatTable } from './output.js';
import { resetModeFrom, type ResetModeFlags } from './reset-mode.js';

interface ResetOptions extends BootstrapOptions, ResetModeFlags {
  group: string[];
  allGroups: boolean;
  topic: string[];
  allTopics: boolean;
  execute: boolean;
  dryRun: boolean;
}

/** --topic T (every partition) or T:0,1,2 (these), as Kafka's tool takes it. */
function topicScope(spec: string): { topic: string; partitions?: number[] } {
  const colon = spec.lastIndexOf(':');
  if (colon < 0) return { topic: spec };
  const topic = spec.slice(0, colon);
  const list = spec.slice(colon + 1).split(',');
  const partitions = list.map((p) => Number(p));
  if (topic === '' || list.some((p) => !/^\d+$/.test(p.trim())) || partitions.some((p) => !Number.isInteger(p))) throw usageError(`--topic "${spec}": expected TOPIC or TOPIC:P1,P2`);
  return { topic, partitions };
}

const integer = (name: string) => integerOption(name, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

export function registerGroupsCommand(program: Command): void {
  const groups = program.command('groups').description('list, describe, delete consumer groups and reset their offsets');

  clientOptions(groups.command('list').description('list consumer groups with their state')).action(async (options: BootstrapOptions) => {
    await withCluster(options, async (cluster) => {
      const list = await new Admin(cluster).listGroups();
      emit(
        options.output,
        list.map((g) => ({ group: g.groupId, state: g.state, protocolType: g.protocolType })),
        (l) => (l.length === 0 ? '' : formatTable(['GROUP', 'STATE', 'PROTOCOL-TYPE'], l.map((g) => [g.group, g.state, cell(g.protocolType)]))),
      );
    });
  });

  clientOptions(
    groups
      .command('describe')
      .description("groups' state, members, assignments and lag per partition")
      .argument('[groups...]', 'group ids')
      .option('--all-groups', 'every group', false),
  ).action(
    async (named: string[], options: BootstrapOptions & { allGroups: boolean }) => {
      if (options.allGroups === (named.length > 0)) throw usageError('give the groups to describe or --all-groups, not both');
      await withCluster(options, async (cluster) => {
        const admin = new Admin(cluster);
        const groupIds = options.allGroups ? (await admin.listGroups()).map((g) => g.groupId) : named;
        const described = [];
        for (const groupId of groupIds) {
          const group = await admin.describeGroup(groupId);
          const lag = await admin.groupLag(groupId, group);
          if (group.state === 'Dead' && group.members.length === 0 && lag.length === 0) throw invalidArgument(`consumer group ${groupId} does not exist`);
          described.push({ ...group, offsets: lag });
        }
        emit(options.output, described, (list) =>
          list
            .map((group) =>
              [
                `Group: ${group.groupId}  State: ${group.state}  Protocol: ${group.protocolType || '-'}/${group.protocol || '-'}  Members: ${group.members.length}`,
                '',
                formatTable(
                  ['MEMBER-ID', 'CLIENT-ID', 'HOST', 'ASSIGNMENT'],
                  group.members.map((m) => [m.memberId, m.clientId, m.clientHost, m.assignment.map((a) => `${a.topic}:${a.partitions.join(',')}`).join(' ') || '-']),
                ),
                formatTable(
                  ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
                  group.offsets.map((r) => [r.topic, String(r.partition), cell(r.committedOffset), cell(r.logEndOffset), cell(r.lag), cell(r.memberId), cell(r.clientHost), cell(r.clientId)]),
                ),
              ].join('\n'),
            )
            .join('\n'),
        );
      });
    },
  );

  clientOptions(groups.command('delete').description('delete inactive groups and their committed offsets').argument('<groups...>', 'group ids')).action(
    async (groupIds: string[], options: BootstrapOptions) => {
      await withCluster(options, async (cluster) => {
        await new Admin(cluster).deleteGroups(groupIds);
        emit(options.output, { deleted: groupIds }, (r) => r.deleted.map((g) => `Deleted group ${g}.`).join('\n'));
      });
    },
  );

  clientOptions(
    groups
      .command('reset-offsets')
      .description("plan, and with --execute commit, new offsets for inactive groups (kafka-consumer-groups.sh --reset-offsets)")
      .argument('[group]', 'group id (or --group, repeatable, or --all-groups)')
      .option('--group <id>', 'a group to reset (repeatable)', listOption, [])
      .option('--all-groups', 'every group', false)
      .option('--topic <topic[:p,p]>', 'a topic to reset, all its partitions or the listed ones (repeatable)', listOption, [])
      .option('--all-topics', 'every topic the group has committed offsets for', false)
      .option('--to-earliest', 'to the earliest offset', false)
      .option('--to-latest', 'to the log end', false)
      .option('--to-current', 'to the committed offset (the log end where there is none)', false)
      .option('--to-offset <n>', 'to this offset (clamped into the log)', integerOption('offset', 0, Number.MAX_SAFE_INTEGER))
      .option('--shift-by <n>', 'move the committed offset by n (negative: back; clamped into the log)', integer('shift'))
      .option('--to-datetime <datetime>', 'to the first offset at or after YYYY-MM-DDTHH:mm:SS.sss (local time unless a zone follows)')
      .option('--by-duration <duration>', 'to the first offset at or after now minus an ISO-8601 duration PnDTnHnMnS')
      .option('--to-timestamp <ms>', 'to the first offset at or after this time (epoch ms)', integerOption('timestamp', 0, Number.MAX_SAFE_INTEGER))
      .option('--execute', 'commit the new offsets (without it the plan is only shown)', false)
      .option('--dry-run', 'only show the plan (the default, said explicitly)', false),
  ).action(async (positional: string | undefined, options: ResetOptions) => {
    const mode = resetModeFrom(options);
    if (options.execute && options.dryRun) throw usageError('--execute and --dry-run cannot be combined');
    const named = [...(positional !== undefined ? [positional] : []), ...options.group];
    if (options.allGroups === (named.length > 0)) throw usageError('give the groups to reset (a group id, --group ID) or --all-groups, not both');
    if (options.allTopics === (options.topic.length > 0)) throw usageError('give the topics to reset (--topic T or T:P1,P2) or --all-topics, not both');
    const scope: ResetScope = options.allTopics ? 'all-topics' : options.topic.map(topicScope);
    await withCluster(options, async (cluster) => {
      const admin = new Admin(cluster);
      const groupIds = options.allGroups ? (await admin.listGroups()).map((g) => g.groupId) : named;
      // Every plan is made before anything is committed: one active group stops the whole run unchanged.
      const plans: Array<{ group: string; resets: OffsetReset[] }> = [];
      for (const group of groupIds) plans.push({ group, resets: await planOffsetReset(admin, group, scope, mode) });
      if (options.execute) {
        for (const p of plans) await admin.commitOffsets(p.group, p.resets.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })));
      }
      const rows = plans.flatMap((p) => p.resets.map((r) => ({ group: p.group, ...r })));
      emit(options.output, { executed: options.execute, offsets: rows }, (r) =>
        formatTable(['GROUP', 'TOPIC', 'PARTITION', 'PREVIOUS-OFFSET', 'NEW-OFFSET'], r.offsets.map((o) => [o.group, o.topic, String(o.partition), cell(o.previousOffset), String(o.newOffset)])),
      );
      if (!options.execute) process.stderr.write('No offsets were changed: this is the plan. Add --execute to commit it.\n');
    });
  });
}
