// Registers the client commands (everything but `spate start`) on the program.
import type { Command } from 'commander';
import { registerAclsCommand } from './acls.js';
import { registerBenchCommand } from './bench.js';
import { registerClusterCommand } from './cluster.js';
import { registerConsumeCommand } from './consume.js';
import { registerGroupsCommand } from './groups.js';
import { registerProduceCommand } from './produce.js';
import { registerQuotasCommand } from './quotas.js';
import { registerTopicsCommand } from './topics.js';

export function registerClientCommands(program: Command): void {
  registerTopicsCommand(program);
  registerProduceCommand(program);
  registerConsumeCommand(program);
  registerGroupsCommand(program);
  registerClusterCommand(program);
  registerBenchCommand(program);
  registerAclsCommand(program);
  registerQuotasCommand(program);
}
