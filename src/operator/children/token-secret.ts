/** The auth Secret: created with a random token when spec.auth names one that does not exist. */
import { randomBytes } from "node:crypto";
import { buildTokenSecret } from "../../builders/token-secret.ts";
import { SECRETS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { liveObject } from "./apply-owned.ts";

export async function reconcileTokenSecret(scope: ReconcileScope): Promise<void> {
  const secretName = scope.store.spec.auth?.secretName;
  if (secretName === undefined) return;
  if (await liveObject(scope, SECRETS, secretName)) return;
  const token = randomBytes(32).toString("base64url");
  const secret = buildTokenSecret(scope.store, { ...scope.ctx, token });
  if (!secret) return;
  const outcome = await scope.applier.createIfAbsent(secret);
  const { namespace, uid } = scope.store.metadata;
  // Remembered without the token: only existence matters from here on.
  scope.live.remember(uid, SECRETS, namespace, secretName, { metadata: { name: secretName, namespace } });
  if (outcome === "created") {
    scope.report.written.push({ verb: "created", kind: "Secret", name: secretName });
    scope.log.info({ kind: "Secret", object: secretName }, "created the auth token Secret");
  }
}
