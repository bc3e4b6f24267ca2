// `spate acls create|list|delete`, with the flags of Kafka's kafka-acls.sh: principals (--allow-principal,
// --deny-principal, --principal for list), hosts (--allow-host, --deny-host, default *), operations (--operation,
// repeatable: Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs,
// IdempotentWrite, All), resources (--topic, --group, --transactional-id, --cluster, repeatable) and
// --resource-pattern-type; --producer and --consumer add the operations those clients need.
import type { Command } from 'commander';
import { AclAdmin } from '../client/acls.js';
import { invalidArgument } from '../client/errors.js';
import {
  AclOperation,
  AclPermissionType,
  CLUSTER_RESOURCE_NAME,
  PatternType,
  ResourceType,
  WILDCARD,
  operationCode,
  operationName,
  patternTypeCode,
  patternTypeName,
  permissionTypeName,
  resourceTypeName,
  type AclBinding,
  type AclBindingFilter,
} from '../security/acl-model.js';
import { clientOptions, listOption, withCluster, type BootstrapOptions } from './client-common.js';
import { emit, formatTable } from './output.js';

interface AclFlags extends BootstrapOptions {
  allowPrincipal: string[];
  denyPrincipal: string[];
  principal: string[];
  allowHost: string[];
  denyHost: string[];
  operation: string[];
  topic: string[];
  group: string[];
  transactionalId: string[];
  cluster: boolean;
  resourcePatternType?: string;
  producer: boolean;
  consumer: boolean;
}

interface Resource {
  type: number;
  name: string;
}

/** "DescribeConfigs", "describe-configs", "DESCRIBE_CONFIGS" all name the same operation. */
function parseOperation(text: string): number {
  const code = operationCode(text.replace(/([a-z])([A-Z])/g, '$1_$2'));
  if (code === undefined || code === AclOperation.UNKNOWN || code === AclOperation.ANY) throw invalidArgument(`unknown operation "${text}"`);
  return code;
}

function resourcesOf(flags: AclFlags): Resource[] {
  return [
    ...flags.topic.map((name) => ({ type: ResourceType.TOPIC, name })),
    ...flags.group.map((name) => ({ type: ResourceType.GROUP, name })),
    ...flags.transactionalId.map((name) => ({ type: ResourceType.TRANSACTIONAL_ID, name })),
    ...(flags.cluster ? [{ type: ResourceType.CLUSTER, name: CLUSTER_RESOURCE_NAME }] : []),
  ];
}

function patternOf(flags: AclFlags, fallback: number): number {
  if (flags.resourcePatternType === undefined) return fallback;
  const code = patternTypeCode(flags.resourcePatternType);
  if (code === undefined || code === PatternType.UNKNOWN) throw invalidArgument(`unknown resource pattern type "${flags.resourcePatternType}" (literal, prefixed, match or any)`);
  return code;
}

/** The operations per resource: the --operation flags, plus what --producer and --consumer need (as kafka-acls.sh). */
function operationsFor(flags: AclFlags, resource: Resource): number[] {
  const operations = new Set(flags.operation.map(parseOperation));
  if (flags.producer && resource.type === ResourceType.TOPIC) for (const op of [AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE]) operations.add(op);
  if (flags.consumer && resource.type === ResourceType.TOPIC) for (const op of [AclOperation.READ, AclOperation.DESCRIBE]) operations.add(op);
  if (flags.consumer && resource.type === ResourceType.GROUP) operations.add(AclOperation.READ);
  return [...operations];
}

