// Every API Spate serves, over raw frames against a live broker with the standard authorizer: a principal without
// the ACL gets Kafka's error for it (the operation and resource Kafka's KafkaApis/ControllerApis check), and the
// same request succeeds once the super user has granted exactly that ACL through CreateAcls. APIs that check two
// resources (a group, then its topics) are walked one grant at a time.
import test from 'ava';
import { ErrorCode, errorName } from '../../src/protocol/error-codes.js';
import {
  ApiKey,
  type AlterClientQuotasResponse,
  type AlterConfigsResponse,
  type CreateAclsResponse,
  type CreatePartitionsResponse,
  type DeleteAclsResponse,
  type DeleteGroupsResponse,
  type DeleteRecordsResponse,
  type DeleteTopicsResponse,
  type DescribeAclsResponse,
  type DescribeClientQuotasResponse,
  type DescribeClusterResponse,
  type DescribeConfigsResponse,
  type DescribeGroupsResponse,
  type FetchResponse,
  type FindCoordinatorResponse,
  type HeartbeatResponse,
  type IncrementalAlterConfigsResponse,
  type JoinGroupResponse,
  type LeaveGroupResponse,
  type ListGroupsResponse,
  type MetadataResponse,
  type OffsetCommitResponse,
  type OffsetDeleteResponse,
  type OffsetFetchResponse,
  type ProduceResponse,
  type SyncGroupResponse,
} from '../../src/protocol/generated/index.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { AclOperation as Op, CLUSTER_RESOURCE_NAME, ResourceType as Type } from '../../src/security/acl-model.js';
import type { RunningBroker } from '../../src/index.js';
import { buildRecordBatch } from '../helpers/batch-builder.js';
import { RawClient } from '../helpers/raw-client.js';
import { connectAs, connectAsAdmin, grant, type AclSpec } from './acl-helpers.js';
import { startAuthorizingBroker } from './principals.js';

interface Step {
  /** ACLs granted before this step (none for the first: the denial). */
  grant: AclSpec[];
  /** The error code the request then gets. */
  expect: number;
}

interface ApiCase {
  title: string;
  /** Resources the case needs, made by the super user. */
  setup?: (admin: RawClient, names: Names) => Promise<void>;
  /** Sends the request as the case's principal; returns the error code that answers it. */
  call: (client: RawClient, names: Names) => Promise<number>;
  steps: Step[];
}

/** Resource names of one case: nobody else's ACLs cover them. */
interface Names {
  topic: string;
  group: string;
  txn: string;
}

const topicAcl = (name: string, operation: number): AclSpec => ({ resourceType: Type.TOPIC, resourceName: name, operation });
const groupAcl = (name: string, operation: number): AclSpec => ({ resourceType: Type.GROUP, resourceName: name, operation });
const clusterAcl = (operation: number): AclSpec => ({ resourceType: Type.CLUSTER, resourceName: CLUSTER_RESOURCE_NAME, operation });

async function createTopic(admin: RawClient, name: string, partitions = 1): Promise<void> {
  const created = await admin.createTopic(name, partitions);
  if (created.topics[0]!.errorCode !== ErrorCode.NONE) throw new Error(`could not create ${name}: ${JSON.stringify(created.topics[0])}`);
}

function produceBody(topic: string, records: Buffer, transactionalId: string | null = null) {
  return { transactionalId, acks: -1, timeoutMs: 10_000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] };
}

function commitBody(group: string, topic: string) {
  return {
    groupId: group,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' }] }],
  };
}

const firstPartition = (r: { topics: Array<{ partitions: Array<{ errorCode: number }> }> }): number => r.topics[0]!.partitions[0]!.errorCode;

