// Overview: brokers, topics, partitions, under-replicated and offline partitions, disk usage, and live produce
// and fetch throughput.
import { api } from '../api.js';
import { Chart } from '../components/chart.js';
import { Card, ErrorBanner, useLoad } from '../components/common.js';
import { formatBytes, formatCount } from '../format.js';

export function OverviewPage() {
  const { data, error } = useLoad(() => api.overview(), [], 2000);
  if (data === null) return <div>{error === null ? 'Loading…' : <ErrorBanner error={error} />}</div>;
  const fs = data.disk.fileSystem;
  const h = data.throughput;
  return (
    <div data-testid="overview-page">
      <h2>Overview</h2>
      <ErrorBanner error={error} />
      <div class="cards">
        <Card label="Cluster id" value={<code>{data.clusterId ?? '-'}</code>} />
        <Card label="Brokers" value={data.brokers.length} testId="card-brokers" />
        <Card label="Topics" value={formatCount(data.topics)} testId="card-topics" />
        <Card label="Partitions" value={formatCount(data.partitions)} testId="card-partitions" />
        <Card label="Under-replicated" value={data.underReplicatedPartitions} warn={data.underReplicatedPartitions > 0} testId="card-under-replicated" />
        <Card label="Offline" value={data.offlinePartitions} warn={data.offlinePartitions > 0} testId="card-offline" />
        <Card label="Consumer groups" value={data.consumerGroups} testId="card-groups" />
        <Card
          label="Disk"
          testId="card-disk"
          value={
            <span>
              {formatBytes(data.disk.logBytes)} in logs
              {fs !== null && (
                <span class="muted small">
                  <br />
                  {formatBytes(fs.freeBytes)} free of {formatBytes(fs.totalBytes)}
                </span>
              )}
            </span>
          }
        />
      </div>
      <div class="charts">
        <Chart
          title="Bytes per second"
          testId="chart-bytes"
          t={h.t}
          format={(v) => `${formatBytes(Math.round(v))}/s`}
          series={[
            { label: 'produced', values: h.bytesIn, color: '#2f7ed8' },
            { label: 'fetched', values: h.bytesOut, color: '#d8612f' },
          ]}
        />
        <Chart
          title="Messages per second"
          testId="chart-messages"
          t={h.t}
          format={(v) => formatCount(Math.round(v))}
          series={[
            { label: 'produced', values: h.messagesIn, color: '#2f7ed8' },
            { label: 'fetched', values: h.messagesOut, color: '#d8612f' },
          ]}
        />
      </div>
      <h3>Brokers</h3>
      <table class="table">
        <thead>
          <tr>
            <th>Node</th>
            <th>Host</th>
            <th>Port</th>
            <th>Rack</th>
            <th>Role</th>
          </tr>
        </thead>
        <tbody>
          {data.brokers.map((b) => (
            <tr key={b.nodeId}>
              <td>
                <a href={`#/brokers/${b.nodeId}`}>{b.nodeId}</a>
              </td>
              <td>{b.host}</td>
              <td>{b.port}</td>
              <td>{b.rack ?? '-'}</td>
              <td>{b.nodeId === data.controllerId ? 'controller' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
