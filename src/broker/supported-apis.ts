// The APIs and version ranges this broker advertises in ApiVersions: Apache Kafka 3.7's ranges, with Fetch from
// v4 (record batch v2 only, no down-conversion). Produce is advertised from v0 but v0-2 requests are answered
// with UNSUPPORTED_VERSION (see handlers/produce.ts), as Kafka 4.0 does: librdkafka turns gzip, snappy and lz4
// on only when the Produce range it is offered contains v0, and otherwise silently sends uncompressed batches.
import { ApiKey, apiDefinitions } from '../protocol/generated/index.js';

export interface SupportedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

const RANGES: Array<[number, number, number]> = [
  [ApiKey.Produce, 0, 10],
  [ApiKey.Fetch, 4, 16],
  [ApiKey.ListOffsets, 0, 8],
  [ApiKey.Metadata, 0, 12],
  [ApiKey.OffsetCommit, 0, 9],
  [ApiKey.OffsetFetch, 0, 9],
  [ApiKey.FindCoordinator, 0, 4],
  [ApiKey.JoinGroup, 0, 9],
  [ApiKey.Heartbeat, 0, 4],
  [ApiKey.LeaveGroup, 0, 5],
  [ApiKey.SyncGroup, 0, 5],
  [ApiKey.DescribeGroups, 0, 5],
  [ApiKey.ListGroups, 0, 4],
  [ApiKey.ApiVersions, 0, 3],
  [ApiKey.CreateTopics, 0, 7],
  [ApiKey.DeleteTopics, 0, 6],
  [ApiKey.DeleteRecords, 0, 2],
  [ApiKey.DescribeConfigs, 0, 4],
  [ApiKey.AlterConfigs, 0, 2],
  [ApiKey.CreatePartitions, 0, 3],
  [ApiKey.DeleteGroups, 0, 2],
  [ApiKey.IncrementalAlterConfigs, 0, 1],
  [ApiKey.OffsetDelete, 0, 0],
  [ApiKey.DescribeCluster, 0, 1],
];

export const SUPPORTED_APIS: readonly SupportedApi[] = RANGES.map(([apiKey, minVersion, maxVersion]) => {
  const generated = apiDefinitions[apiKey];
  // A range we advertise must be one the generated codecs cover; fail at startup, not on a client's request.
  if (!generated || generated.minVersion > minVersion || generated.maxVersion < maxVersion) {
    throw new Error(`no generated codec covers api ${apiKey} v${minVersion}-${maxVersion}`);
  }
  return { apiKey, minVersion, maxVersion };
}).sort((a, b) => a.apiKey - b.apiKey);

/** What one broker advertises: the supported ranges of the APIs it has a handler for. */
export class AdvertisedApis {
  readonly list: readonly SupportedApi[];
  readonly #byKey: Map<number, SupportedApi>;

  constructor(handledKeys: Iterable<number>) {
    const handled = new Set(handledKeys);
    this.list = SUPPORTED_APIS.filter((api) => handled.has(api.apiKey));
    this.#byKey = new Map(this.list.map((api) => [api.apiKey, api]));
  }

  get(apiKey: number): SupportedApi | undefined {
    return this.#byKey.get(apiKey);
  }
}
