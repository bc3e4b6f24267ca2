// AlterConfigs (replace a topic's overrides wholesale) and IncrementalAlterConfigs (set, delete, append,
// subtract one key at a time). Broker properties are static in Spate: they come from the config file.
import type {
  AlterConfigsRequest,
  AlterConfigsResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { configError } from '../../errors.js';
import { isTopicProperty, topicPropertyValue } from '../../config/topic-config.js';
import type { BrokerContext } from '../context.js';
import type { AdminResult } from '../topic-admin.js';
import { ResourceType } from './describe-configs.js';

const OpType = { Set: 0, Delete: 1, Append: 2, Subtract: 3 } as const;
const LIST_PROPERTIES = new Set(['cleanup.policy']);

type Resource = { resourceType: number; resourceName: string };

async function alterEach<R extends Resource>(
  ctx: BrokerContext,
  resources: R[],
  change: (resource: R) => (current: Record<string, string>) => Record<string, string>,
  validateOnly: boolean,
  /** A request-level problem with one resource (answered as is, nothing changes), or null. */
  precheck: (resource: R) => AdminResult | null = () => null,
): Promise<Array<Resource & AdminResult>> {
  const responses = [];
  for (const resource of resources) {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
    const problem = resource.resourceType === ResourceType.Topic ? precheck(resource) : null;
    if (problem) {
      responses.push({ ...base, ...problem });
      continue;
    }
    if (resource.resourceType !== ResourceType.Topic) {
      const message =
        resource.resourceType === ResourceType.Broker
          ? 'broker configs are static in Spate: set them in the config file and restart'
          : `resource type ${resource.resourceType} is not supported`;
      responses.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: message });
      continue;
    }
    const result = await ctx.admin.alterTopicConfig(resource.resourceName, change(resource), validateOnly);
    responses.push({ ...base, ...result });
  }
  return responses;
}

export async function handleAlterConfigs(ctx: BrokerContext, request: AlterConfigsRequest): Promise<AlterConfigsResponse> {
  const responses = await alterEach(
    ctx,
    request.resources,
    (resource) => () => Object.fromEntries(resource.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value as string])),
    request.validateOnly,
  );
  return { throttleTimeMs: 0, responses };
}

export async function handleIncrementalAlterConfigs(ctx: BrokerContext, request: IncrementalAlterConfigsRequest): Promise<IncrementalAlterConfigsResponse> {
  const responses = await alterEach(
    ctx,
    request.resources,
    (resource) => (current) => {
      for (const c of resource.configs) {
        switch (c.configOperation) {
          case OpType.Set:
            if (c.value === null) throw configError(`config "${c.name}" cannot be set to null`);
            current[c.name] = c.value;
            break;
          case OpType.Delete:
            delete current[c.name];
            break;
          case OpType.Append:
          case OpType.Subtract: {
            // Like Kafka, a list without an override starts from its current default, so APPEND compact to a
            // default cleanup.policy gives "delete,compact".
            const start = current[c.name] ?? (isTopicProperty(c.name) ? topicPropertyValue({}, ctx.config, c.name) : '');
            const items = new Set(start.split(',').filter(Boolean));
            for (const item of (c.value ?? '').split(',').filter(Boolean)) {
              if (c.configOperation === OpType.Append) items.add(item);
              else items.delete(item);
            }
            if (items.size === 0) delete current[c.name];
            else current[c.name] = [...items].join(',');
            break;
          }
          default:
            throw configError(`unknown config operation ${c.configOperation} for "${c.name}"`);
        }
      }
      return current;
    },
    request.validateOnly,
    // Kafka answers APPEND/SUBTRACT on a non-list key with INVALID_REQUEST, not INVALID_CONFIG.
    (resource) => {
      const bad = resource.configs.find((c) => (c.configOperation === OpType.Append || c.configOperation === OpType.Subtract) && !LIST_PROPERTIES.has(c.name));
      return bad ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `config "${bad.name}" is not a list; APPEND and SUBTRACT apply only to lists` } : null;
    },
  );
  return { throttleTimeMs: 0, responses };
}
