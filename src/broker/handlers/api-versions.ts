// ApiVersions: the version ranges this broker serves (what clients negotiate against).
// From v3 the client names its software (KIP-511); Kafka answers a name or version outside its pattern with
// INVALID_REQUEST and no version list (ApiVersionsRequest.isValid), and so does Spate.
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { RequestInfo } from '../request-dispatcher.js';
import type { AdvertisedApis } from '../supported-apis.js';

/** Kafka's SOFTWARE_NAME_VERSION_PATTERN: letters, digits, '-' and '.', starting and ending with a letter or digit. */
const SOFTWARE_NAME_VERSION = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

/** The request version that added clientSoftwareName and clientSoftwareVersion. */
const FIRST_SOFTWARE_FIELDS_VERSION = 3;

export function handleApiVersions(advertised: AdvertisedApis, request: ApiVersionsRequest, info: RequestInfo): ApiVersionsResponse {
  if (info.apiVersion >= FIRST_SOFTWARE_FIELDS_VERSION && !(SOFTWARE_NAME_VERSION.test(request.clientSoftwareName) && SOFTWARE_NAME_VERSION.test(request.clientSoftwareVersion))) {
    return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [], throttleTimeMs: 0 };
  }
  return {
    errorCode: ErrorCode.NONE,
    apiKeys: advertised.list.map((api) => ({ apiKey: api.apiKey, minVersion: api.minVersion, maxVersion: api.maxVersion })),
    throttleTimeMs: 0,
  };
}
