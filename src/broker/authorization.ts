// What handlers ask the authorizer, in Kafka's terms (AuthHelper): may this request's principal do an operation
// on a resource, and which of several names may it. Without an authorizer (`authorizer.class.name` empty)
// everything is allowed and nothing is computed: `allowedNames` answers null ("all of them") so the produce and
// fetch paths pay one null check.
import { CLUSTER_RESOURCE_NAME, ResourceType } from '../security/acl-model.js';
import type { Session, StandardAuthorizer } from '../security/authorizer.js';
import type { RequestInfo } from './request-dispatcher.js';

/** The connection's principal and address, as ACLs name them. */
export function sessionOf(info: RequestInfo): Session {
  const address = info.connection.remoteAddress;
  return { principal: info.connection.principal, host: address.startsWith('::ffff:') ? address.slice(7) : address };
}

/** May the request's principal do `operation` on the resource? Always true without an authorizer. */
export function allows(authorizer: StandardAuthorizer | null, info: RequestInfo, operation: number, resourceType: number, resourceName: string): boolean {
  return authorizer === null || authorizer.authorize(sessionOf(info), operation, resourceType, resourceName);
}

/** May it do `operation` on the cluster? */
export function allowsCluster(authorizer: StandardAuthorizer | null, info: RequestInfo, operation: number): boolean {
  return allows(authorizer, info, operation, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
}

/**
 * The names (of `items`, by `nameOf`) the principal may do `operation` on; null without an authorizer, meaning all
 * of them, with nothing allocated.
 */
export function allowedNames<T>(
  authorizer: StandardAuthorizer | null,
  info: RequestInfo,
  operation: number,
  resourceType: number,
  items: Iterable<T>,
  nameOf: (item: T) => string,
): ReadonlySet<string> | null {
  if (authorizer === null) return null;
  const session = sessionOf(info);
  const allowed = new Set<string>();
  const seen = new Set<string>();
  for (const item of items) {
    const name = nameOf(item);
    if (seen.has(name)) continue;
    seen.add(name);
    if (authorizer.authorize(session, operation, resourceType, name)) allowed.add(name);
  }
  return allowed;
}

/** Is `name` in the allowed set (null = everything allowed)? */
export function isAllowed(allowed: ReadonlySet<string> | null, name: string): boolean {
  return allowed === null || allowed.has(name);
}

/** Kafka's authorized-operations bit field for the resource; `everything` (all it supports) without an authorizer. */
export function authorizedOperations(authorizer: StandardAuthorizer | null, info: RequestInfo, resourceType: number, resourceName: string, everything: number): number {
  return authorizer === null ? everything : authorizer.authorizedOperations(sessionOf(info), resourceType, resourceName);
}

/**
 * What a handler that is not given the whole broker context needs to ask (the group handlers): the authorizer
 * and the request; null when there is no authorizer, so everything is allowed.
 */
export type RequestAccess = { readonly authorizer: StandardAuthorizer; readonly info: RequestInfo } | null;

export function accessOf(authorizer: StandardAuthorizer | null, info: RequestInfo): RequestAccess {
  return authorizer === null ? null : { authorizer, info };
}

/** `allows` through a RequestAccess. */
export function accessAllows(access: RequestAccess, operation: number, resourceType: number, resourceName: string): boolean {
  return access === null || access.authorizer.authorize(sessionOf(access.info), operation, resourceType, resourceName);
}

/** `allows` for a group's operation. */
export function allowsGroup(access: RequestAccess, operation: number, groupId: string): boolean {
  return accessAllows(access, operation, ResourceType.GROUP, groupId);
}
