// /api/v1/groups: the group list with state and total lag, one group's members, assignments, lag per partition
// and lag history, resetting its offsets (Admin.resetOffsets, the same plan as `spate groups reset-offsets`,
// with dryRun as the preview) and deleting it.
import type { ResetTarget } from '../client/index.js';
import { badRequest } from './api-error.js';
import type { GroupDetail, GroupList, GroupSummary, ResetOffsetsResult } from './api-types.js';
import type { ConsoleDeps } from './deps.js';
import { asObject, readJsonBody } from './http-json.js';
import type { Router } from './router.js';

/** Groups described at once while building the list. */
const LIST_CONCURRENCY = 8;

export function registerGroupRoutes(router: Router, deps: ConsoleDeps): void {
  router.add('GET', '/api/v1/groups', async (): Promise<GroupList> => {
    const admin = await deps.admin();
    const listed = await admin.listGroups();
    const groups: GroupSummary[] = new Array<GroupSummary>(listed.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < listed.length) {
        const i = next++;
        const g = listed[i]!;
        const description = await admin.describeGroup(g.groupId);
        const lag = await admin.groupLag(g.groupId, description);
        const known = lag.filter((r) => r.lag !== null);
        groups[i] = {
          groupId: g.groupId,
          state: description.state,
          protocolType: description.protocolType || g.protocolType,
          members: description.members.length,
          totalLag: known.length === 0 ? null : known.reduce((sum, r) => sum + r.lag!, 0),
          topics: [...new Set(lag.map((r) => r.topic))].sort(),
        };
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, listed.length) }, worker));
    return { groups };
  });

  router.add('GET', '/api/v1/groups/:group', async ({ params }): Promise<GroupDetail> => {
    const groupId = params['group']!;
    const admin = await deps.admin();
    const description = await admin.describeGroup(groupId);
    const lag = await admin.groupLag(groupId, description);
    return {
      groupId,
      state: description.state,
      protocolType: description.protocolType,
      protocol: description.protocol,
      members: description.members,
      lag: lag.map((r) => ({
        topic: r.topic,
        partition: r.partition,
        committedOffset: r.committedOffset,
        logEndOffset: r.logEndOffset,
        lag: r.lag,
        memberId: r.memberId,
        clientId: r.clientId,
      })),
      history: deps.lag.history(groupId),
    };
  });

  router.add('POST', '/api/v1/groups/:group/reset-offsets', async ({ request, params }): Promise<ResetOffsetsResult> => {
    const body = asObject(await readJsonBody(request), 'the request body');
    const topic = body['topic'];
    if (typeof topic !== 'string' || topic === '') throw badRequest('topic must be a non-empty string');
    const target = resetTarget(body['to']);
    const partitionsIn = body['partitions'];
    let partitions: number[] | undefined;
    if (partitionsIn !== undefined) {
      if (!Array.isArray(partitionsIn) || partitionsIn.length === 0 || partitionsIn.some((p) => !Number.isInteger(p) || (p as number) < 0)) {
        throw badRequest('partitions must be a non-empty list of partition numbers');
      }
      partitions = partitionsIn as number[];
    }
    const dryRun = body['dryRun'] === true;
    const admin = await deps.admin();
    if (partitions !== undefined) {
      const info = await (await deps.cluster()).topic(topic, { refresh: true });
      const unknown = partitions.filter((p) => !info.partitions.some((x) => x.partition === p));
      if (unknown.length > 0) throw badRequest(`topic ${topic} has no partition ${unknown.join(', ')}`);
    }
    const resets = await admin.resetOffsets(params['group']!, topic, target, { dryRun, ...(partitions !== undefined ? { partitions } : {}) });
    return { dryRun, resets };
  });

  router.add('DELETE', '/api/v1/groups/:group', async ({ params }) => {
    await (await deps.admin()).deleteGroups([params['group']!]);
    return { deleted: params['group'] };
  });
}

/** The CLI's four modes: --to-earliest, --to-latest, --to-timestamp MS, --to-offset N. */
function resetTarget(value: unknown): ResetTarget {
  if (value === 'earliest' || value === 'latest') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const v = value as Record<string, unknown>;
    if (keys.length === 1 && keys[0] === 'timestamp' && Number.isSafeInteger(v['timestamp']) && (v['timestamp'] as number) >= 0) return { timestamp: v['timestamp'] as number };
    if (keys.length === 1 && keys[0] === 'offset' && Number.isSafeInteger(v['offset']) && (v['offset'] as number) >= 0) return { offset: v['offset'] as number };
  }
  throw badRequest('to must be "earliest", "latest", { "timestamp": MS } or { "offset": N }');
}
