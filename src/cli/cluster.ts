// `spate cluster describe`.
import type { Command } from 'commander';
import { Admin } from '../client/index.js';
import { clientOptions, withCluster, type BootstrapOptions } from './client-common.js';
import { emit, formatTable } from './output.js';

export function registerClusterCommand(program: Command): void {
  const cluster = program.command('cluster').description('inspect the cluster');
  clientOptions(cluster.command('describe').description('cluster id, controller and brokers')).action(async (options: BootstrapOptions) => {
    await withCluster(options, async (c) => {
      const d = await new Admin(c).describeCluster();
      emit(
        options.output,
        d,
        (r) =>
          `Cluster ID: ${r.clusterId ?? '(none)'}\nController: ${r.controllerId < 0 ? 'none' : r.controllerId}\n` +
          formatTable(['BROKER', 'HOST', 'PORT', 'RACK'], r.brokers.map((b) => [String(b.nodeId), b.host, String(b.port), b.rack ?? '-'])),
      );
    });
  });
}
