// What this broker advertises in ApiVersions: for every API it has a handler for, the version range its
// generated codecs cover. The ranges live in one place, the generator's table (scripts/generate-protocol.mjs):
// Apache Kafka 3.7's ranges, with Fetch from v4 (record batch v2 only, no down-conversion). Produce is
// advertised from v0 but v0-2 requests are answered with UNSUPPORTED_VERSION (see handlers/produce.ts), as
// Kafka 4.0 does: librdkafka turns gzip, snappy and lz4 on only when the Produce range it is offered contains v0.
import { apiDefinitions, type ApiDefinition } from '../protocol/generated/index.js';

export interface SupportedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** What one broker advertises: the codec ranges of the APIs it has a handler for. */
export class AdvertisedApis {
  readonly list: readonly SupportedApi[];
  readonly #byKey: Map<number, SupportedApi>;

  constructor(handledKeys: Iterable<number>) {
    const handled = new Set(handledKeys);
    this.list = apiDefinitions
      .filter((api): api is ApiDefinition => api !== undefined && handled.has(api.apiKey))
      .map((api) => ({ apiKey: api.apiKey, minVersion: api.minVersion, maxVersion: api.maxVersion }));
    for (const key of handled) {
      if (!this.#has(key)) throw new Error(`a handler is registered for api key ${key}, which has no generated codec`);
    }
    this.#byKey = new Map(this.list.map((api) => [api.apiKey, api]));
  }

  #has(apiKey: number): boolean {
    return this.list.some((api) => api.apiKey === apiKey);
  }

  get(apiKey: number): SupportedApi | undefined {
    return this.#byKey.get(apiKey);
  }
}
