// Topics: the list (virtualised, with search), and creating a topic.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { TopicList } from '../../../src/console/api-types.js';
import { api } from '../api.js';
import { ErrorBanner, useLoad } from '../components/common.js';
import { VirtualList } from '../components/virtual-list.js';
import { formatBytes, formatCount } from '../format.js';

export function TopicsPage() {
  const [internal, setInternal] = useState(false);
  const { data, error, reload } = useLoad<TopicList>(() => api.topics(internal), [internal]);
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const shown = useMemo(() => {
    const needle = search.toLowerCase();
    return (data?.topics ?? []).filter((t) => t.name.toLowerCase().includes(needle));
  }, [data, search]);
  useEffect(() => {
    // Lets the browser test (and anyone curious) see when the list first showed its rows.
    if (data !== null) requestAnimationFrame(() => performance.mark('spate-topics-rendered'));
  }, [data]);
  return (
    <div data-testid="topics-page">
      <div class="page-head">
        <h2>Topics</h2>
        <button class="primary" data-testid="create-topic-open" onClick={() => setCreating(true)}>
          Create topic
        </button>
      </div>
      <ErrorBanner error={error} />
      {creating && (
        <CreateTopic
          onDone={(name) => {
            setCreating(false);
            if (name !== null) location.hash = `#/topics/${encodeURIComponent(name)}`;
            else reload();
          }}
        />
      )}
      <div class="toolbar">
        <input type="search" placeholder="Search topics" data-testid="topic-search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        <label>
          <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.currentTarget.checked)} /> internal topics
        </label>
        <span class="muted" data-testid="topic-count">
          {data === null ? 'Loading…' : `${formatCount(shown.length)} of ${formatCount(data.topics.length)} topics`}
        </span>
      </div>
      <div class="grid-head topics-grid">
        <span>Name</span>
        <span class="num">Partitions</span>
        <span class="num">Replicas</span>
        <span class="num">Messages</span>
        <span class="num">Size</span>
      </div>
      <VirtualList
        count={shown.length}
        rowHeight={30}
        height={560}
        testId="topic-list"
        row={(i) => {
          const t = shown[i]!;
          return (
            <a class="grid-row topics-grid" href={`#/topics/${encodeURIComponent(t.name)}`} data-testid="topic-row" data-topic={t.name}>
              <span class="name">{t.name}</span>
              <span class="num">{t.partitions}</span>
              <span class="num">{t.replicationFactor}</span>
              <span class="num">{formatCount(t.messages)}</span>
              <span class="num">{formatBytes(t.sizeBytes)}</span>
            </a>
          );
        }}
      />
    </div>
  );
}

function CreateTopic({ onDone }: { onDone(name: string | null): void }) {
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('1');
  const [configs, setConfigs] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (): Promise<void> => {
    try {
      const parsed: Record<string, string> = {};
      for (const line of configs.split('\n').map((l) => l.trim()).filter((l) => l !== '')) {
        const at = line.indexOf('=');
        if (at <= 0) throw new Error(`config line "${line}" is not name=value`);
        parsed[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      }
      await api.createTopic({ name, partitions: Number(partitions), configs: parsed });
      onDone(name);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div class="modal-backdrop">
      <div class="modal" role="dialog" aria-label="Create topic" data-testid="create-topic-dialog">
        <h3>Create topic</h3>
        <ErrorBanner error={error} />
        <label class="field">
          Name <input data-testid="create-topic-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          Partitions <input data-testid="create-topic-partitions" type="number" min="1" value={partitions} onInput={(e) => setPartitions(e.currentTarget.value)} />
        </label>
        <label class="field">
          Configs (one name=value per line)
          <textarea data-testid="create-topic-configs" rows={3} value={configs} onInput={(e) => setConfigs(e.currentTarget.value)} placeholder="retention.ms=86400000" />
        </label>
        <div class="actions">
          <button onClick={() => onDone(null)}>Cancel</button>
          <button class="primary" data-testid="create-topic-submit" onClick={() => void submit()}>
            Create
          </button>
        </div>
      </div>
    </div>
  );
}
