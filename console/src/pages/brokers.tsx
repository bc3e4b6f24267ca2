// Brokers and each broker's configuration (DescribeConfigs: value and where it comes from).
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBanner, useLoad } from '../components/common.js';
import { ConfigTable } from './topic.js';

export function BrokersPage({ id }: { id: number | null }) {
  const overview = useLoad(() => api.overview(), []);
  const brokers = overview.data?.brokers ?? [];
  const chosen = id ?? brokers[0]?.nodeId ?? null;
  const configs = useLoad(() => (chosen === null ? Promise.resolve(null) : api.brokerConfigs(chosen)), [chosen]);
  const [search, setSearch] = useState('');
  return (
    <div data-testid="brokers-page">
      <h2>Brokers</h2>
      <ErrorBanner error={overview.error ?? configs.error} />
      <nav class="tabs">
        {brokers.map((b) => (
          <a key={b.nodeId} href={`#/brokers/${b.nodeId}`} class={b.nodeId === chosen ? 'active' : ''}>
            Broker {b.nodeId} ({b.host}:{b.port})
          </a>
        ))}
      </nav>
      <div class="toolbar">
        <input type="search" data-testid="broker-config-search" placeholder="Filter configs" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        <span class="muted small">Dynamic properties can be changed with AlterConfigs (e.g. kafka-configs.sh); ACLs and users come with authentication.</span>
      </div>
      {configs.data !== null && <ConfigTable rows={configs.data.configs.filter((c) => c.name.includes(search))} />}
    </div>
  );
}
