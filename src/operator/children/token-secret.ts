/** The auth Secrets: each one spec.auth names that does not exist is created with a random token. */
import { randomBytes } from "node:crypto";
import { authSecretNames } from "../../api/auth-types.ts";
import { buildTokenSecret } from "../../builders/token-secret.ts";
import { SECRETS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { liveObject } from "./apply-owned.ts";

export async function reconcileTokenSecret(scope: ReconcileScope): Promise<void> {
  for (const secretName of authSecretNames(scope.store.spec.auth)) await ensureSecret(scope, secretName);
}

async function ensureSecret(scope: ReconcileScope, secretName: string): Promise<void> {
  if (await liveObject(scope, SECRETS, secretName)) return;
  // A fresh token per Secret: one role's token must not open another role's routes.
  const token = randomBytes(32).toString("base64url");
  const secret = buildTokenSecret(scope.store, { ...scope.ctx, token }, secretName);
  if (!secret) return;
  const outcome = await scope.applier.createIfAbsent(secret);
  const { namespace, uid } = scope.store.metadata;
  // Remembered without the token: only existence matters from here on.
  scope.live.remember(uid, SECRETS, namespace, secretName, { metadata: { name: secretName, namespace } });
  if (outcome === "created") {
    scope.report.written.push({ verb: "created", kind: "Secret", name: secretName });
    scope.log.info({ kind: "Secret", object: secretName }, "created an auth token Secret");
  }
}
