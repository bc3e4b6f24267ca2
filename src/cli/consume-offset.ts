// Where `spate consume` starts, as kcat's -o: beginning (earliest), end (latest), stored (the group's committed
// offset), N (an absolute offset), -N (N before the end of each partition), @T or s@T (the first message at or
// after epoch-ms T).
import { usageError } from './exit-codes.js';

export type OffsetChoice =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'stored' }
  | { kind: 'absolute'; offset: number }
  | { kind: 'fromEnd'; count: number }
  | { kind: 'timestamp'; timestamp: number };

export function parseOffsetChoice(value: string): OffsetChoice {
  const v = value.trim();
  if (v === 'beginning' || v === 'earliest') return { kind: 'beginning' };
  if (v === 'end' || v === 'latest') return { kind: 'end' };
  if (v === 'stored') return { kind: 'stored' };
  const at = /^s?@(\d+)$/.exec(v);
  if (at !== null) return { kind: 'timestamp', timestamp: Number(at[1]) };
  if (/^-\d+$/.test(v)) {
    const count = -Number(v);
    if (Number.isSafeInteger(count) && count > 0) return { kind: 'fromEnd', count };
  }
  if (/^\d+$/.test(v) && Number.isSafeInteger(Number(v))) return { kind: 'absolute', offset: Number(v) };
  throw usageError(`--offset "${value}": use beginning, end, stored, N, -N or @timestamp-ms`);
}