/** Every (permission, principal, host, operation, resource) the create flags name. */
function bindingsOf(flags: AclFlags): AclBinding[] {
  const resources = resourcesOf(flags);
  if (resources.length === 0) throw invalidArgument('name a resource: --topic, --group, --transactional-id or --cluster');
  if (flags.allowPrincipal.length + flags.denyPrincipal.length === 0) throw invalidArgument('name a principal: --allow-principal or --deny-principal (e.g. User:alice)');
  if (flags.consumer && flags.group.length === 0) throw invalidArgument('--consumer needs --group');
  const patternType = patternOf(flags, PatternType.LITERAL);
  if (patternType !== PatternType.LITERAL && patternType !== PatternType.PREFIXED) throw invalidArgument('ACLs are created with a literal or prefixed pattern');
  const entries = [
    ...flags.allowPrincipal.map((principal) => ({ permissionType: AclPermissionType.ALLOW, principal, hosts: flags.allowHost.length > 0 ? flags.allowHost : [WILDCARD] })),
    ...flags.denyPrincipal.map((principal) => ({ permissionType: AclPermissionType.DENY, principal, hosts: flags.denyHost.length > 0 ? flags.denyHost : [WILDCARD] })),
  ];
  const bindings: AclBinding[] = [];
  for (const resource of resources) {
    const operations = operationsFor(flags, resource);
    if (operations.length === 0) throw invalidArgument(`name an operation for ${resourceTypeName(resource.type).toLowerCase()} ${resource.name}: --operation, --producer or --consumer`);
    for (const entry of entries) {
      for (const host of entry.hosts) {
        for (const operation of operations) {
          bindings.push({ resourceType: resource.type, resourceName: resource.name, patternType, principal: entry.principal, host, operation, permissionType: entry.permissionType });
        }
      }
    }
  }
  return bindings;
}

/** Filters for list and delete: each resource named (or any), narrowed by principals, hosts and operations given. */
function filtersOf(flags: AclFlags, defaultPattern: number): AclBindingFilter[] {
  const resources: Array<Resource | null> = resourcesOf(flags);
  if (resources.length === 0) resources.push(null);
  const patternType = patternOf(flags, defaultPattern);
  const principals: Array<{ principal: string | null; permissionType: number; hosts: Array<string | null> }> = [
    ...flags.allowPrincipal.map((principal) => ({ principal, permissionType: AclPermissionType.ALLOW as number, hosts: flags.allowHost.length > 0 ? flags.allowHost : [null] })),
    ...flags.denyPrincipal.map((principal) => ({ principal, permissionType: AclPermissionType.DENY as number, hosts: flags.denyHost.length > 0 ? flags.denyHost : [null] })),
    ...flags.principal.map((principal) => ({ principal, permissionType: AclPermissionType.ANY as number, hosts: [null] })),
  ];
  if (principals.length === 0) principals.push({ principal: null, permissionType: AclPermissionType.ANY, hosts: [null] });
  const operations = flags.operation.length > 0 ? flags.operation.map(parseOperation) : [AclOperation.ANY];
  const filters: AclBindingFilter[] = [];
  for (const resource of resources) {
    for (const p of principals) {
      for (const host of p.hosts) {
        for (const operation of operations) {
          filters.push({
            resourceType: resource?.type ?? ResourceType.ANY,
            resourceName: resource?.name ?? null,
            patternType,
            principal: p.principal,
            host,
            operation,
            permissionType: p.permissionType,
          });
        }
      }
    }
  }
  return filters;
}

function aclTable(acls: readonly AclBinding[]): string {
  const rows = acls.map((a) => [
    resourceTypeName(a.resourceType),
    a.resourceName,
    patternTypeName(a.patternType),
    a.principal,
    a.host,
    operationName(a.operation),
    permissionTypeName(a.permissionType),
  ]);
  return formatTable(['RESOURCE-TYPE', 'RESOURCE-NAME', 'PATTERN', 'PRINCIPAL', 'HOST', 'OPERATION', 'PERMISSION'], rows);
}

