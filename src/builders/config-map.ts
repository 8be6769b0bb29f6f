/**
 * `<name>-config`: the cluster.json every node reads (and reloads on change) and the repair Job
 * reads. The hash annotation says which config the map holds without parsing it. It is deliberately
 * NOT copied to the pod template: a changed config reaches running nodes through the kubelet's
 * ConfigMap volume refresh and the node's file watcher, so it must not roll the pods.
 */
import type { V1ConfigMap } from "@kubernetes/client-node";
import { fromManifest } from "../config/from-manifest.ts";
import { type BuildContext, CONFIG_KEY, type StoreResource } from "./context.ts";
import { contentHash } from "./hash.ts";
import { ownedMetadata } from "./labels.ts";
import { storeMembers } from "./members.ts";
import { configMapName } from "./names.ts";

export const CONFIG_HASH_ANNOTATION = "replistore.io/config-hash";

export function clusterConfigJson(store: StoreResource, ctx: BuildContext): string {
  const config = fromManifest(
    store,
    storeMembers(store, ctx),
    ctx.configGeneration,
    ctx.failover,
    ctx.bootstrap?.backupId !== undefined
      ? { backupId: ctx.bootstrap.backupId, destination: ctx.bootstrap.destination }
      : undefined,
  );
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function buildConfigMap(store: StoreResource, ctx: BuildContext): V1ConfigMap {
  const json = clusterConfigJson(store, ctx);
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: ownedMetadata(store, configMapName(store), "config", {
      [CONFIG_HASH_ANNOTATION]: contentHash(json),
    }),
    data: { [CONFIG_KEY]: json },
  };
}
