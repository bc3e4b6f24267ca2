// Fetch: stored batches are returned as they sit in the log, never decoded.
// Long poll: with nothing (or less than min_bytes) to return, the request parks on its partitions' append
// waiters and is re-run when a produce lands on one of them, or answered when max_wait_ms runs out.
// Reads go to all owning workers at once; the size rules are then applied in request order: each partition
// gets at most its partition_max_bytes, the response at most max_bytes, and the first batch of the first
// non-empty partition is returned whole even when it is larger (KIP-74).
// With an authorizer, as Kafka: a consumer needs READ on each topic (else TOPIC_AUTHORIZATION_FAILED for its
// partitions); a follower's fetch (replica id >= 0) needs CLUSTER_ACTION on the cluster (else every partition is
// TOPIC_AUTHORIZATION_FAILED). With a consumer_byte_rate quota, max_bytes is capped to what the quota window takes.
import type {
  FetchRequest,
  FetchResponse,
  FetchResponseFetchableTopicResponse,
  FetchResponsePartitionData,
} from '../../protocol/generated/index.js';
import { intProperty } from '../../config/broker-config.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { BATCH_LENGTH, LOG_OVERHEAD } from '../../records/batch.js';
import type { FetchReply } from '../../partition/partition-workers.js';
import type { BrokerContext } from '../context.js';
import type { RequestInfo } from '../request-dispatcher.js';
import type { Partition } from '../partition.js';
import { AclOperation, ResourceType } from '../../security/acl-model.js';
import { allowedNames, allowsCluster, isAllowed } from '../authorization.js';

/** Kafka answers "no data" with an empty record set, not null; librdkafka only sees end-of-partition that way. */
const NO_RECORDS = Buffer.alloc(0);

/** Fetch v13 switched topics from names to ids. */
const FIRST_TOPIC_ID_VERSION = 13;

interface PartitionRead {
  response: FetchResponsePartitionData;
  partition: Partition | null;
  fetchOffset: number;
  maxBytes: number;
  reply: FetchReply | null;
  /** The partition's end offset when it was last read: anything past it is news. */
  seenHighWatermark: number;
}

export async function handleFetch(ctx: BrokerContext, request: FetchRequest, info: RequestInfo): Promise<FetchResponse> {
  const byId = info.apiVersion >= FIRST_TOPIC_ID_VERSION;
  const topics: FetchResponseFetchableTopicResponse[] = [];
  const reads: PartitionRead[] = [];
  const readable = readableTopics(ctx, request, info, byId);
  for (const fetchTopic of request.topics) {
    const topic = byId ? ctx.registry.getById(fetchTopic.topicId) : ctx.registry.get(fetchTopic.topic);
    // A topic id the broker does not know stays UNKNOWN_TOPIC_ID (ids reveal nothing); a name is checked first.
    const denied = (topic !== undefined || !byId) && !isAllowed(readable, topic?.name ?? fetchTopic.topic);
    const missingCode = denied ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const partitions: FetchResponsePartitionData[] = [];
    for (const fetchPartition of fetchTopic.partitions) {
      const partition = denied ? null : (topic?.partitions[fetchPartition.partition] ?? null);
      const response = emptyPartition(fetchPartition.partition, partition ? ErrorCode.NONE : missingCode);
      partitions.push(response);
      reads.push({ response, partition, fetchOffset: fetchPartition.fetchOffset, maxBytes: fetchPartition.partitionMaxBytes, reply: null, seenHighWatermark: -1 });
    }
    topics.push({ topic: fetchTopic.topic, topicId: fetchTopic.topicId, partitions });
  }

  const deadline = Date.now() + Math.max(0, request.maxWaitMs);
  // As Kafka: the broker's fetch.max.bytes caps what a request may ask for (and so what its response holds).
  let maxBytes = Math.min(request.maxBytes, intProperty(ctx.config, 'fetch.max.bytes'));
  // As Kafka: asking for more than the quota window takes would be throttled for certain, with no progress.
  if (ctx.throttle.enabled) maxBytes = Math.min(maxBytes, Math.max(1, Math.floor(ctx.throttle.fetchMaxBytes(info))));
  const minBytes = Math.max(1, Math.min(request.minBytes, maxBytes));
  for (;;) {
    const { bytes, errors } = await readAll(ctx, reads, maxBytes);
    const remaining = deadline - Date.now();
    if (bytes >= minBytes || errors || remaining <= 0 || ctx.shuttingDown) break;
    // Parked, the request holds no response memory; it takes it back before reading (or, when the broker has no
    // room for it now, answers with what it has and the client asks again).
    info.responseMemory.release();
    const woken = await waitForAppend(reads, remaining);
    if (!info.responseMemory.retake()) break;
    if (!woken) {
      // Timed out: one last read so data appended at the very end is not missed.
      await readAll(ctx, reads, maxBytes);
      break;
    }
  }
  for (const read of reads) {
    const records = read.response.records;
    if (read.partition && records && records.length > 0) ctx.metrics.fetched(read.partition.topic, records);
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: topics };
}

