// AlterClientQuotas and DescribeClientQuotas: through @platformatic/kafka's admin client (users, client ids, both,
// defaults; every match type; strict), Kafka's refusals over raw frames, validateOnly, removal, and the quotas
// surviving a restart (spate-client-quotas.json). Which quota applies to a connection follows Kafka's precedence.
import test from 'ava';
import { Admin, ClientQuotaEntityTypes, ClientQuotaKeys, ClientQuotaMatchTypes } from '@platformatic/kafka';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey, type AlterClientQuotasResponse, type DescribeClientQuotasResponse } from '../../src/protocol/generated/index.js';
import { ClientQuotas, QuotaKey, type QuotaAlteration } from '../../src/security/client-quotas.js';
import { startTestBroker, temporaryDir } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

type Entity = Array<{ entityType: string; entityName?: string | null }>;

function entries(described: Array<{ entity: Entity; values: Array<{ key: string; value: number }> }>): string[] {
  return described
    .flatMap((e) => e.values.map((v) => `${e.entity.map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`).sort().join(',')} ${v.key}=${v.value}`))
    .sort();
}

test('@platformatic/kafka sets and describes quotas of users, client ids, both and the defaults, with every match type', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const admin = new Admin({ clientId: 'quota-admin', bootstrapBrokers: [broker.bootstrap], retries: 0 });
  t.teardown(() => admin.close());
  const { USER, CLIENT_ID } = ClientQuotaEntityTypes;
  await admin.alterClientQuotas({
    entries: [
      { entities: [{ entityType: USER, entityName: 'alice' }], ops: [{ key: ClientQuotaKeys.PRODUCER_BYTE_RATE, value: 1048576, remove: false }] },
      { entities: [{ entityType: USER, entityName: null }], ops: [{ key: ClientQuotaKeys.CONSUMER_BYTE_RATE, value: 2097152, remove: false }] },
      { entities: [{ entityType: CLIENT_ID, entityName: 'app' }], ops: [{ key: ClientQuotaKeys.REQUEST_PERCENTAGE, value: 25.5, remove: false }] },
      {
        entities: [
          { entityType: USER, entityName: 'alice' },
          { entityType: CLIENT_ID, entityName: 'app' },
        ],
        ops: [{ key: ClientQuotaKeys.PRODUCER_BYTE_RATE, value: 4096, remove: false }],
      },
    ],
  });
  const describe = async (components: Parameters<typeof admin.describeClientQuotas>[0]['components'], strict = false) =>
    entries(await admin.describeClientQuotas({ components, strict }));
  t.deepEqual(await describe([]), ['client-id=app request_percentage=25.5', 'client-id=app,user=alice producer_byte_rate=4096', 'user=<default> consumer_byte_rate=2097152', 'user=alice producer_byte_rate=1048576']);
  t.deepEqual(await describe([{ entityType: USER, matchType: ClientQuotaMatchTypes.EXACT, match: 'alice' }]), [
    'client-id=app,user=alice producer_byte_rate=4096',
    'user=alice producer_byte_rate=1048576',
  ]);
  t.deepEqual(await describe([{ entityType: USER, matchType: ClientQuotaMatchTypes.EXACT, match: 'alice' }], true), ['user=alice producer_byte_rate=1048576']);
  t.deepEqual(await describe([{ entityType: USER, matchType: ClientQuotaMatchTypes.DEFAULT }]), ['user=<default> consumer_byte_rate=2097152']);
  t.deepEqual(await describe([{ entityType: CLIENT_ID, matchType: ClientQuotaMatchTypes.ANY }]), ['client-id=app request_percentage=25.5', 'client-id=app,user=alice producer_byte_rate=4096']);

  await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: USER, entityName: 'alice' }], ops: [{ key: ClientQuotaKeys.PRODUCER_BYTE_RATE, remove: true }] }] });
  t.deepEqual(await describe([{ entityType: USER, matchType: ClientQuotaMatchTypes.EXACT, match: 'alice' }], true), []);
});

test('AlterClientQuotas refuses what Kafka refuses, entity by entity, and validateOnly changes nothing', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const raw = await RawClient.connect(broker.port, broker.host);
  t.teardown(() => raw.close());
  const alter = async (entries: Array<{ entity: Entity; ops: Array<{ key: string; value: number; remove: boolean }> }>, validateOnly = false) =>
    (await raw.request<AlterClientQuotasResponse>(ApiKey.AlterClientQuotas, 1, { entries, validateOnly })).entries.map((e) => [e.errorCode, e.errorMessage]);
  const set = (key: string, value: number) => [{ key, value, remove: false }];
  const refused: Array<[Entity, Array<{ key: string; value: number; remove: boolean }>, RegExp]> = [
    [[], set('producer_byte_rate', 1), /Invalid empty client quota entity/],
    [[{ entityType: 'user', entityName: 'a' }], set('fetch_rate', 1), /Invalid configuration key fetch_rate/],
    [[{ entityType: 'user', entityName: 'a' }], set('producer_byte_rate', 0), /must be greater than 0/],
    [[{ entityType: 'user', entityName: 'a' }], set('producer_byte_rate', 1.5), /cannot be a fractional value/],
    [[{ entityType: 'user', entityName: '' }], set('producer_byte_rate', 1), /Empty user not supported/],
    [[{ entityType: 'group', entityName: 'g' }], set('producer_byte_rate', 1), /Unhandled client quota entity type: group/],
    [[{ entityType: 'ip', entityName: '10.0.0.1' }], set('connection_creation_rate', 1), /not supported by Spate/],
    [
      [
        { entityType: 'user', entityName: 'a' },
        { entityType: 'user', entityName: 'b' },
      ],
      set('producer_byte_rate', 1),
      /duplicate entity entry user/,
    ],
    [[{ entityType: 'user', entityName: 'a' }], [...set('producer_byte_rate', 1), ...set('producer_byte_rate', 2)], /Duplicate quota key producer_byte_rate/],
  ];
  for (const [entity, ops, reason] of refused) {
    const [[code, message]] = (await alter([{ entity, ops }])) as [[number, string]];
    t.is(code, ErrorCode.INVALID_REQUEST, JSON.stringify({ entity, ops }));
    t.regex(message, reason);
  }
  // One entity named twice: both refused; others in the same request still apply.
  const results = await alter([
    { entity: [{ entityType: 'client-id', entityName: 'twice' }], ops: set('request_percentage', 10) },
    { entity: [{ entityType: 'client-id', entityName: 'twice' }], ops: set('request_percentage', 20) },
    { entity: [{ entityType: 'client-id', entityName: 'once' }], ops: set('request_percentage', 30) },
  ]);
  t.deepEqual(results.map(([code]) => code), [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.NONE]);
  t.deepEqual(await alter([{ entity: [{ entityType: 'client-id', entityName: 'dry-run' }], ops: set('request_percentage', 40) }], true), [[ErrorCode.NONE, null]]);
  const described = await raw.request<DescribeClientQuotasResponse>(ApiKey.DescribeClientQuotas, 1, { components: [], strict: false });
  t.deepEqual(entries(described.entries ?? []), ['client-id=once request_percentage=30']);
  const badFilter = await raw.request<DescribeClientQuotasResponse>(ApiKey.DescribeClientQuotas, 1, {
    components: [{ entityType: 'user', matchType: 0, match: null }],
    strict: false,
  });
  t.is(badFilter.errorCode, ErrorCode.INVALID_REQUEST);
  t.regex(badFilter.errorMessage ?? '', /MATCH_TYPE_EXACT, but set match string to null/);
});

test('client quotas survive a restart', async (t) => {
  const dir = temporaryDir();
  t.teardown(() => dir.remove());
  const first = await startTestBroker({ dataDir: dir.path });
  const raw = await RawClient.connect(first.port, first.host);
  const set = await raw.request<AlterClientQuotasResponse>(ApiKey.AlterClientQuotas, 1, {
    entries: [{ entity: [{ entityType: 'user', entityName: null }, { entityType: 'client-id', entityName: 'kept' }], ops: [{ key: 'consumer_byte_rate', value: 5000, remove: false }] }],
    validateOnly: false,
  });
  t.is(set.entries[0]!.errorCode, ErrorCode.NONE);
  await raw.close();
  await first.close();
  const second = await startTestBroker({ dataDir: dir.path });
  t.teardown(() => second.close());
  const again = await RawClient.connect(second.port, second.host);
  t.teardown(() => again.close());
  const described = await again.request<DescribeClientQuotasResponse>(ApiKey.DescribeClientQuotas, 0, { components: [], strict: false });
  t.deepEqual(entries(described.entries ?? []), ['client-id=kept,user=<default> consumer_byte_rate=5000']);
});

test("the quota that applies is the most specific one, in Kafka's order", (t) => {
  const quotas = new ClientQuotas();
  const alterations: QuotaAlteration[] = [
    { entity: [{ entityType: 'client-id', entityName: null }], ops: [{ key: 'producer_byte_rate', value: 8, remove: false }] },
    { entity: [{ entityType: 'client-id', entityName: 'app' }], ops: [{ key: 'producer_byte_rate', value: 7, remove: false }] },
    { entity: [{ entityType: 'user', entityName: null }], ops: [{ key: 'producer_byte_rate', value: 6, remove: false }] },
    { entity: [{ entityType: 'user', entityName: null }, { entityType: 'client-id', entityName: null }], ops: [{ key: 'producer_byte_rate', value: 5, remove: false }] },
    { entity: [{ entityType: 'user', entityName: null }, { entityType: 'client-id', entityName: 'app' }], ops: [{ key: 'producer_byte_rate', value: 4, remove: false }] },
    { entity: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', value: 3, remove: false }] },
    { entity: [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: null }], ops: [{ key: 'producer_byte_rate', value: 2, remove: false }] },
    { entity: [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: 'app' }], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] },
  ];
  const applied = (user: string, clientId: string) => quotas.limit(QuotaKey.PRODUCER_BYTE_RATE, quotas.metricTags(QuotaKey.PRODUCER_BYTE_RATE, user, clientId));
  // Added from the least specific up; each addition takes over where it is more specific.
  const expected = [8, 7, 6, 5, 4, 3, 2, 1];
  alterations.forEach((alteration, i) => {
    const { outcomes, next } = quotas.prepare([alteration]);
    t.deepEqual(outcomes, [null]);
    quotas.commit(next);
    t.is(applied('alice', 'app'), expected[i], `after adding ${JSON.stringify(alteration.entity)}`);
  });
  t.is(applied('bob', 'other'), 5, 'bob: default user + default client id');
  t.is(applied('bob', 'app'), 4, 'bob with app: default user + client id app');
});
