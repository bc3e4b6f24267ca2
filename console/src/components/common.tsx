// Small shared pieces: an error banner, a confirmation dialog that asks for the name being deleted, page loading.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function ErrorBanner({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  return (
    <div class="error" role="alert" data-testid="error">
      {code !== '' && <strong>{code}: </strong>}
      {message}
    </div>
  );
}

/** Loads `load()` when the dependencies change and every `refreshMs` (if given). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], refreshMs?: number): { data: T | null; error: unknown; reload(): void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(null);
      },
      (e: unknown) => {
        if (live) setError(e);
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  useEffect(() => {
    if (refreshMs === undefined) return;
    const timer = setInterval(() => setTick((t) => t + 1), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

export function ConfirmDelete({ what, name, onConfirm, onCancel }: { what: string; name: string; onConfirm(): void; onCancel(): void }) {
  const [typed, setTyped] = useState('');
  return (
    <div class="modal-backdrop">
      <div class="modal" role="dialog" aria-label={`Delete ${what}`} data-testid="confirm-dialog">
        <h3>
          Delete {what} <code>{name}</code>?
        </h3>
        <p>This cannot be undone. Type the name to confirm.</p>
        <input data-testid="confirm-input" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} placeholder={name} />
        <div class="actions">
          <button onClick={onCancel}>Cancel</button>
          <button class="danger" data-testid="confirm-delete" disabled={typed !== name} onClick={onConfirm}>
            Delete
          </button>
        </div>
      </div>
    </div>
  );
}

export function Card({ label, value, testId, warn }: { label: string; value: ComponentChildren; testId?: string; warn?: boolean }) {
  return (
    <div class={`card ${warn === true ? 'warn' : ''}`} data-testid={testId}>
      <div class="card-label">{label}</div>
      <div class="card-value">{value}</div>
    </div>
  );
}
