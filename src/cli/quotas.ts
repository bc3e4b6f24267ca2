// `spate quotas alter|describe`: client quotas for users and client ids, as `kafka-configs.sh --entity-type users
// --entity-name alice --alter --add-config producer_byte_rate=1048576` sets them. Keys: producer_byte_rate and
// consumer_byte_rate (bytes per second), request_percentage (percent of one request thread),
// controller_mutation_rate.
import type { Command } from 'commander';
import { invalidArgument } from '../client/errors.js';
import { QuotaAdmin, type QuotaEntityName } from '../client/quotas.js';
import { clientOptions, keyValueOption, listOption, withCluster, type BootstrapOptions } from './client-common.js';
import { emit, formatTable } from './output.js';

interface EntityFlags extends BootstrapOptions {
  user?: string;
  userDefault: boolean;
  clientId?: string;
  clientIdDefault: boolean;
}

interface AlterFlags extends EntityFlags {
  add: Record<string, string>;
  delete: string[];
}

function entityOf(flags: EntityFlags): QuotaEntityName {
  if (flags.user !== undefined && flags.userDefault) throw invalidArgument('give --user NAME or --user-default, not both');
  if (flags.clientId !== undefined && flags.clientIdDefault) throw invalidArgument('give --client-id ID or --client-id-default, not both');
  const entity: QuotaEntityName = {};
  if (flags.user !== undefined) entity.user = flags.user;
  if (flags.userDefault) entity.user = null;
  if (flags.clientId !== undefined) entity.clientId = flags.clientId;
  if (flags.clientIdDefault) entity.clientId = null;
  return entity;
}

function entityFlags(command: Command): Command {
  return clientOptions(command)
    .option('--user <name>', "a user (the principal's name: alice for User:alice)")
    .option('--user-default', 'the default user: every user without a quota of its own', false)
    .option('--client-id <id>', 'a client id')
    .option('--client-id-default', 'the default client id', false);
}

const show = (name: string | null | undefined): string => (name === undefined ? '-' : name === null ? '<default>' : name);

export function registerQuotasCommand(program: Command): void {
  const quotas = program.command('quotas').description('set and show client quotas of users and client ids');

  entityFlags(quotas.command('alter').description('set (--add key=value) or remove (--delete key) quotas of one user, client id, or both'))
    .option('--add <key=value>', 'set a quota, e.g. producer_byte_rate=1048576 (repeatable)', keyValueOption, {})
    .option('--delete <key>', 'remove a quota (repeatable)', listOption, [])
    .action(async (flags: AlterFlags) => {
      const entity = entityOf(flags);
      if (entity.user === undefined && entity.clientId === undefined) throw invalidArgument('name the entity: --user, --user-default, --client-id or --client-id-default');
      const set: Record<string, number> = {};
      for (const [key, text] of Object.entries(flags.add)) {
        const value = Number(text);
        if (text.trim() === '' || !Number.isFinite(value)) throw invalidArgument(`${key} must be a number, got "${text}"`);
        set[key] = value;
      }
      if (Object.keys(set).length + flags.delete.length === 0) throw invalidArgument('give --add key=value or --delete key');
      await withCluster(flags, async (cluster) => {
        await new QuotaAdmin(cluster).alter(entity, set, flags.delete);
        emit(flags.output, { altered: entity, set, deleted: flags.delete }, () => `Altered the quotas of user ${show(entity.user)}, client id ${show(entity.clientId)}.`);
      });
    });

  entityFlags(quotas.command('describe').description('show quotas: all of them, or those of the entities named')).action(async (flags: EntityFlags) => {
    await withCluster(flags, async (cluster) => {
      const described = await new QuotaAdmin(cluster).describe(entityOf(flags));
      emit(flags.output, described, (list) => {
        const rows = list.flatMap((d) => Object.entries(d.values).map(([key, value]) => [show(d.entity.user), show(d.entity.clientId), key, String(value)]));
        return rows.length > 0 ? formatTable(['USER', 'CLIENT-ID', 'QUOTA', 'VALUE'], rows) : '';
      });
    });
  });
}
