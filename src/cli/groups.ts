// `spate groups list|describe|delete|reset-offsets`.
import type { Command } from 'commander';
import { Admin, type ResetTarget } from '../client/index.js';
import { invalidArgument } from '../client/errors.js';
import { clientOptions, formatTable, integerOption, out, withCluster, type BootstrapOptions } from './client-common.js';

interface ResetOptions extends BootstrapOptions {
  topic: string;
  toEarliest: boolean;
  toLatest: boolean;
  toTimestamp?: number;
  toOffset?: number;
  dryRun: boolean;
}

function resetTarget(options: ResetOptions): ResetTarget {
  const chosen: ResetTarget[] = [];
  if (options.toEarliest) chosen.push('earliest');
  if (options.toLatest) chosen.push('latest');
  if (options.toTimestamp !== undefined) chosen.push({ timestamp: options.toTimestamp });
  if (options.toOffset !== undefined) chosen.push({ offset: options.toOffset });
  if (chosen.length !== 1) throw invalidArgument('give exactly one of --to-earliest, --to-latest, --to-timestamp MS, --to-offset N');
  return chosen[0]!;
}

const dash = (v: string | number | null): string => (v === null || v === -1 || v === '' ? '-' : String(v));

export function registerGroupsCommand(program: Command): void {
  const groups = program.command('groups').description('list, describe, delete consumer groups and reset their offsets');

  clientOptions(groups.command('list').description('list consumer group ids')).action(async (options: BootstrapOptions) => {
    await withCluster(options, async (cluster) => {
      const list = await new Admin(cluster).listGroups();
      if (list.length > 0) out(list.map((g) => g.groupId).join('\n'));
    });
  });

  clientOptions(groups.command('describe').description("a group's state, members, assignments and lag per partition").argument('<group>', 'group id')).action(
    async (groupId: string, options: BootstrapOptions) => {
      await withCluster(options, async (cluster) => {
        const admin = new Admin(cluster);
        const group = await admin.describeGroup(groupId);
        const lag = await admin.groupLag(groupId, group);
        if (group.state === 'Dead' && group.members.length === 0 && lag.length === 0) throw invalidArgument(`consumer group ${groupId} does not exist`);
        out(`Group: ${groupId}  State: ${group.state}  Protocol: ${group.protocolType || '-'}/${group.protocol || '-'}  Members: ${group.members.length}`);
        out('');
        out(
          formatTable(
            ['MEMBER-ID', 'CLIENT-ID', 'HOST', 'ASSIGNMENT'],
            group.members.map((m) => [m.memberId, m.clientId, m.clientHost, m.assignment.map((a) => `${a.topic}:${a.partitions.join(',')}`).join(' ') || '-']),
          ),
        );
        out(
          formatTable(
            ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
            lag.map((r) => [r.topic, String(r.partition), dash(r.committedOffset), dash(r.logEndOffset), dash(r.lag), dash(r.memberId), dash(r.clientHost), dash(r.clientId)]),
          ),
        );
      });
    },
  );

  clientOptions(groups.command('delete').description('delete an inactive group and its committed offsets').argument('<group>', 'group id')).action(
    async (groupId: string, options: BootstrapOptions) => {
      await withCluster(options, async (cluster) => {
        await new Admin(cluster).deleteGroups([groupId]);
        out(`Deleted group ${groupId}.`);
      });
    },
  );

  clientOptions(
    groups
      .command('reset-offsets')
      .description("move an inactive group's committed offsets on a topic")
      .argument('<group>', 'group id')
      .requiredOption('--topic <topic>', 'topic whose partitions are reset')
      .option('--to-earliest', 'to the earliest offset', false)
      .option('--to-latest', 'to the log end', false)
      .option('--to-timestamp <ms>', 'to the first offset at or after this time (epoch ms)', integerOption('timestamp', 0, Number.MAX_SAFE_INTEGER))
      .option('--to-offset <n>', 'to this offset (clamped into the log)', integerOption('offset', 0, Number.MAX_SAFE_INTEGER))
      .option('--dry-run', 'show the new offsets without committing them', false),
  ).action(async (groupId: string, options: ResetOptions) => {
    const target = resetTarget(options);
    await withCluster(options, async (cluster) => {
      const resets = await new Admin(cluster).resetOffsets(groupId, options.topic, target, { dryRun: options.dryRun });
      out(formatTable(['GROUP', 'TOPIC', 'PARTITION', 'PREVIOUS-OFFSET', 'NEW-OFFSET'], resets.map((r) => [groupId, r.topic, String(r.partition), dash(r.previousOffset), String(r.newOffset)])));
      if (options.dryRun) out('Dry run: no offsets were committed.');
    });
  });
}
