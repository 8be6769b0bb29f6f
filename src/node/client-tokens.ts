/**
 * The client tokens a node accepts, by role (read < write < admin: each includes the ones before
 * it). `all` is the older single token, which has every role. None set: the store has no auth.
 */
export const ROLES = ["read", "write", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface ClientTokens {
  readonly all?: string;
  readonly read?: string;
  readonly write?: string;
  readonly admin?: string;
}

export function hasClientTokens(tokens: ClientTokens | undefined): tokens is ClientTokens {
  return tokens !== undefined && [tokens.all, ...ROLES.map((r) => tokens[r])].some((t) => !!t);
}
