// What request handlers may use. Handlers get this instead of the Broker so their dependencies stay visible.
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import type { DynamicBrokerConfig } from '../config/dynamic-broker-config.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { PartitionWorkerPool } from '../partition/partition-workers.js';
import type { StandardAuthorizer } from '../security/authorizer.js';
import type { Quotas } from '../security/quotas.js';
import type { RequestThrottle } from './request-throttle.js';
import type { TopicAdmin } from './topic-admin.js';
import type { TopicRegistry } from './topic-registry.js';

export interface BrokerContext {
  readonly config: BrokerConfig;
  /** Broker properties changed at run time (AlterConfigs on a BROKER resource), persisted in the data dir. */
  readonly dynamicConfig: DynamicBrokerConfig;
  readonly log: Logger;
  readonly registry: TopicRegistry;
  readonly workers: PartitionWorkerPool;
  readonly admin: TopicAdmin;
  readonly nodeId: number;
  /** Host and port clients are told to connect to (Metadata, FindCoordinator, DescribeCluster). */
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  /** Traffic metrics (a no-op recorder when the metrics endpoint is off). */
  readonly metrics: MetricsRecorder;
  /** The ACL authorizer; null when `authorizer.class.name` is empty (everything is allowed, nothing is checked). */
  readonly authorizer: StandardAuthorizer | null;
  /** Client quotas (AlterClientQuotas, DescribeClientQuotas) and their enforcement. */
  readonly quotas: Quotas;
  readonly throttle: RequestThrottle;
  /** Set when the broker starts shutting down: long-poll fetches answer with what they have instead of waiting. */
  shuttingDown: boolean;
}
