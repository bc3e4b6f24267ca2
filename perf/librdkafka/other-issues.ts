// Tests of librdkafka's suite that need a feature another open Spate issue is about. They are run like every other
// test, but listed with that issue and never counted as passing or failing for this one.
export interface OtherIssue {
  issue: number;
  why: string;
}

const IDEMPOTENCE = 11;
const REPLICATION = 12;
const SECURITY = 13;

export const OTHER_ISSUES: Readonly<Record<string, OtherIssue>> = {
  '0090_idempotence': { issue: IDEMPOTENCE, why: 'idempotent producer (InitProducerId, sequence numbers)' },
  '0094_idempotence_msg_timeout': { issue: IDEMPOTENCE, why: 'idempotent producer' },
  '0098_consumer_txn': { issue: IDEMPOTENCE, why: 'transactions (and a Java producer), replication factor 3' },
  '0103_transactions': { issue: IDEMPOTENCE, why: 'transactions' },
  '0129_fetch_aborted_msgs': { issue: IDEMPOTENCE, why: 'transactions (aborted batches)' },
  '0101_fetch_from_follower': { issue: REPLICATION, why: 'followers: replication factor 3, fetch from a follower' },
  '0107_topic_recreate': { issue: REPLICATION, why: 'creates its topic with replication factor 3' },
  '0111_delay_create_topics': { issue: REPLICATION, why: 'creates its topic with replication factor 3' },
  '0097_ssl_verify': { issue: SECURITY, why: 'SSL listener and certificates' },
  '0115_producer_auth': { issue: SECURITY, why: 'ACLs (kafka-acls.sh)' },
  '0119_consumer_auth': { issue: SECURITY, why: 'ACLs (kafka-acls.sh)' },
  '0126_oauthbearer_oidc': { issue: SECURITY, why: 'SASL/OAUTHBEARER with an OIDC token endpoint' },
  '0135_sasl_credentials': { issue: SECURITY, why: 'SASL credentials' },
  '0142_reauthentication': { issue: SECURITY, why: 'SASL re-authentication' },
};

/** A test of this suite that fails first in a sub-test of another issue: the client names the missing feature. */
const MISSING_FEATURES: ReadonlyArray<{ pattern: RegExp; issue: OtherIssue }> = [
  { pattern: /Idempotent producer not supported/, issue: { issue: IDEMPOTENCE, why: 'fails first in a sub-test that needs the idempotent producer' } },
  { pattern: /Transactions not supported/, issue: { issue: IDEMPOTENCE, why: 'fails first in a sub-test that needs transactions' } },
  { pattern: /ACLs Admin API|kafka-acls\.sh/, issue: { issue: SECURITY, why: 'fails first in a sub-test that needs ACLs' } },
];

export function otherIssueOf(outcome: { name: string; state: string; reason: string }): OtherIssue | undefined {
  const listed = OTHER_ISSUES[outcome.name];
  if (listed || outcome.state === 'PASSED') return listed;
  return MISSING_FEATURES.find((m) => m.pattern.test(outcome.reason))?.issue;
}
