// Starts the broker's authorizer (when `authorizer.class.name` names it) and client quotas from its properties,
// with their state in the data dir.
import type { Logger } from 'pino';
import { boolProperty, intProperty, type BrokerConfig } from '../config/broker-config.js';
import type { KafkaPrincipal } from '../network/principal.js';
import { FileAclStore } from '../security/acl-store.js';
import { StandardAuthorizer, STANDARD_AUTHORIZER_CLASS } from '../security/authorizer.js';
import { FileQuotaStore } from '../security/quota-store.js';
import { Quotas } from '../security/quotas.js';
import { RequestThrottle } from './request-throttle.js';

export interface SecurityTestHooks {
  /** See FrameDecoderOptions.principalForTesting: tests only, until SASL authenticates connections. */
  principalForTesting?: (clientId: string | null) => KafkaPrincipal | null;
}

export interface BrokerSecurity {
  authorizer: StandardAuthorizer | null;
  quotas: Quotas;
  throttle: RequestThrottle;
}

export async function startSecurity(config: BrokerConfig, log: Logger): Promise<BrokerSecurity> {
  let authorizer: StandardAuthorizer | null = null;
  if (config.properties['authorizer.class.name'] === STANDARD_AUTHORIZER_CLASS) {
    authorizer = await StandardAuthorizer.start(
      { superUsers: config.properties['super.users'], allowIfNoAcl: boolProperty(config, 'allow.everyone.if.no.acl.found') },
      new FileAclStore(config.dataDir),
    );
    log.info({ acls: authorizer.aclCount, superUsers: config.properties['super.users'] }, 'authorizer started');
  }
  const quotas = await Quotas.start(new FileQuotaStore(config.dataDir), {
    samples: intProperty(config, 'quota.window.num'),
    windowMs: intProperty(config, 'quota.window.size.seconds') * 1000,
  });
  return { authorizer, quotas, throttle: new RequestThrottle(quotas) };
}
