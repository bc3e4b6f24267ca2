// One topic: its partitions, its configs (view and edit), its messages, and deleting it.
import { useState } from 'preact/hooks';
import type { ConfigEntryView } from '../../../src/console/api-types.js';
import { api } from '../api.js';
import { ConfirmDelete, ErrorBanner, useLoad } from '../components/common.js';
import { formatBytes, formatCount } from '../format.js';
import { MessagesTab } from './messages.js';

export type TopicTab = 'messages' | 'partitions' | 'configs';

export function TopicPage({ name, tab }: { name: string; tab: TopicTab }) {
  const { data, error } = useLoad(() => api.topic(name), [name]);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const link = (t: TopicTab): string => `#/topics/${encodeURIComponent(name)}/${t}`;
  return (
    <div data-testid="topic-page">
      <div class="page-head">
        <h2>
          <a href="#/topics">Topics</a> / <span data-testid="topic-name">{name}</span>
        </h2>
        <button class="danger" data-testid="delete-topic" onClick={() => setDeleting(true)}>
          Delete topic
        </button>
      </div>
      <ErrorBanner error={error ?? deleteError} />
      {deleting && (
        <ConfirmDelete
          what="topic"
          name={name}
          onCancel={() => setDeleting(false)}
          onConfirm={() => {
            api.deleteTopic(name).then(
              () => {
                location.hash = '#/topics';
              },
              (e: unknown) => {
                setDeleting(false);
                setDeleteError(e);
              },
            );
          }}
        />
      )}
      <nav class="tabs">
        {(['messages', 'partitions', 'configs'] as const).map((t) => (
          <a key={t} href={link(t)} class={t === tab ? 'active' : ''} data-testid={`tab-${t}`}>
            {t[0]!.toUpperCase() + t.slice(1)}
          </a>
        ))}
      </nav>
      {tab === 'partitions' && data !== null && (
        <table class="table" data-testid="partitions-table">
          <thead>
            <tr>
              <th>Partition</th>
              <th>Leader</th>
              <th>Replicas</th>
              <th>In sync</th>
              <th class="num">Start offset</th>
              <th class="num">End offset</th>
              <th class="num">Messages</th>
              <th class="num">Size</th>
            </tr>
          </thead>
          <tbody>
            {data.partitions.map((p) => (
              <tr key={p.partition}>
                <td>{p.partition}</td>
                <td>{p.leader}</td>
                <td>{p.replicas.join(', ')}</td>
                <td class={p.isr.length < p.replicas.length ? 'warn' : ''}>{p.isr.join(', ')}</td>
                <td class="num">{formatCount(p.startOffset)}</td>
                <td class="num">{formatCount(p.endOffset)}</td>
                <td class="num">{formatCount(Math.max(0, p.endOffset - p.startOffset))}</td>
                <td class="num">{formatBytes(p.sizeBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {tab === 'configs' && <TopicConfigs name={name} />}
      {tab === 'messages' && data !== null && <MessagesTab topic={name} partitions={data.partitions.map((p) => p.partition)} />}
    </div>
  );
}

function TopicConfigs({ name }: { name: string }) {
  const { data, error, reload } = useLoad(() => api.topicConfigs(name), [name]);
  const [editing, setEditing] = useState<string | null>(null);
  const [value, setValue] = useState('');
  const [saveError, setSaveError] = useState<unknown>(null);
  const [search, setSearch] = useState('');
  const change = (change: { set?: Record<string, string>; delete?: string[] }): void => {
    api.alterTopicConfigs(name, change).then(
      () => {
        setEditing(null);
        setSaveError(null);
        reload();
      },
      (e: unknown) => setSaveError(e),
    );
  };
  const rows = (data?.configs ?? []).filter((c) => c.name.includes(search));
  return (
    <div data-testid="configs-tab">
      <ErrorBanner error={error ?? saveError} />
      <div class="toolbar">
        <input type="search" placeholder="Filter configs" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      </div>
      <ConfigTable
        rows={rows}
        action={(c) =>
          editing === c.name ? (
            <span class="inline-edit">
              <input data-testid="config-value" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
              <button class="primary" data-testid="config-save" onClick={() => change({ set: { [c.name]: value } })}>
                Save
              </button>
              <button onClick={() => setEditing(null)}>Cancel</button>
            </span>
          ) : c.readOnly ? null : (
            <span>
              <button
                data-testid={`config-edit-${c.name}`}
                onClick={() => {
                  setEditing(c.name);
                  setValue(c.value ?? '');
                }}
              >
                Edit
              </button>
              {c.source === 'DYNAMIC_TOPIC_CONFIG' && (
                <button data-testid={`config-reset-${c.name}`} onClick={() => change({ delete: [c.name] })}>
                  Reset to default
                </button>
              )}
            </span>
          )
        }
      />
    </div>
  );
}

export function ConfigTable({ rows, action }: { rows: ConfigEntryView[]; action?: (c: ConfigEntryView) => preact.ComponentChildren }) {
  return (
    <table class="table" data-testid="config-table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Value</th>
          <th>Source</th>
          {action !== undefined && <th />}
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr key={c.name} data-testid={`config-row-${c.name}`} class={c.isDefault ? 'muted' : ''}>
            <td>
              <code>{c.name}</code>
            </td>
            <td class="config-value">{c.isSensitive ? '(sensitive)' : (c.value ?? 'null')}</td>
            <td class="small">{c.source}</td>
            {action !== undefined && <td>{action(c)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
