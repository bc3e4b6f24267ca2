// Consumer groups: the list with state and total lag; one group's members, assignments, lag per partition and
// lag over time; resetting its offsets with a preview; deleting it.
import { useMemo, useState } from 'preact/hooks';
import type { GroupDetail, ResetOffsetsResult, ResetTo } from '../../../src/console/api-types.js';
import { api } from '../api.js';
import { Chart } from '../components/chart.js';
import { ConfirmDelete, ErrorBanner, useLoad } from '../components/common.js';
import { formatCount } from '../format.js';

export function GroupsPage() {
  const { data, error } = useLoad(() => api.groups(), [], 5000);
  const [search, setSearch] = useState('');
  const shown = (data?.groups ?? []).filter((g) => g.groupId.toLowerCase().includes(search.toLowerCase()));
  return (
    <div data-testid="groups-page">
      <h2>Consumer groups</h2>
      <ErrorBanner error={error} />
      <div class="toolbar">
        <input type="search" placeholder="Search groups" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        <span class="muted">{data === null ? 'Loading…' : `${shown.length} group(s)`}</span>
      </div>
      <table class="table" data-testid="groups-table">
        <thead>
          <tr>
            <th>Group</th>
            <th>State</th>
            <th class="num">Members</th>
            <th class="num">Total lag</th>
            <th>Topics</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((g) => (
            <tr key={g.groupId} data-testid="group-row" data-group={g.groupId}>
              <td>
                <a href={`#/groups/${encodeURIComponent(g.groupId)}`}>{g.groupId}</a>
              </td>
              <td>
                <span class={`state state-${g.state}`}>{g.state}</span>
              </td>
              <td class="num">{g.members}</td>
              <td class="num" data-testid="group-lag">
                {g.totalLag === null ? '-' : formatCount(g.totalLag)}
              </td>
              <td>{g.topics.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const PALETTE = ['#2f7ed8', '#d8612f', '#2fa84f', '#a82fd8', '#d8b62f', '#2fc7d8', '#d82f6b', '#6b6b6b'];

export function GroupPage({ id }: { id: string }) {
  const { data, error, reload } = useLoad(() => api.group(id), [id], 3000);
  const [deleting, setDeleting] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  return (
    <div data-testid="group-page">
      <div class="page-head">
        <h2>
          <a href="#/groups">Consumer groups</a> / <span data-testid="group-name">{id}</span>
        </h2>
        <button class="danger" data-testid="delete-group" onClick={() => setDeleting(true)}>
          Delete group
        </button>
      </div>
      <ErrorBanner error={error ?? actionError} />
      {deleting && (
        <ConfirmDelete
          what="consumer group"
          name={id}
          onCancel={() => setDeleting(false)}
          onConfirm={() => {
            api.deleteGroup(id).then(
              () => {
                location.hash = '#/groups';
              },
              (e: unknown) => {
                setDeleting(false);
                setActionError(e);
              },
            );
          }}
        />
      )}
      {data !== null && <GroupBody group={data} onReset={reload} />}
    </div>
  );
}

function GroupBody({ group, onReset }: { group: GroupDetail; onReset(): void }) {
  const totalLag = group.lag.reduce((sum, r) => sum + (r.lag ?? 0), 0);
  const h = group.history;
  const series = useMemo(() => {
    const perPartition = Object.entries(h.partitions)
      .slice(0, PALETTE.length - 1)
      .map(([key, values], i) => ({ label: key, values, color: PALETTE[i + 1]! }));
    return [{ label: 'total', values: h.total, color: PALETTE[0]! }, ...perPartition];
  }, [h]);
  return (
    <div>
      <div class="cards">
        <div class="card">
          <div class="card-label">State</div>
          <div class="card-value" data-testid="group-state">
            {group.state}
          </div>
        </div>
        <div class="card">
          <div class="card-label">Protocol</div>
          <div class="card-value">
            {group.protocolType || '-'} / {group.protocol || '-'}
          </div>
        </div>
        <div class="card">
          <div class="card-label">Members</div>
          <div class="card-value">{group.members.length}</div>
        </div>
        <div class="card">
          <div class="card-label">Total lag</div>
          <div class="card-value" data-testid="group-total-lag">
            {formatCount(totalLag)}
          </div>
        </div>
      </div>
      <h3>Members</h3>
      {group.members.length === 0 ? (
        <p class="muted">No active members.</p>
      ) : (
        <table class="table" data-testid="members-table">
          <thead>
            <tr>
              <th>Member</th>
              <th>Client id</th>
              <th>Host</th>
              <th>Assignment</th>
            </tr>
          </thead>
          <tbody>
            {group.members.map((m) => (
              <tr key={m.memberId}>
                <td class="mono small">{m.memberId}</td>
                <td>{m.clientId}</td>
                <td>{m.clientHost}</td>
                <td>{m.assignment.map((a) => `${a.topic}: ${a.partitions.join(', ')}`).join('; ') || '-'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Lag</h3>
      <Chart title="Lag over time" testId="chart-lag" t={h.t} series={series} format={(v) => formatCount(Math.round(v))} />
      <table class="table" data-testid="lag-table">
        <thead>
          <tr>
            <th>Topic</th>
            <th>Partition</th>
            <th class="num">Committed</th>
            <th class="num">Log end</th>
            <th class="num">Lag</th>
            <th>Client</th>
          </tr>
        </thead>
        <tbody>
          {group.lag.map((r) => (
            <tr key={`${r.topic}/${r.partition}`} data-testid="lag-row" data-topic={r.topic} data-partition={r.partition}>
              <td>{r.topic}</td>
              <td>{r.partition}</td>
              <td class="num" data-testid="lag-committed">
                {r.committedOffset < 0 ? '-' : formatCount(r.committedOffset)}
              </td>
              <td class="num">{formatCount(r.logEndOffset)}</td>
              <td class="num" data-testid="lag-value">
                {r.lag === null ? '-' : formatCount(r.lag)}
              </td>
              <td>{r.clientId ?? '-'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ResetOffsets group={group} onReset={onReset} />
    </div>
  );
}

type Mode = 'earliest' | 'latest' | 'timestamp' | 'offset';

function ResetOffsets({ group, onReset }: { group: GroupDetail; onReset(): void }) {
  const topics = [...new Set(group.lag.map((r) => r.topic))].sort();
  const [topic, setTopic] = useState(topics[0] ?? '');
  const [mode, setMode] = useState<Mode>('earliest');
  const [value, setValue] = useState('');
  const [partitions, setPartitions] = useState('');
  const [plan, setPlan] = useState<ResetOffsetsResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [applied, setApplied] = useState(false);
  const target = (): ResetTo => {
    if (mode === 'timestamp') return { timestamp: new Date(value).getTime() };
    if (mode === 'offset') return { offset: Number(value) };
    return mode;
  };
  const run = async (dryRun: boolean): Promise<void> => {
    try {
      const list = partitions
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '')
        .map(Number);
      const result = await api.resetOffsets(group.groupId, { topic, to: target(), dryRun, ...(list.length > 0 ? { partitions: list } : {}) });
      setPlan(result);
      setApplied(!dryRun);
      setError(null);
      if (!dryRun) onReset();
    } catch (e) {
      setError(e);
    }
  };
  const change = (f: () => void): void => {
    f();
    setPlan(null);
    setApplied(false);
  };
  return (
    <div class="reset" data-testid="reset-form">
      <h3>Reset offsets</h3>
      <p class="muted small">The group must have no active members. Preview first; nothing is committed until you apply.</p>
      <ErrorBanner error={error} />
      <div class="browse-form">
        <label>
          Topic
          <input data-testid="reset-topic" list="reset-topics" value={topic} onInput={(e) => change(() => setTopic(e.currentTarget.value))} />
          <datalist id="reset-topics">
            {topics.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label>
          To
          <select data-testid="reset-mode" value={mode} onChange={(e) => change(() => setMode(e.currentTarget.value as Mode))}>
            <option value="earliest">earliest</option>
            <option value="latest">latest</option>
            <option value="timestamp">timestamp</option>
            <option value="offset">offset</option>
          </select>
        </label>
        {(mode === 'timestamp' || mode === 'offset') && (
          <input
            data-testid="reset-value"
            type={mode === 'timestamp' ? 'datetime-local' : 'number'}
            step={mode === 'timestamp' ? '1' : undefined}
            value={value}
            onInput={(e) => change(() => setValue(e.currentTarget.value))}
          />
        )}
        <label>
          Partitions
          <input data-testid="reset-partitions" placeholder="all" value={partitions} onInput={(e) => change(() => setPartitions(e.currentTarget.value))} />
        </label>
        <button data-testid="reset-preview" onClick={() => void run(true)}>
          Preview
        </button>
        <button class="primary" data-testid="reset-apply" disabled={plan === null || !plan.dryRun} onClick={() => void run(false)}>
          Apply
        </button>
      </div>
      {plan !== null && (
        <div>
          <p data-testid="reset-status" class={applied ? 'ok' : ''}>
            {applied ? 'Applied: the offsets below are committed.' : 'Preview: nothing committed yet.'}
          </p>
          <table class="table" data-testid="reset-plan">
            <thead>
              <tr>
                <th>Topic</th>
                <th>Partition</th>
                <th class="num">Current</th>
                <th class="num">New</th>
              </tr>
            </thead>
            <tbody>
              {plan.resets.map((r) => (
                <tr key={r.partition} data-testid="reset-row" data-partition={r.partition}>
                  <td>{r.topic}</td>
                  <td>{r.partition}</td>
                  <td class="num">{r.previousOffset < 0 ? '-' : formatCount(r.previousOffset)}</td>
                  <td class="num" data-testid="reset-new">
                    {formatCount(r.newOffset)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
