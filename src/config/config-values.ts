// Parsing and checking one config value the way Kafka's ConfigDef does: trimmed text of a type (int, long,
// boolean, double, string, list) and a validator (minimum, range, allowed strings). Values stay strings end
// to end: a long such as 9223372036854775807 is checked with BigInt and kept exact, never squeezed through a
// JavaScript number.
import { configError } from '../errors.js';

export type ConfigKind = 'int' | 'long' | 'bool' | 'string' | 'list' | 'double';

export interface ValueSpec {
  kind: ConfigKind;
  /** Smallest allowed value (int, long, double). */
  min?: number;
  /** Largest allowed value (double). */
  max?: number;
  /** Allowed strings; for a list, allowed elements. */
  allowed?: readonly string[];
  /** A value check of its own beyond the type: Kafka's throttled-replica lists and message format versions. */
  check?: 'throttled-replicas' | 'message-format-version';
}

/** Kafka's Long.MAX_VALUE, the "never" of its long configs. */
export const LONG_MAX = '9223372036854775807';

const INT_RANGE = { min: -(2n ** 31n), max: 2n ** 31n - 1n } as const;
const LONG_RANGE = { min: -(2n ** 63n), max: 2n ** 63n - 1n } as const;

/** The normalised text of a valid value, or a coded config error that names the key. */
export function validateConfigValue(key: string, value: string, spec: ValueSpec): string {
  const trimmed = value.trim();
  switch (spec.kind) {
    case 'bool': {
      const lower = trimmed.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw configError(`config "${key}" must be true or false, got "${value}"`);
      return lower;
    }
    case 'int':
    case 'long':
      return validateInteger(key, value, trimmed, spec);
    case 'double': {
      const n = Number(trimmed);
      if (trimmed === '' || !Number.isFinite(n)) throw configError(`config "${key}" must be a number, got "${value}"`);
      if (spec.min !== undefined && n < spec.min) throw configError(`config "${key}" must be at least ${spec.min}, got ${trimmed}`);
      if (spec.max !== undefined && n > spec.max) throw configError(`config "${key}" must be at most ${spec.max}, got ${trimmed}`);
      return javaDoubleText(n);
    }
    case 'string':
      if (spec.allowed && !spec.allowed.includes(trimmed)) {
        throw configError(`config "${key}" must be one of ${spec.allowed.join(', ')}, got "${value}"`);
      }
      if (spec.check === 'message-format-version' && !isMessageFormatVersion(trimmed)) {
        throw configError(`config "${key}" is not a known message format version: "${value}"`);
      }
      return trimmed;
    case 'list': {
      const items = listItems(trimmed);
      if (spec.allowed) {
        const bad = items.find((item) => !spec.allowed!.includes(item));
        if (bad !== undefined) throw configError(`config "${key}" may only list ${spec.allowed.join(', ')}, got "${value}"`);
      }
      if (spec.check === 'throttled-replicas' && !isThrottledReplicaList(items)) {
        throw configError(`config "${key}" must be "*" or a list of partitionId:brokerId, got "${value}"`);
      }
      return items.join(',');
    }
  }
}

/** The elements of a list value: comma-separated, blanks around commas dropped, "" is the empty list. */
export function listItems(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
}

function validateInteger(key: string, value: string, trimmed: string, spec: ValueSpec): string {
  if (!/^[+-]?\d+$/.test(trimmed)) throw configError(`config "${key}" must be an integer, got "${value}"`);
  const n = BigInt(trimmed);
  const range = spec.kind === 'int' ? INT_RANGE : LONG_RANGE;
  if (n < range.min || n > range.max) throw configError(`config "${key}" is out of range: "${value}"`);
  if (spec.min !== undefined && n < BigInt(spec.min)) throw configError(`config "${key}" must be at least ${spec.min}, got ${n}`);
  return n.toString();
}

/** A double as Java's Double.toString writes it (0.5, 1.0, 1.0E-4), the text Kafka describes. */
function javaDoubleText(n: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(n);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(n);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

function isThrottledReplicaList(items: readonly string[]): boolean {
  if (items.join('') === '*') return true;
  return items.every((item) => /^(\d+:\d+)?$/.test(item));
}

/**
 * Kafka's message format (inter-broker protocol) versions: a release ("2.8", "0.10.2") or a release with its
 * internal version ("3.0-IV1"); a longer dotted form ("3.0.1") counts as its release. Releases and their
 * internal versions as Kafka 3.7 knows them.
 */
const FORMAT_RELEASES: Readonly<Record<string, number>> = {
  '0.8.0': 0, '0.8.1': 0, '0.8.2': 0, '0.9.0': 0,
  '0.10.0': 2, '0.10.1': 3, '0.10.2': 1, '0.11.0': 3,
  '1.0': 1, '1.1': 1, '2.0': 2, '2.1': 3, '2.2': 2, '2.3': 2, '2.4': 2, '2.5': 1, '2.6': 1, '2.7': 3, '2.8': 2,
  '3.0': 2, '3.1': 1, '3.2': 1, '3.3': 4, '3.4': 1, '3.5': 3, '3.6': 3, '3.7': 5, '3.8': 1,
};
/** Releases with no production-ready version in Kafka 3.7: only their full "-IVn" names are accepted. */
const UNRELEASED = new Set(['3.8']);

function isMessageFormatVersion(text: string): boolean {
  const segments = text.split('.');
  const wanted = text.startsWith('0.') ? 3 : 2;
  const key = segments.length <= wanted ? text : segments.slice(0, wanted).join('.');
  if (Object.hasOwn(FORMAT_RELEASES, key) && !UNRELEASED.has(key)) return true;
  const match = /^(.+)-IV(\d+)$/.exec(key);
  if (!match) return false;
  const count = FORMAT_RELEASES[match[1]!];
  return count !== undefined && Number(match[2]) < count;
}
