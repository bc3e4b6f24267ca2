// One topic: its partitions, its configs (view and edit), its messages, and deleting it.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ConfirmDelete, ErrorBanner, useLoad } from '../components/common.js';
import { ConfigEditor } from '../components/config-editor.js';
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
  return (
    <ConfigEditor
      resource={name}
      load={() => api.topicConfigs(name)}
      alter={(change) => api.alterTopicConfigs(name, change)}
      overrideSource="DYNAMIC_TOPIC_CONFIG"
      testId="configs-tab"
    />
  );
}
