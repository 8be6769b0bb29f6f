/**
 * An auth Secret (spec.auth.secretName, or a role's), built only when it does not exist yet: the
 * operator creates it once and never applies it again, so the token stays put and a Secret the
 * user made is never touched. Owned by the store, so it goes when the store goes.
 */
import type { V1Secret } from "@kubernetes/client-node";
import { authSecretNames } from "../api/auth-types.ts";
import { type BuildContext, type StoreResource, TOKEN_KEY } from "./context.ts";
import { ownedMetadata } from "./labels.ts";

/** `secretName`: one of the Secrets spec.auth names; omitted, the first (see authSecretNames). */
export function buildTokenSecret(
  store: StoreResource,
  ctx: BuildContext,
  secretName: string | undefined = authSecretNames(store.spec.auth)[0],
): V1Secret | undefined {
  if (secretName === undefined) return undefined;
  if (!authSecretNames(store.spec.auth).includes(secretName)) {
    throw new Error(`buildTokenSecret: spec.auth names no Secret ${secretName}`);
  }
  if (!ctx.token) throw new Error("buildTokenSecret needs ctx.token (a random token)");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: ownedMetadata(store, secretName, "auth"),
    type: "Opaque",
    stringData: { [TOKEN_KEY]: ctx.token },
  };
}
