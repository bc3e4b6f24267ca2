// Who a test client is, as the broker's authorizer sees it. Every security test takes its clients' settings from
// `principal(name)` and its broker from `startAuthorizingBroker`, so the way a client proves who it is lives here
// only. Until SASL authenticates connections, that way is the broker's test hook `principalForTesting`: a client
// whose client id is `test-principal:<name>` is taken to be User:<name>. Once SASL/SCRAM is merged, `principal()`
// returns SASL credentials instead (and the broker creates them), and every test below then runs over SASL.
import type { KafkaPrincipal } from '../../src/network/principal.js';
import { STANDARD_AUTHORIZER_CLASS } from '../../src/security/authorizer.js';
import type { RunningBroker, StartBrokerOptions } from '../../src/index.js';
import { startTestBroker } from '../helpers/broker.js';

const CLIENT_ID_PREFIX = 'test-principal:';

/** The super user every authorizing test broker has: it creates the ACLs the tests grant. */
export const ADMIN = 'admin';

export interface TestPrincipal {
  /** "User:alice", as ACLs name it. */
  readonly principal: string;
  /** The client id a client must use (KafkaJS `clientId`, kcat/librdkafka `client.id`, kafka-python `client_id`). */
  readonly clientId: string;
  /** kcat flags that make it this principal. */
  readonly kcatArgs: readonly string[];
}

export function principal(name: string): TestPrincipal {
  const clientId = `${CLIENT_ID_PREFIX}${name}`;
  return { principal: `User:${name}`, clientId, kcatArgs: ['-X', `client.id=${clientId}`] };
}

/** The test hook's mapping from client id to principal (anything else stays User:ANONYMOUS). */
function principalOfClientId(clientId: string | null): KafkaPrincipal | null {
  if (clientId === null || !clientId.startsWith(CLIENT_ID_PREFIX)) return null;
  return { type: 'User', name: clientId.slice(CLIENT_ID_PREFIX.length) };
}

/** A test broker with the standard authorizer on and User:admin as its super user. */
export function startAuthorizingBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  return startTestBroker({
    ...options,
    principalForTesting: principalOfClientId,
    config: { 'authorizer.class.name': STANDARD_AUTHORIZER_CLASS, 'super.users': `User:${ADMIN}`, ...options.config },
  });
}

/** A test broker without an authorizer that still tells principals apart (for quotas per user). */
export function startIdentifyingBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  return startTestBroker({ ...options, principalForTesting: principalOfClientId });
}