function aclFlags(command: Command, forCreate: boolean): Command {
  const pattern = forCreate ? 'literal (default) or prefixed' : 'literal, prefixed, match or any (default: any for list, literal for delete)';
  return clientOptions(command)
    .option('--allow-principal <principal>', 'principal allowed, e.g. User:alice (repeatable)', listOption, [])
    .option('--deny-principal <principal>', 'principal denied (repeatable)', listOption, [])
    .option('--allow-host <host>', 'host the allow applies to (repeatable; default *)', listOption, [])
    .option('--deny-host <host>', 'host the deny applies to (repeatable; default *)', listOption, [])
    .option('--operation <operation>', 'Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite or All (repeatable)', listOption, [])
    .option('--topic <topic>', 'topic (repeatable; * for all)', listOption, [])
    .option('--group <group>', 'consumer group (repeatable; * for all)', listOption, [])
    .option('--transactional-id <id>', 'transactional id (repeatable; * for all)', listOption, [])
    .option('--cluster', 'the cluster resource', false)
    .option('--resource-pattern-type <type>', pattern);
}

export function registerAclsCommand(program: Command): void {
  const acls = program.command('acls').description('create, list and delete ACLs (the broker needs authorizer.class.name set)');

  aclFlags(acls.command('create').description('add ACLs: every principal x host x operation x resource named'), true)
    .option('--producer', 'the operations a producer needs on --topic: Write, Describe, Create', false)
    .option('--consumer', 'the operations a consumer needs: Read, Describe on --topic, Read on --group', false)
    .action(async (flags: AclFlags) => {
      const bindings = bindingsOf(flags);
      await withCluster(flags, async (cluster) => {
        await new AclAdmin(cluster).create(bindings);
        emit(flags.output, { created: bindings }, ({ created }) => `Created ${created.length} ACL${created.length === 1 ? '' : 's'}:\n${aclTable(created)}`);
      });
    });

  clientOptions(acls.command('list').description('list ACLs, all of them or those of the resources and principals named'))
    .option('--principal <principal>', 'only the ACLs of this principal (repeatable)', listOption, [])
    .option('--topic <topic>', 'topic (repeatable)', listOption, [])
    .option('--group <group>', 'consumer group (repeatable)', listOption, [])
    .option('--transactional-id <id>', 'transactional id (repeatable)', listOption, [])
    .option('--cluster', 'the cluster resource', false)
    .option('--operation <operation>', 'only ACLs for this operation (repeatable)', listOption, [])
    .option('--resource-pattern-type <type>', 'literal, prefixed, match (the ACLs that apply to the named resources) or any (default)')
    .action(async (flags: AclFlags) => {
      const filters = filtersOf({ ...flags, allowPrincipal: [], denyPrincipal: [], allowHost: [], denyHost: [] }, PatternType.ANY);
      await withCluster(flags, async (cluster) => {
        const admin = new AclAdmin(cluster);
        const found = new Map<string, AclBinding>();
        for (const filter of filters) for (const acl of await admin.list(filter)) found.set(JSON.stringify(acl), acl);
        emit(flags.output, [...found.values()], (list) => (list.length > 0 ? aclTable(list) : ''));
      });
    });

  aclFlags(acls.command('delete').description('remove the ACLs matching the resources, principals, hosts and operations named'), false)
    .option('--principal <principal>', 'ACLs of this principal, allow or deny (repeatable)', listOption, [])
    .action(async (flags: AclFlags) => {
      if (resourcesOf(flags).length === 0 && flags.allowPrincipal.length + flags.denyPrincipal.length + flags.principal.length === 0) {
        throw invalidArgument('name what to delete: a resource (--topic, --group, --transactional-id, --cluster) or a principal');
      }
      const filters = filtersOf(flags, PatternType.LITERAL);
      await withCluster(flags, async (cluster) => {
        const deleted = await new AclAdmin(cluster).delete(filters);
        emit(flags.output, { deleted }, (result) => {
          const count = result.deleted.length;
          return `Deleted ${count} ACL${count === 1 ? '' : 's'}${count > 0 ? `:\n${aclTable(result.deleted)}` : '.'}`;
        });
      });
    });
}
