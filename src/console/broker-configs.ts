// Changing a broker's dynamic configs (IncrementalAlterConfigs on its BROKER resource, sent to that broker):
// Spate's Admin client alters topic configs only, so the console sends this one request itself.
import { ApiKey, type IncrementalAlterConfigsResponse } from '../protocol/generated/index.js';
import { KafkaResponseError, type Cluster } from '../client/index.js';

const BROKER_RESOURCE = 4;
const SET = 0;
const DELETE = 1;

export async function alterBrokerConfigs(cluster: Cluster, nodeId: number, change: { set: Record<string, string>; delete: readonly string[] }): Promise<void> {
  const connection = await cluster.connectionTo(nodeId);
  const response = await connection.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, connection.version(ApiKey.IncrementalAlterConfigs), {
    resources: [
      {
        resourceType: BROKER_RESOURCE,
        resourceName: String(nodeId),
        configs: [
          ...Object.entries(change.set).map(([name, value]) => ({ name, configOperation: SET, value })),
          ...change.delete.map((name) => ({ name, configOperation: DELETE, value: null })),
        ],
      },
    ],
    validateOnly: false,
  });
  for (const r of response.responses) {
    if (r.errorCode !== 0) throw new KafkaResponseError(r.errorCode, `altering configs of broker ${nodeId}`, r.errorMessage);
  }
}
