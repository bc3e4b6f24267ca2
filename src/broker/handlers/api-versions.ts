// ApiVersions: the version ranges this broker serves (what clients negotiate against).
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { AdvertisedApis } from '../supported-apis.js';

export function handleApiVersions(advertised: AdvertisedApis, _request: ApiVersionsRequest): ApiVersionsResponse {
  return {
    errorCode: ErrorCode.NONE,
    apiKeys: advertised.list.map((api) => ({ apiKey: api.apiKey, minVersion: api.minVersion, maxVersion: api.maxVersion })),
    throttleTimeMs: 0,
  };
}
