/**
 * The auth Secret (spec.auth.secretName), built only when it does not exist yet: the operator creates
 * it once and never applies it again, so the token stays put and a Secret the user made is never
 * touched. Owned by the store, so it goes when the store goes.
 */
import type { V1Secret } from "@kubernetes/client-node";
import { type BuildContext, type StoreResource, TOKEN_KEY } from "./context.ts";
import { ownedMetadata } from "./labels.ts";

export function buildTokenSecret(store: StoreResource, ctx: BuildContext): V1Secret | undefined {
  const secretName = store.spec.auth?.secretName;
  if (secretName === undefined) return undefined;
  if (!ctx.token) throw new Error("buildTokenSecret needs ctx.token (a random token)");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: ownedMetadata(store, secretName, "auth"),
    type: "Opaque",
    stringData: { [TOKEN_KEY]: ctx.token },
  };
}
