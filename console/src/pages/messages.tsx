// The message browser: by partition, from an offset or a timestamp, oldest or newest first, live tail; keys,
// values and headers as text, JSON or hex; a substring filter or a JavaScript predicate run on the server; and
// producing a message. The list holds previews only; a selected message is fetched whole.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { MessagePage, MessageView } from '../../../src/console/api-types.js';
import { api, type BrowseParams } from '../api.js';
import { ErrorBanner } from '../components/common.js';
import { TextViewer } from '../components/text-viewer.js';
import { VirtualList } from '../components/virtual-list.js';
import { base64Bytes, formatBytes, formatTime, preview, type Decoding } from '../format.js';

type FromMode = 'start' | 'offset' | 'timestamp';

const TAIL_INTERVAL_MS = 1000;
/** Messages the live tail keeps on screen. */
const TAIL_KEEP = 2000;

export function MessagesTab({ topic, partitions }: { topic: string; partitions: number[] }) {
  const [partition, setPartition] = useState('all');
  const [order, setOrder] = useState<'oldest' | 'newest'>('newest');
  const [fromMode, setFromMode] = useState<FromMode>('start');
  const [fromValue, setFromValue] = useState('');
  const [limit, setLimit] = useState(50);
  const [filter, setFilter] = useState('');
  const [predicate, setPredicate] = useState('');
  const [decoding, setDecoding] = useState<Decoding>('text');
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [page, setPage] = useState<MessagePage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [tailing, setTailing] = useState(false);
  const [selected, setSelected] = useState<MessageView | null>(null);
  const [producing, setProducing] = useState(false);
  const tailCursors = useRef<Record<string, number> | null>(null);

  const params = (): BrowseParams => {
    let from = order === 'oldest' ? 'earliest' : 'latest';
    if (fromMode === 'offset') from = `offset:${fromValue.trim()}`;
    if (fromMode === 'timestamp') from = `timestamp:${new Date(fromValue).getTime()}`;
    return { partition, order, from, limit, filter, predicate };
  };

  const search = async (more: boolean): Promise<void> => {
    setLoading(true);
    try {
      const result = await api.browse(topic, more && page !== null ? { ...params(), offsets: page.cursors } : params());
      setPage(result);
      setMessages((previous) => (more ? [...previous, ...result.messages] : result.messages));
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void search(false);
  }, [topic]);

  useEffect(() => {
    if (!tailing) {
      tailCursors.current = null;
      return;
    }
    let live = true;
    const poll = async (): Promise<void> => {
      try {
        const result = await api.browse(topic, {
          ...params(),
          order: 'oldest',
          from: 'latest',
          limit: 500,
          ...(tailCursors.current !== null ? { offsets: tailCursors.current } : {}),
        });
        if (!live) return;
        tailCursors.current = result.cursors;
        if (result.messages.length > 0) setMessages((previous) => [...[...result.messages].reverse(), ...previous].slice(0, TAIL_KEEP));
        setError(null);
      } catch (e) {
        if (live) setError(e);
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), TAIL_INTERVAL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [tailing, topic, partition, filter, predicate]);

  return (
    <div data-testid="messages-tab">
      <div class="browse-form">
        <label>
          Partition
          <select data-testid="browse-partition" value={partition} onChange={(e) => setPartition(e.currentTarget.value)}>
            <option value="all">all</option>
            {partitions.map((p) => (
              <option key={p} value={String(p)}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Order
          <select data-testid="browse-order" value={order} onChange={(e) => setOrder(e.currentTarget.value as 'oldest' | 'newest')}>
            <option value="newest">newest first</option>
            <option value="oldest">oldest first</option>
          </select>
        </label>
        <label>
          From
          <select data-testid="browse-from" value={fromMode} onChange={(e) => setFromMode(e.currentTarget.value as FromMode)}>
            <option value="start">{order === 'oldest' ? 'the beginning' : 'the end'}</option>
            <option value="offset">offset</option>
            <option value="timestamp">timestamp</option>
          </select>
        </label>
        {fromMode !== 'start' && (
          <input
            data-testid="browse-from-value"
            type={fromMode === 'timestamp' ? 'datetime-local' : 'number'}
            step={fromMode === 'timestamp' ? '1' : undefined}
            value={fromValue}
            onInput={(e) => setFromValue(e.currentTarget.value)}
          />
        )}
        <label>
          Limit
          <input type="number" min="1" max="500" value={limit} data-testid="browse-limit" onInput={(e) => setLimit(Number(e.currentTarget.value) || 50)} />
        </label>
        <label>
          Show as
          <select data-testid="browse-decoding" value={decoding} onChange={(e) => setDecoding(e.currentTarget.value as Decoding)}>
            <option value="text">text</option>
            <option value="json">JSON</option>
            <option value="hex">hex</option>
          </select>
        </label>
      </div>
      <div class="browse-form">
        <input class="grow" type="search" data-testid="browse-filter" placeholder="Substring in key, value or headers" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <input
          class="grow mono"
          data-testid="browse-predicate"
          placeholder='JavaScript predicate, e.g. json?.amount > 100 && headers.type === "order"'
          value={predicate}
          onInput={(e) => setPredicate(e.currentTarget.value)}
        />
        <button class="primary" data-testid="browse-search" disabled={loading || tailing} onClick={() => void search(false)}>
          {loading ? 'Searching…' : 'Search'}
        </button>
        <label class="tail">
          <input type="checkbox" data-testid="browse-tail" checked={tailing} onChange={(e) => setTailing(e.currentTarget.checked)} /> Live tail
        </label>
        <button data-testid="produce-open" onClick={() => setProducing(!producing)}>
          Produce…
        </button>
      </div>
      {producing && <ProduceForm topic={topic} partitions={partitions} onProduced={() => void search(false)} />}
      <ErrorBanner error={error} />
      {page !== null && !tailing && (
        <div class="muted small" data-testid="scan-info">
          {messages.length} shown; scanned {page.scanned.records.toLocaleString('en-US')} records ({formatBytes(page.scanned.bytes)})
          {page.limitHit !== null && <strong> — stopped at the scan's {page.limitHit} limit</strong>}
          {page.predicateErrors > 0 && (
            <span class="warn">
              {' '}
              — the predicate threw on {page.predicateErrors} record(s): {page.firstPredicateError}
            </span>
          )}
        </div>
      )}
      {tailing && (
        <div class="muted small" data-testid="tail-info">
          Tailing: {messages.length} message(s) shown, newest first
        </div>
      )}
      <MessageList messages={messages} decoding={decoding} selected={selected} onSelect={setSelected} />
      {!tailing && page !== null && (
        <button data-testid="browse-more" disabled={loading} onClick={() => void search(true)}>
          Load more
        </button>
      )}
      {selected !== null && <MessageDetail topic={topic} message={selected} decoding={decoding} onDecoding={setDecoding} onClose={() => setSelected(null)} />}
    </div>
  );
}

function MessageList({ messages, decoding, selected, onSelect }: { messages: MessageView[]; decoding: Decoding; selected: MessageView | null; onSelect(m: MessageView): void }) {
  return (
    <div>
      <div class="grid-head messages-grid">
        <span>Partition</span>
        <span>Offset</span>
        <span>Timestamp</span>
        <span>Key</span>
        <span>Value</span>
      </div>
      <VirtualList
        count={messages.length}
        rowHeight={28}
        height={360}
        testId="message-list"
        row={(i) => {
          const m = messages[i]!;
          const active = selected !== null && selected.partition === m.partition && selected.offset === m.offset;
          return (
            <div class={`grid-row messages-grid ${active ? 'active' : ''}`} data-testid="message-row" data-offset={m.offset} data-partition={m.partition} onClick={() => onSelect(m)}>
              <span>{m.partition}</span>
              <span>{m.offset}</span>
              <span class="small">{formatTime(m.timestamp)}</span>
              <span class="mono ellipsis" data-testid="message-key">
                {preview(m.key, decoding === 'json' ? 'text' : decoding, 40)}
              </span>
              <span class="mono ellipsis" data-testid="message-value">
                {preview(m.value, decoding === 'json' ? 'text' : decoding)}
                {m.value !== null && m.value.truncated && <span class="muted small"> ({formatBytes(m.value.size)})</span>}
              </span>
            </div>
          );
        }}
      />
    </div>
  );
}

function MessageDetail({
  topic,
  message,
  decoding,
  onDecoding,
  onClose,
}: {
  topic: string;
  message: MessageView;
  decoding: Decoding;
  onDecoding(d: Decoding): void;
  onClose(): void;
}) {
  const [whole, setWhole] = useState<MessageView | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setWhole(null);
    api.message(topic, message.partition, message.offset).then(setWhole, setError);
  }, [topic, message.partition, message.offset]);
  const value = useMemo(() => (whole?.value ? base64Bytes(whole.value.base64) : null), [whole]);
  const key = useMemo(() => (whole?.key ? base64Bytes(whole.key.base64) : null), [whole]);
  return (
    <div class="detail" data-testid="message-detail">
      <div class="page-head">
        <h3>
          Partition {message.partition}, offset {message.offset}
        </h3>
        <span>
          <select data-testid="detail-decoding" value={decoding} onChange={(e) => onDecoding(e.currentTarget.value as Decoding)}>
            <option value="text">text</option>
            <option value="json">JSON</option>
            <option value="hex">hex</option>
          </select>
          <button onClick={onClose}>Close</button>
        </span>
      </div>
      <ErrorBanner error={error} />
      <div class="muted small">
        {formatTime(message.timestamp)} ({message.timestampType})
      </div>
      <h4>Key</h4>
      {whole === null ? '…' : key === null ? <span class="muted">null</span> : <TextViewer bytes={key} decoding={decoding} testId="detail-key" quiet />}
      <h4>Headers</h4>
      {message.headers.length === 0 ? (
        <span class="muted">none</span>
      ) : (
        <table class="table" data-testid="detail-headers">
          <tbody>
            {(whole ?? message).headers.map((h, i) => (
              <tr key={i}>
                <td>
                  <code>{h.key}</code>
                </td>
                <td class="mono">{preview(h.value, decoding === 'json' ? 'text' : decoding, 400)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Value</h4>
      {whole === null ? 'Loading…' : value === null ? <span class="muted">null</span> : <TextViewer bytes={value} decoding={decoding} testId="detail-value" />}
    </div>
  );
}

function ProduceForm({ topic, partitions, onProduced }: { topic: string; partitions: number[]; onProduced(): void }) {
  const [partition, setPartition] = useState('auto');
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [headers, setHeaders] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const send = async (): Promise<void> => {
    try {
      const parsedHeaders = headers
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .map((l) => {
          const at = l.indexOf('=');
          if (at <= 0) throw new Error(`header line "${l}" is not key=value`);
          return { key: l.slice(0, at), value: l.slice(at + 1) };
        });
      const r = await api.produce(topic, {
        key: key === '' ? null : key,
        value,
        headers: parsedHeaders,
        ...(partition !== 'auto' ? { partition: Number(partition) } : {}),
      });
      setResult(`Produced to partition ${r.partition} at offset ${r.offset}`);
      setError(null);
      onProduced();
    } catch (e) {
      setError(e);
      setResult(null);
    }
  };
  return (
    <div class="produce" data-testid="produce-form">
      <h3>Produce a message</h3>
      <ErrorBanner error={error} />
      <div class="browse-form">
        <label>
          Partition
          <select data-testid="produce-partition" value={partition} onChange={(e) => setPartition(e.currentTarget.value)}>
            <option value="auto">by key</option>
            {partitions.map((p) => (
              <option key={p} value={String(p)}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label class="grow">
          Key <input data-testid="produce-key" value={key} onInput={(e) => setKey(e.currentTarget.value)} placeholder="(null)" />
        </label>
      </div>
      <label class="field">
        Value
        <textarea data-testid="produce-value" rows={4} class="mono" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      </label>
      <label class="field">
        Headers (one key=value per line)
        <textarea data-testid="produce-headers" rows={2} class="mono" value={headers} onInput={(e) => setHeaders(e.currentTarget.value)} />
      </label>
      <button class="primary" data-testid="produce-send" onClick={() => void send()}>
        Produce
      </button>
      {result !== null && (
        <span class="ok" data-testid="produce-result">
          {' '}
          {result}
        </span>
      )}
    </div>
  );
}
