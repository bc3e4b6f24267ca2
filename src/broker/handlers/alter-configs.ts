// AlterConfigs (replace a resource's set wholesale) and IncrementalAlterConfigs (SET, DELETE, APPEND,
// SUBTRACT one key at a time) for topics and for this broker's dynamic configs, with Kafka's checks and error
// codes: a resource named twice, a key named twice or a null value is INVALID_REQUEST; a bad topic config is
// INVALID_CONFIG; a broker config that cannot change at run time or has a bad value is INVALID_REQUEST (as
// Kafka answers, KAFKA-13609); APPEND or SUBTRACT on a key that is not a list is INVALID_CONFIG. With an
// authorizer a topic needs ALTER_CONFIGS on it (else TOPIC_AUTHORIZATION_FAILED), the broker ALTER_CONFIGS on the
// cluster (else CLUSTER_AUTHORIZATION_FAILED), checked after the duplicate check, as in Kafka's ControllerApis.
import type {
  AlterConfigsRequest,
  AlterConfigsResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { SpateError } from '../../errors.js';
import { brokerPropertySpec, isBrokerProperty } from '../../config/broker-config.js';
import { isTopicProperty, topicPropertySpec } from '../../config/topic-config.js';
import type { DynamicLevel } from '../../config/dynamic-broker-config.js';
import type { BrokerContext } from '../context.js';
import type { AdminResult } from '../topic-admin.js';
import { ResourceType, brokerResourceLevel } from './describe-configs.js';
import { AclOperation, ResourceType as AclResourceType } from '../../security/acl-model.js';
import { allows, allowsCluster } from '../authorization.js';
import type { RequestInfo } from '../request-dispatcher.js';

const OpType = { Set: 0, Delete: 1, Append: 2, Subtract: 3 } as const;
const KNOWN_OPERATIONS = new Set<number>(Object.values(OpType));

interface ConfigChange {
  name: string;
  value: string | null;
  /** Absent for AlterConfigs, whose entries all set. */
  configOperation?: number;
}

interface Resource {
  resourceType: number;
  resourceName: string;
  configs: ConfigChange[];
}

type ResourceResult = { resourceType: number; resourceName: string } & AdminResult;

/** A failure answered for one resource, with the Kafka error code it carries. */
class ResourceProblem extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

const ok: AdminResult = { errorCode: ErrorCode.NONE, errorMessage: null };

export async function handleAlterConfigs(ctx: BrokerContext, request: AlterConfigsRequest, info: RequestInfo): Promise<AlterConfigsResponse> {
  const responses = await alterEach(ctx, info, request.resources, false, request.validateOnly);
  return { throttleTimeMs: 0, responses };
}

export async function handleIncrementalAlterConfigs(ctx: BrokerContext, request: IncrementalAlterConfigsRequest, info: RequestInfo): Promise<IncrementalAlterConfigsResponse> {
  const responses = await alterEach(ctx, info, request.resources, true, request.validateOnly);
  return { throttleTimeMs: 0, responses };
}

/** The authorization failure for altering the resource's configs, or null. */
function alterDenied(ctx: BrokerContext, info: RequestInfo, resource: Resource): ResourceProblem | null {
  if (resource.resourceType === ResourceType.Topic && !allows(ctx.authorizer, info, AclOperation.ALTER_CONFIGS, AclResourceType.TOPIC, resource.resourceName)) {
    return new ResourceProblem(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Topic authorization failed.');
  }
  if (resource.resourceType === ResourceType.Broker && !allowsCluster(ctx.authorizer, info, AclOperation.ALTER_CONFIGS)) {
    return new ResourceProblem(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
  }
  return null;
}

async function alterEach(ctx: BrokerContext, info: RequestInfo, resources: Resource[], incremental: boolean, validateOnly: boolean): Promise<ResourceResult[]> {
  const resourceKey = (r: Resource): string => `${r.resourceType}/${r.resourceName}`;
  const seen = new Map<string, number>();
  for (const r of resources) seen.set(resourceKey(r), (seen.get(resourceKey(r)) ?? 0) + 1);
  const results: ResourceResult[] = [];
  let brokerChanged = false;
  for (const resource of resources) {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
    try {
      if (seen.get(resourceKey(resource))! > 1) throw new ResourceProblem(ErrorCode.INVALID_REQUEST, 'each resource may appear only once');
      const denied = alterDenied(ctx, info, resource);
      if (denied) throw denied;
      precheck(resource, incremental);
      if (resource.resourceType === ResourceType.Topic) {
        const edit = incremental ? (current: Record<string, string>) => applyOperations(current, resource.configs, topicListDefault) : () => asMap(resource.configs);
        results.push({ ...base, ...(await ctx.admin.alterTopicConfig(resource.resourceName, edit, validateOnly)) });
      } else if (resource.resourceType === ResourceType.Broker) {
        const level = brokerResourceLevel(ctx, resource.resourceName);
        if (typeof level === 'object') throw new ResourceProblem(ErrorCode.INVALID_REQUEST, level.problem);
        alterBroker(ctx, level, resource, incremental, validateOnly);
        if (!validateOnly) brokerChanged = true;
        results.push({ ...base, ...ok });
      } else {
        throw new ResourceProblem(ErrorCode.INVALID_REQUEST, `resource type ${resource.resourceType} is not supported`);
      }
    } catch (error) {
      if (!(error instanceof ResourceProblem)) throw error;
      results.push({ ...base, errorCode: error.errorCode, errorMessage: error.message });
    }
  }
  // Topics without their own value take the new broker values: every partition gets its limits again.
  if (brokerChanged) await ctx.admin.refreshPartitionLimits();
  return results;
}

/** Kafka's request-level checks, made before anything is changed. */
function precheck(resource: Resource, incremental: boolean): void {
  const names = resource.configs.map((c) => c.name);
  if (new Set(names).size !== names.length) throw new ResourceProblem(ErrorCode.INVALID_REQUEST, 'a config key appears more than once');
  const nulls = resource.configs.filter((c) => c.value === null && (!incremental || c.configOperation !== OpType.Delete)).map((c) => c.name);
  if (nulls.length > 0) throw new ResourceProblem(ErrorCode.INVALID_REQUEST, `null value not allowed for ${nulls.join(', ')}`);
  const unknownOp = resource.configs.find((c) => incremental && !KNOWN_OPERATIONS.has(c.configOperation ?? -1));
  if (unknownOp) throw new ResourceProblem(ErrorCode.INVALID_REQUEST, `unknown config operation ${unknownOp.configOperation} for "${unknownOp.name}"`);
}

function alterBroker(ctx: BrokerContext, level: DynamicLevel, resource: Resource, incremental: boolean, validateOnly: boolean): void {
  const next = incremental ? applyOperations({ ...ctx.dynamicConfig.values(level) }, resource.configs, brokerListDefault) : asMap(resource.configs);
  let checked;
  try {
    checked = ctx.dynamicConfig.validate(next);
  } catch (error) {
    if (error instanceof SpateError) throw new ResourceProblem(ErrorCode.INVALID_REQUEST, error.message);
    throw error;
  }
  if (validateOnly) return;
  try {
    ctx.dynamicConfig.replace(level, checked);
  } catch (error) {
    throw new ResourceProblem(ErrorCode.KAFKA_STORAGE_ERROR, `could not save the dynamic broker configs: ${(error as Error).message}`);
  }
  ctx.log.info({ level, configs: checked }, 'dynamic broker configs changed');
}

function asMap(configs: ConfigChange[]): Record<string, string> {
  return Object.fromEntries(configs.map((c) => [c.name, c.value as string]));
}

/** For a list-typed topic config, where APPEND and SUBTRACT start without an override: Kafka's default. */
function topicListDefault(name: string): string | null {
  if (!isTopicProperty(name)) return null;
  const spec = topicPropertySpec(name);
  return spec.kind === 'list' ? spec.default : null;
}

function brokerListDefault(name: string): string | null {
  if (!isBrokerProperty(name)) return null;
  const spec = brokerPropertySpec(name);
  return spec.kind === 'list' ? spec.default : null;
}

/**
 * Applies incremental operations to a resource's set. APPEND adds the values a list lacks, SUBTRACT removes
 * them; both start from the current value, or the config's default when it has none.
 */
function applyOperations(current: Record<string, string>, changes: ConfigChange[], listDefault: (name: string) => string | null): Record<string, string> {
  for (const c of changes) {
    switch (c.configOperation) {
      case OpType.Set:
        current[c.name] = c.value!;
        break;
      case OpType.Delete:
        delete current[c.name];
        break;
      case OpType.Append:
      case OpType.Subtract: {
        const fallback = listDefault(c.name);
        const operation = c.configOperation === OpType.Append ? 'APPEND' : 'SUBTRACT';
        if (fallback === null) throw new ResourceProblem(ErrorCode.INVALID_CONFIG, `cannot ${operation} to "${c.name}": it is not a list`);
        const items = (current[c.name] ?? fallback).split(',').filter((item) => item !== '');
        for (const item of c.value!.split(',')) {
          const at = items.indexOf(item);
          if (c.configOperation === OpType.Append && at < 0) items.push(item);
          if (c.configOperation === OpType.Subtract && at >= 0) items.splice(at, 1);
        }
        current[c.name] = items.join(',');
        break;
      }
      default:
        // Checked before any change is applied (see the request checks above); here only as a guard.
        throw new ResourceProblem(ErrorCode.INVALID_REQUEST, `unknown config operation ${c.configOperation} for "${c.name}"`);
    }
  }
  return current;
}
