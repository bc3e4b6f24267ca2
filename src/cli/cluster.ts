// `spate cluster describe`.
import type { Command } from 'commander';
import { Admin } from '../client/index.js';
import { clientOptions, formatTable, out, withCluster, type BootstrapOptions } from './client-common.js';

export function registerClusterCommand(program: Command): void {
  const cluster = program.command('cluster').description('inspect the cluster');
  clientOptions(cluster.command('describe').description('cluster id, controller and brokers')).action(async (options: BootstrapOptions) => {
    await withCluster(options, async (c) => {
      const d = await new Admin(c).describeCluster();
      out(`Cluster ID: ${d.clusterId ?? '(none)'}`);
      out(`Controller: ${d.controllerId < 0 ? 'none' : d.controllerId}`);
      out(formatTable(['BROKER', 'HOST', 'PORT', 'RACK'], d.brokers.map((b) => [String(b.nodeId), b.host, String(b.port), b.rack ?? '-'])));
    });
  });
}
