// Kafka's principal: who a connection is, as authorization and quotas see it; part of the connection's session.
// Kafka writes it "User:alice"; a connection that has not authenticated (PLAINTEXT, or SSL without a client
// certificate) is User:ANONYMOUS.

export interface KafkaPrincipal {
  /** Kafka's principal type; "User" for every built-in authentication. */
  readonly type: string;
  readonly name: string;
}

export const ANONYMOUS: KafkaPrincipal = Object.freeze({ type: 'User', name: 'ANONYMOUS' });

/** "User:alice", as Kafka's ACLs, logs and tools write a principal. */
export function principalString(principal: KafkaPrincipal): string {
  return `${principal.type}:${principal.name}`;
}

/** Parses "User:alice"; null when there is no type. */
export function parsePrincipal(text: string): KafkaPrincipal | null {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return null;
  return { type: text.slice(0, colon), name: text.slice(colon + 1) };
}
