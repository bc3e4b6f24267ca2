// What the console's route modules share: the client connection to the broker's Kafka port, the broker view
// and the samplers.
import type { Admin, Cluster } from '../client/index.js';
import type { ConsoleBrokerView } from './broker-view.js';
import type { LagSampler } from './lag-history.js';
import type { ThroughputSampler } from './throughput-history.js';

export interface ConsoleDeps {
  cluster(): Promise<Cluster>;
  admin(): Promise<Admin>;
  view: ConsoleBrokerView;
  throughput: ThroughputSampler;
  lag: LagSampler;
}
