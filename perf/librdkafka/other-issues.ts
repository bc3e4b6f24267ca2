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
