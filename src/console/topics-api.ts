// /api/v1/topics: the topic list (partitions, message counts, sizes), one topic's partitions, create, delete,
// and topic configs (view, set and delete overrides).
import { readJsonBody, asObject, optionalInteger, stringRecord, stringList } from './http-json.js';
import { badRequest } from './api-error.js';
import type { ConfigList, CreateTopicRequest, TopicDetail, TopicList } from './api-types.js';
import type { ConsoleDeps } from './deps.js';
import { logRanges, partitionKey } from './log-offsets.js';
import type { Router } from './router.js';

export function registerTopicRoutes(router: Router, deps: ConsoleDeps): void {
  router.add('GET', '/api/v1/topics', async ({ query }): Promise<TopicList> => {
    const includeInternal = query.oneOf('internal', ['true', 'false'], 'false') === 'true';
    const cluster = await deps.cluster();
    const md = await cluster.metadata(null);
    const topics = md.topics.filter((t) => t.errorCode === 0 && (includeInternal || !t.isInternal));
    const [ranges, sizeOf] = await Promise.all([logRanges(cluster, topics), deps.view.partitionSizes()]);
    return {
      topics: topics
        .map((t) => {
          let messages = 0;
          let sizeBytes = 0;
          for (const p of t.partitions) {
            const range = ranges.get(partitionKey(t.name, p.partition));
            if (range !== undefined) messages += range.end - range.start;
            sizeBytes += sizeOf(t.name, p.partition) ?? 0;
          }
          return {
            name: t.name,
            internal: t.isInternal,
            partitions: t.partitions.length,
            replicationFactor: t.partitions[0]?.replicas.length ?? 0,
            messages,
            sizeBytes,
          };
        })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
  });

  router.add('POST', '/api/v1/topics', async ({ request, response }) => {
    const body = asObject(await readJsonBody(request), 'the request body');
    const name = body['name'];
    if (typeof name !== 'string' || name === '') throw badRequest('name must be a non-empty string');
    const topic: CreateTopicRequest = {
      name,
      partitions: optionalInteger(body, 'partitions', 1, 100_000) ?? -1,
      replicationFactor: optionalInteger(body, 'replicationFactor', 1, 32_767) ?? -1,
      configs: stringRecord(body['configs'], 'configs'),
    };
    await (await deps.admin()).createTopics([topic]);
    response.statusCode = 201;
    return { name };
  });

  router.add('GET', '/api/v1/topics/:topic', async ({ params }): Promise<TopicDetail> => {
    const cluster = await deps.cluster();
    const info = await cluster.topic(params['topic']!, { refresh: true });
    const [ranges, sizeOf] = await Promise.all([logRanges(cluster, [info]), deps.view.partitionSizes()]);
    return {
      name: info.name,
      topicId: info.topicId,
      internal: info.isInternal,
      partitions: info.partitions.map((p) => {
        const range = ranges.get(partitionKey(info.name, p.partition));
        return {
          partition: p.partition,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
          startOffset: range?.start ?? -1,
          endOffset: range?.end ?? -1,
          sizeBytes: sizeOf(info.name, p.partition) ?? 0,
        };
      }),
    };
  });

  router.add('DELETE', '/api/v1/topics/:topic', async ({ params }) => {
    const admin = await deps.admin();
    // DeleteTopics of an unknown name: the broker says UNKNOWN_TOPIC_OR_PARTITION, which becomes a 404.
    await admin.deleteTopics([params['topic']!]);
    return { deleted: params['topic'] };
  });

  router.add('GET', '/api/v1/topics/:topic/configs', async ({ params }): Promise<ConfigList> => {
    const configs = await (await deps.admin()).describeConfigs('topic', params['topic']!);
    return { configs };
  });

  router.add('PATCH', '/api/v1/topics/:topic/configs', async ({ request, params }): Promise<ConfigList> => {
    const body = asObject(await readJsonBody(request), 'the request body');
    const set = stringRecord(body['set'], 'set');
    const remove = stringList(body['delete'], 'delete');
    if (Object.keys(set).length === 0 && remove.length === 0) throw badRequest('nothing to change: give set and/or delete');
    const admin = await deps.admin();
    await admin.alterTopicConfig(params['topic']!, { set, delete: remove });
    return { configs: await admin.describeConfigs('topic', params['topic']!) };
  });
}
