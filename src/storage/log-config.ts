// Per-partition log settings (the subset of Kafka topic configs the storage layer acts on itself).

export interface LogConfig {
  /** segment.bytes: roll to a new segment before a batch would make the active one larger than this. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment (non-empty) is older than this. */
  segmentMs: number;
  /** index.interval.bytes: bytes of log between two entries of the in-memory sparse index (default 4096). */
  indexIntervalBytes?: number;
}

export const DEFAULT_LOG_CONFIG: Readonly<Required<LogConfig>> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  indexIntervalBytes: 4096,
});

/** Fills in defaults for anything the caller left out and checks the ranges. */
export function resolveLogConfig(config: Partial<LogConfig>): Required<LogConfig> {
  const resolved: Required<LogConfig> = {
    segmentBytes: config.segmentBytes ?? DEFAULT_LOG_CONFIG.segmentBytes,
    segmentMs: config.segmentMs ?? DEFAULT_LOG_CONFIG.segmentMs,
    indexIntervalBytes: config.indexIntervalBytes ?? DEFAULT_LOG_CONFIG.indexIntervalBytes,
  };
  if (!(resolved.segmentBytes >= 14)) throw new RangeError(`segmentBytes must be >= 14, got ${resolved.segmentBytes}`);
  if (!(resolved.segmentMs >= 1)) throw new RangeError(`segmentMs must be >= 1, got ${resolved.segmentMs}`);
  if (!(resolved.indexIntervalBytes >= 0)) {
    throw new RangeError(`indexIntervalBytes must be >= 0, got ${resolved.indexIntervalBytes}`);
  }
  return resolved;
}
