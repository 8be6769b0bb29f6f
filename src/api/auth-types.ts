/**
 * `spec.auth`: which Secrets hold the store's client tokens, by role. A role's token opens its own
 * routes and every lower role's: read < write < admin. `secretName` is the older single token and
 * keeps its meaning, every role, so manifests written before roles still work unchanged.
 */
import Type, { type Static } from "typebox";
import { DNS_SUBDOMAIN_PATTERN } from "./schema-types.ts";

const strict = { additionalProperties: false } as const;

/** The roles, lowest first: each includes the ones before it. */
export const ROLES = ["read", "write", "admin"] as const;
export type Role = (typeof ROLES)[number];

const SecretName = (what: string) =>
  Type.String({ pattern: DNS_SUBDOMAIN_PATTERN, maxLength: 253, description: what });

const RoleSecret = (role: Role, opens: string) =>
  Type.Object(
    {
      secretName: SecretName(
        `Secret whose \`token\` key is the ${role} token; created with a random token when it does not exist.`,
      ),
    },
    { ...strict, description: `The ${role} token: ${opens}.` },
  );

export const Auth = Type.Object(
  {
    secretName: Type.Optional(
      SecretName(
        "Secret whose `token` key is a token with every role (read, write and admin); `replistore up` generates a local token instead.",
      ),
    ),
    read: Type.Optional(RoleSecret("read", "GET /v1/kv, the conflict queue and /v1/status")),
    write: Type.Optional(RoleSecret("write", "PUT and DELETE /v1/kv, plus everything read opens")),
    admin: Type.Optional(
      RoleSecret("admin", "resolving conflicts and draining nodes, plus everything write opens"),
    ),
  },
  {
    ...strict,
    description:
      "Require a token on every client request except probes, metrics and /openapi.json. Name at least one Secret; a role left out has no token of its own (a higher role's token still opens its routes).",
  },
);
export type Auth = Static<typeof Auth>;

/**
 * The Secret of a token that has `role`: that role's own, else the nearest higher role's, else the
 * all-roles `secretName`; undefined when no token has it (or the store has no auth).
 */
export function secretFor(auth: Auth | undefined, role: Role): string | undefined {
  if (!auth) return undefined;
  for (const r of ROLES.slice(ROLES.indexOf(role))) {
    const name = auth[r]?.secretName;
    if (name !== undefined) return name;
  }
  return auth.secretName;
}

/** Whether `auth` names any Secret at all (the schema's rule asks for one). */
export function namesASecret(auth: Auth): boolean {
  return auth.secretName !== undefined || ROLES.some((r) => auth[r] !== undefined);
}

/** Every Secret `auth` names, each once (the operator creates the missing ones). */
export function authSecretNames(auth: Auth | undefined): string[] {
  if (!auth) return [];
  const names = [auth.secretName, ...ROLES.map((r) => auth[r]?.secretName)];
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}
