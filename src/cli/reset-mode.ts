// The flags of `spate groups reset-offsets` that choose the new offsets, with kafka-consumer-groups.sh's names:
// --to-earliest, --to-latest, --to-current, --to-offset N, --shift-by N, --to-datetime D, --by-duration P,
// and --to-timestamp MS (Spate's own, epoch ms). Exactly one must be given.
import type { ResetMode } from '../client/index.js';
import { usageError } from './exit-codes.js';

export interface ResetModeFlags {
  toEarliest: boolean;
  toLatest: boolean;
  toCurrent: boolean;
  toOffset?: number;
  shiftBy?: number;
  toDatetime?: string;
  byDuration?: string;
  toTimestamp?: number;
}

/** Kafka's --to-datetime: YYYY-MM-DDTHH:mm:SS[.sss][zone]; without a zone it is local time, as in Kafka. */
export function parseDatetime(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  const zone = m?.[2] === undefined ? '' : m[2] === 'Z' ? 'Z' : `${m[2].slice(0, 3)}:${m[2].slice(-2)}`;
  const ms = m === null ? NaN : Date.parse(`${m[1]}${zone}`);
  if (!Number.isFinite(ms)) throw usageError(`--to-datetime "${text}": expected YYYY-MM-DDTHH:mm:SS.sss, optionally with a zone (Z, +01:00)`);
  return ms;
}

/** Kafka's --by-duration: an ISO-8601 duration PnDTnHnMnS (seconds may have a fraction), in milliseconds. */
export function parseDuration(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (m === null || m.slice(1).every((g) => g === undefined) || /T$/i.test(text.trim())) {
    throw usageError(`--by-duration "${text}": expected an ISO-8601 duration PnDTnHnMnS, e.g. PT30M or P1DT12H`);
  }
  const [days, hours, minutes, seconds] = m.slice(1).map((g) => (g === undefined ? 0 : Number(g))) as [number, number, number, number];
  return Math.round((((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000);
}

/** `now` minus a --by-duration earlier than 1970 is the epoch: ListOffsets has no negative times. */
export function resetModeFrom(flags: ResetModeFlags, now: number = Date.now()): ResetMode {
  const chosen: Array<[string, () => ResetMode]> = [];
  if (flags.toEarliest) chosen.push(['--to-earliest', () => ({ kind: 'earliest' })]);
  if (flags.toLatest) chosen.push(['--to-latest', () => ({ kind: 'latest' })]);
  if (flags.toCurrent) chosen.push(['--to-current', () => ({ kind: 'current' })]);
  if (flags.toOffset !== undefined) chosen.push(['--to-offset', () => ({ kind: 'offset', offset: flags.toOffset! })]);
  if (flags.shiftBy !== undefined) chosen.push(['--shift-by', () => ({ kind: 'shift', by: flags.shiftBy! })]);
  if (flags.toDatetime !== undefined) chosen.push(['--to-datetime', () => ({ kind: 'timestamp', timestamp: parseDatetime(flags.toDatetime!) })]);
  if (flags.byDuration !== undefined) chosen.push(['--by-duration', () => ({ kind: 'timestamp', timestamp: Math.max(0, now - parseDuration(flags.byDuration!)) })]);
  if (flags.toTimestamp !== undefined) chosen.push(['--to-timestamp', () => ({ kind: 'timestamp', timestamp: flags.toTimestamp! })]);
  if (chosen.length !== 1) {
    throw usageError(
      `give exactly one of --to-earliest, --to-latest, --to-current, --to-offset N, --shift-by N, --to-datetime D, --by-duration P, --to-timestamp MS${chosen.length > 1 ? ` (got ${chosen.map(([f]) => f).join(', ')})` : ''}`,
    );
  }
  return chosen[0]![1]();
}
