// Options and results of `spate bench`, shared by the workloads, the process fan-out and the CLI.
import type { Acks, Compression } from '../client/index.js';
import type { LatencySummary } from './histogram.js';

export type Workload = 'produce' | 'consume' | 'e2e';
export type KeyMode = 'none' | 'random' | 'sequential';

export interface BenchOptions {
  bootstrap: string;
  topic: string;
  /** Create the topic with this many partitions when it is missing; undefined: it must exist (or is created with the broker's default). */
  partitions?: number;
  /** Messages to produce or consume (produce: default 1,000,000 unless a duration is given; consume: default everything up to the end offsets seen at start). */
  messages?: number;
  durationMs?: number;
  /** Value bytes per message. */
  size: number;
  /** Target bytes of records per batch (one batch per Produce request). */
  batchBytes: number;
  /** Rate mode: how long messages gather before their batch is sent. */
  lingerMs: number;
  acks: Acks;
  compression: Compression;
  /** Messages per second (rate mode); undefined: as fast as possible. */
  rate?: number;
  keys: KeyMode;
  /** Connections per broker. */
  connections: number;
  /** Requests in flight per connection. */
  inFlight: number;
  /** Hard limit on the whole run. */
  timeoutMs: number;
  /** Set in a forked child: its index and the number of children. */
  shard?: { index: number; count: number };
}

export interface BenchResult {
  workload: Workload;
  topic: string;
  messages: number;
  /** produce and e2e: value bytes; consume: record-batch bytes received. */
  bytes: number;
  seconds: number;
  msgsPerSec: number;
  mbPerSec: number;
  /** produce: request sent (rate mode: scheduled) to ack; consume: fetch round trip; e2e: produce time to consumer receipt. */
  latencyMs: LatencySummary;
  requests: number;
  processes: number;
  config: Record<string, unknown>;
}

/** Counters a running workload updates, read by the progress line. */
export class Progress {
  messages = 0;
  bytes = 0;
  requests = 0;
  readonly startedAt = performance.now();
}

/** What a workload hands back before the histogram is summarised (a child sends this to its parent). */
export interface RawResult {
  messages: number;
  bytes: number;
  seconds: number;
  requests: number;
  histogram: string;
}
