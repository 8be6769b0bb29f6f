/**
 * A store's members as the nodes see them: pod `<name>-<i>` at its stable DNS name under the headless
 * peers Service. Pod IPs change on every restart; these names do not.
 */
import type { Member } from "../config/cluster-config.ts";
import { type BuildContext, NODE_PORT, type StoreResource } from "./context.ts";
import { peersServiceName, podName } from "./names.ts";

export function memberUrl(store: StoreResource, ordinal: number, ctx: BuildContext): string {
  const domain = ctx.clusterDomain ? `svc.${ctx.clusterDomain}` : "svc";
  const host = `${podName(store, ordinal)}.${peersServiceName(store)}.${store.metadata.namespace}.${domain}`;
  return `http://${host}:${NODE_PORT}`;
}

export function storeMembers(store: StoreResource, ctx: BuildContext): Member[] {
  return Array.from({ length: store.spec.replicas }, (_, ordinal) => ({
    id: podName(store, ordinal),
    url: memberUrl(store, ordinal, ctx),
  }));
}