const cases: ApiCase[] = [
  {
    title: 'Produce needs WRITE on the topic',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) =>
      (await c.request<ProduceResponse>(ApiKey.Produce, 9, produceBody(n.topic, buildRecordBatch([{ value: Buffer.from('v') }])))).responses[0]!.partitionResponses[0]!.errorCode,
    steps: [
      { grant: [], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.WRITE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'Produce of a transactional batch needs WRITE on its transactional id',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) => {
      const records = buildRecordBatch([{ value: Buffer.from('v') }], { attributes: 0x10, producerId: 1, producerEpoch: 0, baseSequence: 0 });
      return (await c.request<ProduceResponse>(ApiKey.Produce, 9, produceBody(n.topic, records, n.txn))).responses[0]!.partitionResponses[0]!.errorCode;
    },
    steps: [
      { grant: [topicAcl('$topic', Op.WRITE)], expect: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED },
      // Past authorization, the batch reaches the log (Spate has no transaction coordinator to refuse it yet).
      { grant: [{ resourceType: Type.TRANSACTIONAL_ID, resourceName: '$txn', operation: Op.WRITE }], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'Fetch needs READ on the topic',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) => (await c.fetch(n.topic, 0, 0)).responses[0]!.partitions[0]!.errorCode,
    steps: [
      { grant: [], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.READ)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: "Fetch as a follower (replica id 1) needs CLUSTER_ACTION, READ on the topic is not enough",
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) =>
      (await c.request<FetchResponse>(ApiKey.Fetch, 12, { ...RawClient.fetchBody(n.topic, 0, 0), replicaId: 1 })).responses[0]!.partitions[0]!.errorCode,
    steps: [
      { grant: [topicAcl('$topic', Op.READ)], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [clusterAcl(Op.CLUSTER_ACTION)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'ListOffsets needs DESCRIBE on the topic',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) => firstPartition(await c.listOffsets(n.topic, 0)),
    steps: [
      { grant: [], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.DESCRIBE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'Metadata of a named topic needs DESCRIBE on it',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) => (await c.metadata([n.topic])).topics[0]!.errorCode,
    steps: [
      { grant: [], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.DESCRIBE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'Metadata auto-creating a topic needs CREATE as well as DESCRIBE',
    call: async (c, n) => (await c.metadata([n.topic], true)).topics[0]!.errorCode,
    steps: [
      { grant: [topicAcl('$topic', Op.DESCRIBE)], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.CREATE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'OffsetCommit needs READ on the group, then READ on the topic',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) => firstPartition(await c.request<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, commitBody(n.group, n.topic))),
    steps: [
      { grant: [topicAcl('$topic', Op.READ)], expect: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      { grant: [groupAcl('$group', Op.READ)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'OffsetCommit with READ on the group but not the topic gets TOPIC_AUTHORIZATION_FAILED',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) => firstPartition(await c.request<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, commitBody(n.group, n.topic))),
    steps: [
      { grant: [groupAcl('$group', Op.READ)], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.READ)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'OffsetFetch (v8) needs DESCRIBE on the group, then DESCRIBE on the topic',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) => {
      const r = await c.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 8, {
        groups: [{ groupId: n.group, memberId: null, memberEpoch: -1, topics: [{ name: n.topic, partitionIndexes: [0] }] }],
        requireStable: false,
      });
      const g = r.groups[0]!;
      return g.errorCode !== ErrorCode.NONE ? g.errorCode : g.topics[0]!.partitions[0]!.errorCode;
    },
    steps: [
      { grant: [], expect: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      { grant: [groupAcl('$group', Op.DESCRIBE)], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.DESCRIBE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'OffsetFetch (v7) answers a denied group at the top level',
    call: async (c, n) => (await c.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 7, { groupId: n.group, topics: null, requireStable: false })).errorCode,
    steps: [
      { grant: [], expect: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      { grant: [groupAcl('$group', Op.DESCRIBE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: "FindCoordinator of a group needs DESCRIBE on it",
    call: async (c, n) => (await c.request<FindCoordinatorResponse>(ApiKey.FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: [n.group] })).coordinators[0]!.errorCode,
    steps: [
      { grant: [], expect: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      { grant: [groupAcl('$group', Op.DESCRIBE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'FindCoordinator (v3) of a transactional id needs DESCRIBE on it',
    call: async (c, n) => (await c.request<FindCoordinatorResponse>(ApiKey.FindCoordinator, 3, { key: n.txn, keyType: 1, coordinatorKeys: [] })).errorCode,
    steps: [
      { grant: [], expect: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED },
      { grant: [{ resourceType: Type.TRANSACTIONAL_ID, resourceName: '$txn', operation: Op.DESCRIBE }], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'JoinGroup needs READ on the group',
    call: async (c, n) =>
      (
        await c.request<JoinGroupResponse>(ApiKey.JoinGroup, 9, {
          groupId: n.group,
          sessionTimeoutMs: 30_000,
          rebalanceTimeoutMs: 30_000,
          memberId: '',
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
          reason: null,
        })
      ).errorCode,
    // Past authorization, a v4+ first join is asked for its member id (KIP-394).
    steps: [
      { grant: [], expect: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      { grant: [groupAcl('$group', Op.READ)], expect: ErrorCode.MEMBER_ID_REQUIRED },
    ],
  },
  {
    title: 'SyncGroup needs READ on the group',
    call: async (c, n) =>
      (
        await c.request<SyncGroupResponse>(ApiKey.SyncGroup, 5, {
          groupId: n.group,
          generationId: 1,
          memberId: 'm',
          groupInstanceId: null,
          protocolType: 'consumer',
          protocolName: 'range',
          assignments: [],
        })
      ).errorCode,
    steps: [
      { grant: [], expect: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      { grant: [groupAcl('$group', Op.READ)], expect: ErrorCode.UNKNOWN_MEMBER_ID },
    ],
  },
  {
    title: 'Heartbeat needs READ on the group',
    call: async (c, n) => (await c.request<HeartbeatResponse>(ApiKey.Heartbeat, 4, { groupId: n.group, generationId: 1, memberId: 'm', groupInstanceId: null })).errorCode,
    steps: [
      { grant: [], expect: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      { grant: [groupAcl('$group', Op.READ)], expect: ErrorCode.UNKNOWN_MEMBER_ID },
    ],
  },
  {
    title: 'LeaveGroup needs READ on the group',
    call: async (c, n) => {
      const r = await c.request<LeaveGroupResponse>(ApiKey.LeaveGroup, 5, { groupId: n.group, memberId: '', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] });
      return r.errorCode !== ErrorCode.NONE ? r.errorCode : (r.members[0]?.errorCode ?? ErrorCode.NONE);
    },
    steps: [
      { grant: [], expect: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      { grant: [groupAcl('$group', Op.READ)], expect: ErrorCode.UNKNOWN_MEMBER_ID },
    ],
  },
  {
    title: 'DescribeGroups needs DESCRIBE on the group',
    call: async (c, n) => (await c.request<DescribeGroupsResponse>(ApiKey.DescribeGroups, 5, { groups: [n.group], includeAuthorizedOperations: false })).groups[0]!.errorCode,
    steps: [
      { grant: [], expect: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      { grant: [groupAcl('$group', Op.DESCRIBE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'DeleteGroups needs DELETE on the group',
    call: async (c, n) => (await c.request<DeleteGroupsResponse>(ApiKey.DeleteGroups, 2, { groupsNames: [n.group] })).results[0]!.errorCode,
    steps: [
      { grant: [groupAcl('$group', Op.READ)], expect: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      // Past authorization: the group has never existed.
      { grant: [groupAcl('$group', Op.DELETE)], expect: ErrorCode.GROUP_ID_NOT_FOUND },
    ],
  },
  {
    title: 'OffsetDelete needs DELETE on the group, then READ on the topic',
    setup: async (admin, n) => {
      await createTopic(admin, n.topic);
      const committed = await admin.request<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, commitBody(n.group, n.topic));
      if (firstPartition(committed) !== ErrorCode.NONE) throw new Error(`admin commit failed: ${JSON.stringify(committed)}`);
    },
    call: async (c, n) => {
      const r = await c.request<OffsetDeleteResponse>(ApiKey.OffsetDelete, 0, { groupId: n.group, topics: [{ name: n.topic, partitions: [{ partitionIndex: 0 }] }] });
      return r.errorCode !== ErrorCode.NONE ? r.errorCode : firstPartition(r);
    },
    steps: [
      { grant: [], expect: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      { grant: [groupAcl('$group', Op.DELETE)], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.READ)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'CreateTopics needs CREATE on the topic',
    call: async (c, n) => (await c.createTopic(n.topic)).topics[0]!.errorCode,
    steps: [
      { grant: [topicAcl('$topic', Op.DESCRIBE)], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.CREATE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'CreateTopics is allowed everywhere by CREATE on the cluster',
    call: async (c, n) => (await c.createTopic(n.topic)).topics[0]!.errorCode,
    steps: [
      { grant: [], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [clusterAcl(Op.CREATE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'DeleteTopics needs DELETE on the topic',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) => (await c.request<DeleteTopicsResponse>(ApiKey.DeleteTopics, 6, { topics: [{ name: n.topic, topicId: ZERO_UUID }], topicNames: [], timeoutMs: 10_000 })).responses[0]!.errorCode,
    steps: [
      { grant: [topicAcl('$topic', Op.DESCRIBE)], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.DELETE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'DeleteRecords needs DELETE on the topic',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) =>
      firstPartition(await c.request<DeleteRecordsResponse>(ApiKey.DeleteRecords, 2, { topics: [{ name: n.topic, partitions: [{ partitionIndex: 0, offset: 0 }] }], timeoutMs: 10_000 })),
    steps: [
      { grant: [topicAcl('$topic', Op.WRITE)], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.DELETE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'CreatePartitions needs ALTER on the topic',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) =>
      (await c.request<CreatePartitionsResponse>(ApiKey.CreatePartitions, 3, { topics: [{ name: n.topic, count: 2, assignments: null }], timeoutMs: 10_000, validateOnly: false })).results[0]!
        .errorCode,
    steps: [
      { grant: [topicAcl('$topic', Op.WRITE)], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.ALTER)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'DescribeConfigs of a topic needs DESCRIBE_CONFIGS on it',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) => (await c.describeTopicConfigs(n.topic)).results[0]!.errorCode,
    steps: [
      { grant: [topicAcl('$topic', Op.DESCRIBE)], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.DESCRIBE_CONFIGS)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'DescribeConfigs of the broker needs DESCRIBE_CONFIGS on the cluster',
    call: async (c) =>
      (
        await c.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, {
          resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['num.partitions'] }],
          includeSynonyms: false,
          includeDocumentation: false,
        })
      ).results[0]!.errorCode,
    steps: [
      { grant: [], expect: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
      { grant: [clusterAcl(Op.DESCRIBE_CONFIGS)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'AlterConfigs of a topic needs ALTER_CONFIGS on it',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) =>
      (
        await c.request<AlterConfigsResponse>(ApiKey.AlterConfigs, 2, {
          resources: [{ resourceType: 2, resourceName: n.topic, configs: [{ name: 'retention.ms', value: '60000' }] }],
          validateOnly: false,
        })
      ).responses[0]!.errorCode,
    steps: [
      { grant: [topicAcl('$topic', Op.DESCRIBE_CONFIGS)], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.ALTER_CONFIGS)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'IncrementalAlterConfigs of the broker needs ALTER_CONFIGS on the cluster',
    call: async (c) =>
      (
        await c.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, 1, {
          resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.bytes', configOperation: 0, value: '-1' }] }],
          validateOnly: true,
        })
      ).responses[0]!.errorCode,
    steps: [
      { grant: [clusterAcl(Op.DESCRIBE_CONFIGS)], expect: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
      { grant: [clusterAcl(Op.ALTER_CONFIGS)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'IncrementalAlterConfigs of a topic needs ALTER_CONFIGS on it',
    setup: (admin, n) => createTopic(admin, n.topic),
    call: async (c, n) =>
      (
        await c.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, 1, {
          resources: [{ resourceType: 2, resourceName: n.topic, configs: [{ name: 'retention.ms', configOperation: 0, value: '60000' }] }],
          validateOnly: false,
        })
      ).responses[0]!.errorCode,
    steps: [
      { grant: [], expect: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      { grant: [topicAcl('$topic', Op.ALTER_CONFIGS)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'DescribeAcls needs DESCRIBE on the cluster',
    call: async (c) =>
      (
        await c.request<DescribeAclsResponse>(ApiKey.DescribeAcls, 3, {
          resourceTypeFilter: Type.ANY,
          resourceNameFilter: null,
          patternTypeFilter: 1,
          principalFilter: null,
          hostFilter: null,
          operation: Op.ANY,
          permissionType: 1,
        })
      ).errorCode,
    steps: [
      { grant: [], expect: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
      { grant: [clusterAcl(Op.DESCRIBE)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'CreateAcls needs ALTER on the cluster',
    call: async (c, n) =>
      (
        await c.request<CreateAclsResponse>(ApiKey.CreateAcls, 3, {
          creations: [{ resourceType: Type.TOPIC, resourceName: n.topic, resourcePatternType: 3, principal: 'User:someone', host: '*', operation: Op.READ, permissionType: 3 }],
        })
      ).results[0]!.errorCode,
    steps: [
      { grant: [clusterAcl(Op.DESCRIBE)], expect: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
      { grant: [clusterAcl(Op.ALTER)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'DeleteAcls needs ALTER on the cluster',
    call: async (c, n) =>
      (
        await c.request<DeleteAclsResponse>(ApiKey.DeleteAcls, 3, {
          filters: [{ resourceTypeFilter: Type.TOPIC, resourceNameFilter: n.topic, patternTypeFilter: 3, principalFilter: null, hostFilter: null, operation: Op.ANY, permissionType: 1 }],
        })
      ).filterResults[0]!.errorCode,
    steps: [
      { grant: [], expect: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
      { grant: [clusterAcl(Op.ALTER)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'DescribeClientQuotas needs DESCRIBE_CONFIGS on the cluster',
    call: async (c) => (await c.request<DescribeClientQuotasResponse>(ApiKey.DescribeClientQuotas, 1, { components: [], strict: false })).errorCode,
    steps: [
      { grant: [clusterAcl(Op.DESCRIBE)], expect: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
      { grant: [clusterAcl(Op.DESCRIBE_CONFIGS)], expect: ErrorCode.NONE },
    ],
  },
  {
    title: 'AlterClientQuotas needs ALTER_CONFIGS on the cluster',
    call: async (c, n) =>
      (
        await c.request<AlterClientQuotasResponse>(ApiKey.AlterClientQuotas, 1, {
          entries: [{ entity: [{ entityType: 'client-id', entityName: n.group }], ops: [{ key: 'producer_byte_rate', value: 1e9, remove: false }] }],
          validateOnly: true,
        })
      ).entries[0]!.errorCode,
    steps: [
      { grant: [clusterAcl(Op.DESCRIBE_CONFIGS)], expect: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
      { grant: [clusterAcl(Op.ALTER_CONFIGS)], expect: ErrorCode.NONE },
    ],
  },
];

let broker: RunningBroker;
test.before(async () => {
  broker = await startAuthorizingBroker();
});
test.after.always(() => broker.close());

/** `$topic`, `$group` and `$txn` in a case's ACLs stand for that case's own resource names. */
function resolve(acl: AclSpec, names: Names): AclSpec {
  const resourceName = acl.resourceName.replace('$topic', names.topic).replace('$group', names.group).replace('$txn', names.txn);
  return { ...acl, resourceName };
}

cases.forEach((apiCase, index) => {
  test(apiCase.title, async (t) => {
    const names: Names = { topic: `topic-${index}`, group: `group-${index}`, txn: `txn-${index}` };
    const user = `user-${index}`;
    const admin = await connectAsAdmin(t, broker);
    await apiCase.setup?.(admin, names);
    const client = await connectAs(t, broker, user);
    for (const [i, step] of apiCase.steps.entries()) {
      await grant(
        admin,
        user,
        step.grant.map((a) => resolve(a, names)),
      );
      const code = await apiCase.call(client, names);
      t.is(code, step.expect, `step ${i + 1} (after granting ${JSON.stringify(step.grant)}): got ${errorName(code)}`);
    }
  });
});

test('ApiVersions needs no ACL: an unknown principal learns the versions', async (t) => {
  const client = await connectAs(t, broker, 'nobody');
  const versions = await client.apiVersions();
  t.is(versions.errorCode, ErrorCode.NONE);
  t.true(versions.apiKeys.some((k) => k.apiKey === ApiKey.CreateAcls));
});

test('ListGroups lists only the groups the principal may DESCRIBE, all of them with DESCRIBE on the cluster', async (t) => {
  const admin = await connectAsAdmin(t, broker);
  await createTopic(admin, 'list-groups-topic');
  for (const group of ['listed-a', 'listed-b']) {
    const committed = await admin.request<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, commitBody(group, 'list-groups-topic'));
    t.is(firstPartition(committed), ErrorCode.NONE);
  }
  const client = await connectAs(t, broker, 'group-lister');
  const listed = async (): Promise<string[]> => {
    const r = await client.request<ListGroupsResponse>(ApiKey.ListGroups, 4, { statesFilter: [] });
    t.is(r.errorCode, ErrorCode.NONE);
    return r.groups.map((g) => g.groupId).filter((g) => g.startsWith('listed-')).sort();
  };
  t.deepEqual(await listed(), []);
  await grant(admin, 'group-lister', [groupAcl('listed-a', Op.DESCRIBE)]);
  t.deepEqual(await listed(), ['listed-a']);
  await grant(admin, 'group-lister', [clusterAcl(Op.DESCRIBE)]);
  t.deepEqual(await listed(), ['listed-a', 'listed-b']);
});

test('DescribeCluster answers anyone, with the authorized operations the authorizer gives (none without DESCRIBE on the cluster)', async (t) => {
  const admin = await connectAsAdmin(t, broker);
  const client = await connectAs(t, broker, 'cluster-describer');
  const describe = () => client.request<DescribeClusterResponse>(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
  const before = await describe();
  t.is(before.errorCode, ErrorCode.NONE);
  t.is(before.clusterAuthorizedOperations, 0);
  await grant(admin, 'cluster-describer', [clusterAcl(Op.DESCRIBE), clusterAcl(Op.ALTER_CONFIGS)]);
  const after = await describe();
  // ALTER_CONFIGS implies DESCRIBE_CONFIGS.
  t.is(after.clusterAuthorizedOperations, (1 << Op.DESCRIBE) | (1 << Op.ALTER_CONFIGS) | (1 << Op.DESCRIBE_CONFIGS));
});

test('Metadata for all topics leaves out the ones the principal may not describe; authorized operations come from the ACLs', async (t) => {
  const admin = await connectAsAdmin(t, broker);
  await createTopic(admin, 'visible-topic');
  await createTopic(admin, 'hidden-topic');
  await grant(admin, 'metadata-reader', [topicAcl('visible-topic', Op.READ)]);
  const client = await connectAs(t, broker, 'metadata-reader');
  const all = await client.request<MetadataResponse>(ApiKey.Metadata, 10, {
    topics: null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: true,
    includeTopicAuthorizedOperations: true,
  });
  const names = all.topics.map((topic) => topic.name);
  t.true(names.includes('visible-topic'));
  t.false(names.includes('hidden-topic'));
  const visible = all.topics.find((topic) => topic.name === 'visible-topic')!;
  // READ implies DESCRIBE.
  t.is(visible.topicAuthorizedOperations, (1 << Op.READ) | (1 << Op.DESCRIBE));
  t.is(all.clusterAuthorizedOperations, 0);
  // Asked by name, a denied topic is an error that does not say whether it exists.
  const named = await client.metadata(['hidden-topic', 'no-such-topic']);
  t.deepEqual(
    named.topics.map((topic) => [topic.name, topic.errorCode, topic.topicId]),
    [
      ['hidden-topic', ErrorCode.TOPIC_AUTHORIZATION_FAILED, ZERO_UUID],
      ['no-such-topic', ErrorCode.TOPIC_AUTHORIZATION_FAILED, ZERO_UUID],
    ],
  );
});
