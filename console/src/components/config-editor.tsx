// A config table (name, value, source) with editing of the writable entries: set a value, or drop an
// override so the default applies again. Used for topic configs and a broker's dynamic configs.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { AlterConfigsRequest, ConfigEntryView, ConfigList } from '../../../src/console/api-types.js';
import { ErrorBanner, useLoad } from './common.js';

export function ConfigTable({ rows, action }: { rows: ConfigEntryView[]; action?: (c: ConfigEntryView) => ComponentChildren }) {
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

export interface ConfigEditorProps {
  /** Reloads when it changes. */
  resource: string;
  load(): Promise<ConfigList>;
  alter(change: AlterConfigsRequest): Promise<ConfigList>;
  /** The source of an override that "Reset to default" removes (DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG). */
  overrideSource: string;
  testId: string;
}

export function ConfigEditor({ resource, load, alter, overrideSource, testId }: ConfigEditorProps) {
  const { data, error, reload } = useLoad(load, [resource]);
  const [editing, setEditing] = useState<string | null>(null);
  const [value, setValue] = useState('');
  const [saveError, setSaveError] = useState<unknown>(null);
  const [search, setSearch] = useState('');
  const change = (request: AlterConfigsRequest): void => {
    alter(request).then(
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
    <div data-testid={testId}>
      <ErrorBanner error={error ?? saveError} />
      <div class="toolbar">
        <input type="search" data-testid="config-search" placeholder="Filter configs" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
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
              {c.source === overrideSource && (
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