/** The topic names this fetch may read; null when all may be (no authorizer). */
function readableTopics(ctx: BrokerContext, request: FetchRequest, info: RequestInfo, byId: boolean): ReadonlySet<string> | null {
  if (ctx.authorizer === null) return null;
  const replicaId = request.replicaState?.replicaId ?? request.replicaId;
  // A follower reads on the cluster's behalf: CLUSTER_ACTION, or nothing at all.
  if (replicaId >= 0) return allowsCluster(ctx.authorizer, info, AclOperation.CLUSTER_ACTION) ? null : new Set();
  const names = request.topics.map((t) => (byId ? ctx.registry.getById(t.topicId)?.name : t.topic)).filter((n): n is string => n !== undefined);
  return allowedNames(ctx.authorizer, info, AclOperation.READ, ResourceType.TOPIC, names, (n) => n);
}

function emptyPartition(partitionIndex: number, errorCode: number): FetchResponsePartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: [],
    preferredReadReplica: -1,
    records: NO_RECORDS,
  };
}

/** Reads every partition that has data, then applies the response-size rules in request order. */
async function readAll(ctx: BrokerContext, reads: PartitionRead[], responseMaxBytes: number): Promise<{ bytes: number; errors: boolean }> {
  const inFlight: Array<Promise<void>> = [];
  let errors = false;
  for (const read of reads) {
    const { partition, response } = read;
    read.reply = null;
    response.records = NO_RECORDS;
    if (!partition) {
      errors = true;
      continue;
    }
    // The topic may have been deleted (or re-created) while this request was parked.
    if (ctx.registry.partition(partition.topic, partition.index) !== partition) {
      response.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      errors = true;
      continue;
    }
    read.seenHighWatermark = partition.highWatermark;
    response.highWatermark = partition.highWatermark;
    response.lastStableOffset = partition.highWatermark;
    response.logStartOffset = partition.logStartOffset;
    if (read.fetchOffset < partition.logStartOffset || read.fetchOffset > partition.highWatermark) {
      response.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
      errors = true;
      continue;
    }
    // Checked before the caught-up shortcut below: a consumer at the end of a dead worker's partition would
    // otherwise wait for appends that can never come, with no reason to refresh its metadata.
    if (!partition.serving) {
      response.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
      errors = true;
      continue;
    }
    if (read.fetchOffset === partition.highWatermark || read.maxBytes <= 0) continue;
    const maxBytes = Math.min(read.maxBytes, responseMaxBytes);
    inFlight.push(
      partition.read(read.fetchOffset, maxBytes, true).then(
        (reply) => {
          read.reply = reply;
        },
        (error: unknown) => {
          read.reply = { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logEndOffset: -1, logStartOffset: -1, records: null };
          ctx.log.warn({ err: error, partition: partition.name }, 'fetch failed');
        },
      ),
    );
  }
  await Promise.all(inFlight);

  let budget = responseMaxBytes;
  let total = 0;
  for (const read of reads) {
    const reply = read.reply;
    if (!reply) continue;
    const response = read.response;
    // The read refreshed the façade's offsets (retention moves the log start on the worker).
    if (read.partition) response.logStartOffset = read.partition.logStartOffset;
    if (reply.errorCode !== ErrorCode.NONE) {
      response.errorCode = reply.errorCode;
      response.records = NO_RECORDS;
      errors = true;
      continue;
    }
    response.errorCode = ErrorCode.NONE;
    if (read.partition) {
      response.highWatermark = read.partition.highWatermark;
      response.lastStableOffset = read.partition.highWatermark;
    }
    let records = reply.records;
    if (records && records.length > budget) {
      const fit = wholeBatchesWithin(records, budget);
      // KIP-74: the first batch of the first non-empty partition always goes out whole.
      records = fit > 0 ? records.subarray(0, fit) : total === 0 ? records.subarray(0, firstBatchSize(records)) : NO_RECORDS;
    }
    response.records = records ?? NO_RECORDS;
    if (records) {
      total += records.length;
      budget = Math.max(0, budget - records.length);
    }
  }
  return { bytes: total, errors };
}

function firstBatchSize(records: Buffer): number {
  return Math.min(records.length, LOG_OVERHEAD + records.readInt32BE(BATCH_LENGTH));
}

/** Length of the longest prefix of whole batches that fits in `limit` bytes. */
function wholeBatchesWithin(records: Buffer, limit: number): number {
  let position = 0;
  while (position + LOG_OVERHEAD <= records.length) {
    const size = LOG_OVERHEAD + records.readInt32BE(position + BATCH_LENGTH);
    if (position + size > limit) break;
    position += size;
  }
  return position;
}

/** Resolves true when any of the partitions is appended to, false when `timeoutMs` passes first. */
function waitForAppend(reads: PartitionRead[], timeoutMs: number): Promise<boolean> {
  // Data may have landed while the last read was in flight; its wake-up has already fired.
  if (reads.some((r) => r.partition && r.partition.highWatermark > r.seenHighWatermark)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const partitions = new Set<Partition>();
    for (const read of reads) if (read.partition) partitions.add(read.partition);
    let settled = false;
    const settle = (woken: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const cancel of cancels) cancel();
      resolve(woken);
    };
    const onAppend = (): void => settle(true);
    const timer = setTimeout(() => settle(false), timeoutMs);
    const cancels = [...partitions].map((p) => p.onAppend(onAppend));
  });
}
