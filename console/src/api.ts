// The console API from the browser: typed fetches of /api/v1/..., errors thrown with the API's code and message.
import type {
  AlterConfigsRequest,
  ApiErrorBody,
  ConfigList,
  CreateTopicRequest,
  GroupDetail,
  GroupList,
  MessagePage,
  MessageView,
  Overview,
  ProduceRequest,
  ProduceResult,
  ResetOffsetsRequest,
  ResetOffsetsResult,
  TopicDetail,
  TopicList,
} from '../../src/console/api-types.js';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiError(response.status, 'INVALID_RESPONSE', text.slice(0, 200));
  }
  if (!response.ok) {
    const error = (parsed as ApiErrorBody | null)?.error;
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText);
  }
  return parsed as T;
}

const seg = encodeURIComponent;

export interface BrowseParams {
  partition: string;
  order: 'oldest' | 'newest';
  from: string;
  limit: number;
  filter: string;
  predicate: string;
  offsets?: Record<string, number>;
}

export const api = {
  overview: () => call<Overview>('GET', '/overview'),
  topics: (internal = false) => call<TopicList>('GET', `/topics${internal ? '?internal=true' : ''}`),
  topic: (name: string) => call<TopicDetail>('GET', `/topics/${seg(name)}`),
  createTopic: (topic: CreateTopicRequest) => call<{ name: string }>('POST', '/topics', topic),
  deleteTopic: (name: string) => call<{ deleted: string }>('DELETE', `/topics/${seg(name)}`),
  topicConfigs: (name: string) => call<ConfigList>('GET', `/topics/${seg(name)}/configs`),
  alterTopicConfigs: (name: string, change: AlterConfigsRequest) => call<ConfigList>('PATCH', `/topics/${seg(name)}/configs`, change),
  browse: (topic: string, p: BrowseParams) => {
    const q = new URLSearchParams({ partition: p.partition, order: p.order, from: p.from, limit: String(p.limit) });
    if (p.filter !== '') q.set('filter', p.filter);
    if (p.predicate.trim() !== '') q.set('predicate', p.predicate);
    if (p.offsets !== undefined) q.set('offsets', Object.entries(p.offsets).map(([k, v]) => `${k}:${v}`).join(','));
    return call<MessagePage>('GET', `/topics/${seg(topic)}/messages?${q.toString()}`);
  },
  message: (topic: string, partition: number, offset: number) => call<MessageView>('GET', `/topics/${seg(topic)}/partitions/${partition}/messages/${offset}`),
  produce: (topic: string, message: ProduceRequest) => call<ProduceResult>('POST', `/topics/${seg(topic)}/messages`, message),
  groups: () => call<GroupList>('GET', '/groups'),
  group: (id: string) => call<GroupDetail>('GET', `/groups/${seg(id)}`),
  resetOffsets: (id: string, request: ResetOffsetsRequest) => call<ResetOffsetsResult>('POST', `/groups/${seg(id)}/reset-offsets`, request),
  deleteGroup: (id: string) => call<{ deleted: string }>('DELETE', `/groups/${seg(id)}`),
  brokerConfigs: (id: number) => call<ConfigList>('GET', `/brokers/${id}/configs`),
  alterBrokerConfigs: (id: number, change: AlterConfigsRequest) => call<ConfigList>('PATCH', `/brokers/${id}/configs`, change),
};
