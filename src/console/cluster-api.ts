// /api/v1/overview (brokers, topic and partition counts, under-replicated and offline partitions, disk usage,
// throughput history) and /api/v1/brokers/:id/configs (view, and change the dynamic ones).
import { statfs } from 'node:fs/promises';
import type { Admin } from '../client/index.js';
import { badRequest, notFound } from './api-error.js';
import { alterBrokerConfigs } from './broker-configs.js';
import { asObject, readJsonBody, stringList, stringRecord } from './http-json.js';
import type { ConfigList, Overview } from './api-types.js';
import type { ConsoleDeps } from './deps.js';
import type { Router } from './router.js';

export function registerClusterRoutes(router: Router, deps: ConsoleDeps): void {
  router.add('GET', '/api/v1/overview', async (): Promise<Overview> => {
    const cluster = await deps.cluster();
    const admin = await deps.admin();
    const [description, md, groups, sizeOf, fileSystem] = await Promise.all([
      admin.describeCluster(),
      cluster.metadata(null),
      admin.listGroups(),
      deps.view.partitionSizes(),
      statfs(deps.view.dataDir).then(
        (s) => ({ totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize }),
        () => null,
      ),
    ]);
    let partitions = 0;
    let underReplicated = 0;
    let offline = 0;
    let logBytes = 0;
    const topics = md.topics.filter((t) => t.errorCode === 0);
    for (const t of topics) {
      for (const p of t.partitions) {
        partitions++;
        if (p.leader < 0) offline++;
        if (p.isr.length < p.replicas.length) underReplicated++;
        logBytes += sizeOf(t.name, p.partition) ?? 0;
      }
    }
    return {
      clusterId: description.clusterId,
      controllerId: description.controllerId,
      brokers: description.brokers,
      topics: topics.filter((t) => !t.isInternal).length,
      internalTopics: topics.filter((t) => t.isInternal).length,
      partitions,
      underReplicatedPartitions: underReplicated,
      offlinePartitions: offline,
      consumerGroups: groups.length,
      disk: { logBytes, dataDir: deps.view.dataDir, fileSystem },
      throughput: deps.throughput.history,
    };
  });

  const knownBroker = async (id: string): Promise<Admin> => {
    if (!/^\d+$/.test(id)) throw badRequest(`broker id must be a number, got "${id}"`);
    const admin = await deps.admin();
    const { brokers } = await admin.describeCluster();
    if (!brokers.some((b) => b.nodeId === Number(id))) throw notFound(`no broker ${id} in the cluster (brokers: ${brokers.map((b) => b.nodeId).join(', ')})`);
    return admin;
  };

  router.add('GET', '/api/v1/brokers/:id/configs', async ({ params }): Promise<ConfigList> => {
    const admin = await knownBroker(params['id']!);
    return { configs: await admin.describeConfigs('broker', params['id']!) };
  });

  router.add('PATCH', '/api/v1/brokers/:id/configs', async ({ request, params }): Promise<ConfigList> => {
    const id = params['id']!;
    const admin = await knownBroker(id);
    const body = asObject(await readJsonBody(request), 'the request body');
    const set = stringRecord(body['set'], 'set');
    const remove = stringList(body['delete'], 'delete');
    if (Object.keys(set).length === 0 && remove.length === 0) throw badRequest('nothing to change: give set and/or delete');
    await alterBrokerConfigs(await deps.cluster(), Number(id), { set, delete: remove });
    return { configs: await admin.describeConfigs('broker', id) };
  });
}
