// The console's JSON API, as seen by its clients (the bundled web UI and scripts). Types only: the UI imports
// this file too, so it must stay free of Node.js types. The README's Console section documents the routes.

export interface ApiErrorBody {
  error: {
    /** A Kafka error name (UNKNOWN_TOPIC_OR_PARTITION, ...) or one of the console's own (INVALID_REQUEST, ...). */
    code: string;
    message: string;
    /** Set when the broker answered with a Kafka error code. */
    kafkaErrorCode?: number;
  };
}

/** One point per sample: `t` in epoch ms, rates per second over the interval before it. */
export interface ThroughputHistory {
  intervalMs: number;
  t: number[];
  bytesIn: number[];
  bytesOut: number[];
  messagesIn: number[];
  messagesOut: number[];
}

export interface BrokerSummary {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface Overview {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerSummary[];
  topics: number;
  internalTopics: number;
  partitions: number;
  /** Partitions whose in-sync replicas are fewer than their replicas. */
  underReplicatedPartitions: number;
  /** Partitions without a leader. */
  offlinePartitions: number;
  consumerGroups: number;
  disk: {
    /** Bytes of every partition log (segments), internal topics included. */
    logBytes: number;
    dataDir: string;
    /** The data dir's file system; null when it could not be read. */
    fileSystem: { totalBytes: number; freeBytes: number } | null;
  };
  throughput: ThroughputHistory;
}

export interface TopicSummary {
  name: string;
  internal: boolean;
  partitions: number;
  replicationFactor: number;
  /** Sum over partitions of log end - log start. */
  messages: number;
  sizeBytes: number;
}

export interface TopicList {
  topics: TopicSummary[];
}

export interface PartitionDetail {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  startOffset: number;
  endOffset: number;
  sizeBytes: number;
}

export interface TopicDetail {
  name: string;
  topicId: string;
  internal: boolean;
  partitions: PartitionDetail[];
}

export interface ConfigEntryView {
  name: string;
  value: string | null;
  source: string;
  readOnly: boolean;
  isDefault: boolean;
  isSensitive: boolean;
}

export interface ConfigList {
  configs: ConfigEntryView[];
}

export interface CreateTopicRequest {
  name: string;
  /** Default: the broker's num.partitions. */
  partitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface AlterConfigsRequest {
  set?: Record<string, string>;
  delete?: string[];
}

/** A key, value or header value: its size and its first bytes (base64), `truncated` when that is not all. */
export interface EncodedBytes {
  size: number;
  base64: string;
  truncated: boolean;
}

export interface MessageView {
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  /** null: a null key or value. */
  key: EncodedBytes | null;
  value: EncodedBytes | null;
  headers: Array<{ key: string; value: EncodedBytes | null }>;
}

export type ScanLimit = 'records' | 'bytes' | 'time';

export interface MessagePage {
  messages: MessageView[];
  /**
   * Where to continue, per partition: the next offset to read (oldest first) or the offset to read before
   * (newest first). Pass it back as `offsets=p:o,p:o` to get the next page, or to tail.
   */
  cursors: Record<string, number>;
  /** Per partition, the log start and end offsets when the scan began. */
  ranges: Record<string, { start: number; end: number }>;
  scanned: { records: number; bytes: number };
  /** Which scan bound stopped the scan early, if any. */
  limitHit: ScanLimit | null;
  /** Records on which the predicate threw (they do not match), and the first error. */
  predicateErrors: number;
  firstPredicateError: string | null;
}

export interface ProduceRequest {
  /** Default: by key (murmur2), else round robin. */
  partition?: number;
  key?: string | null;
  value?: string | null;
  headers?: Array<{ key: string; value: string | null }>;
  /** How key, value and header values are written: UTF-8 text (default) or base64 bytes. */
  encoding?: 'text' | 'base64';
}

export interface ProduceResult {
  partition: number;
  offset: number;
}

export interface GroupSummary {
  groupId: string;
  state: string;
  protocolType: string;
  members: number;
  /** Sum of the lag of every partition with a committed offset; null when none has. */
  totalLag: number | null;
  topics: string[];
}

export interface GroupList {
  groups: GroupSummary[];
}

export interface GroupMemberView {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  assignment: Array<{ topic: string; partitions: number[] }>;
}

export interface PartitionLagView {
  topic: string;
  partition: number;
  committedOffset: number;
  logEndOffset: number;
  lag: number | null;
  memberId: string | null;
  clientId: string | null;
}

/** Lag samples of one group: `total[i]` and every partition's `series[key][i]` belong to `t[i]`; null = unknown. */
export interface LagHistory {
  intervalMs: number;
  t: number[];
  total: Array<number | null>;
  /** Keyed by "topic/partition". */
  partitions: Record<string, Array<number | null>>;
}

export interface GroupDetail {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMemberView[];
  lag: PartitionLagView[];
  history: LagHistory;
}

/** The same targets as `spate groups reset-offsets`. */
export type ResetTo = 'earliest' | 'latest' | { timestamp: number } | { offset: number };

export interface ResetOffsetsRequest {
  topic: string;
  to: ResetTo;
  /** Default: every partition of the topic. */
  partitions?: number[];
  /** Compute and return the new offsets without committing them (the preview). */
  dryRun?: boolean;
}

export interface ResetOffsetsResult {
  dryRun: boolean;
  resets: Array<{ topic: string; partition: number; previousOffset: number; newOffset: number }>;
}
