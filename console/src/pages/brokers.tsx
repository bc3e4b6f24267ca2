// Brokers and each broker's configuration (DescribeConfigs: values and sources), with the dynamic properties
// editable (IncrementalAlterConfigs).
import { api } from '../api.js';
import { ErrorBanner, useLoad } from '../components/common.js';
import { ConfigEditor } from '../components/config-editor.js';

export function BrokersPage({ id }: { id: number | null }) {
  const overview = useLoad(() => api.overview(), []);
  const brokers = overview.data?.brokers ?? [];
  const chosen = id ?? brokers[0]?.nodeId ?? null;
  return (
    <div data-testid="brokers-page">
      <h2>Brokers</h2>
      <ErrorBanner error={overview.error} />
      <nav class="tabs">
        {brokers.map((b) => (
          <a key={b.nodeId} href={`#/brokers/${b.nodeId}`} class={b.nodeId === chosen ? 'active' : ''}>
            Broker {b.nodeId} ({b.host}:{b.port})
          </a>
        ))}
      </nav>
      <p class="muted small">Dynamic properties can be edited here; the rest come from the config file, environment or flags. ACLs and users come with authentication.</p>
      {chosen !== null && (
        <ConfigEditor
          resource={String(chosen)}
          load={() => api.brokerConfigs(chosen)}
          alter={(change) => api.alterBrokerConfigs(chosen, change)}
          overrideSource="DYNAMIC_BROKER_CONFIG"
          testId="broker-configs"
        />
      )}
    </div>
  );
}
