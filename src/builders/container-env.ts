/** Environment shared by node and repair containers. */
import type { V1EnvVar } from "@kubernetes/client-node";
import { ROLES, type Role, secretFor } from "../api/auth-types.ts";
import { NODE_RUNTIME_FLAGS } from "../config/node-runtime-flags.ts";
import { type StoreResource, TOKEN_KEY } from "./context.ts";

/** The same V8 flags `replistore up` passes on the command line (see node-runtime-flags.ts for why). */
export function nodeOptionsEnv(): V1EnvVar {
  return { name: "NODE_OPTIONS", value: NODE_RUNTIME_FLAGS.join(" ") };
}

/** The variable `replistore node` reads each role's token from. */
export const ROLE_TOKEN_ENV: Record<Role, string> = {
  read: "REPLISTORE_READ_TOKEN",
  write: "REPLISTORE_WRITE_TOKEN",
  admin: "REPLISTORE_ADMIN_TOKEN",
};

function fromSecret(name: string, secretName: string): V1EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key: TOKEN_KEY } } };
}

/**
 * A node's client tokens from the auth Secrets: REPLISTORE_TOKEN (every role) from spec.auth.secretName,
 * and one variable per role whose Secret spec.auth names; none without spec.auth. Not optional: a
 * node missing a token would refuse the clients holding it.
 */
export function tokenEnv(store: StoreResource): V1EnvVar[] {
  const auth = store.spec.auth;
  if (!auth) return [];
  const env: V1EnvVar[] = [];
  if (auth.secretName !== undefined) env.push(fromSecret("REPLISTORE_TOKEN", auth.secretName));
  for (const role of ROLES) {
    const secretName = auth[role]?.secretName;
    if (secretName !== undefined) env.push(fromSecret(ROLE_TOKEN_ENV[role], secretName));
  }
  return env;
}

/**
 * The repair Job's token (REPLISTORE_TOKEN): an admin one, since repair is an admin's action; none
 * without spec.auth or when no Secret holds an admin token.
 */
export function repairTokenEnv(store: StoreResource): V1EnvVar[] {
  const secretName = secretFor(store.spec.auth, "admin");
  return secretName === undefined ? [] : [fromSecret("REPLISTORE_TOKEN", secretName)];
}
