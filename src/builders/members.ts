/**
 * A store's members as the nodes see them: pod `<name>-<i>` at its stable DNS name under the headless
 * peers Service. Pod IPs change on every restart; these names do not.
 */

import { NODE_PORT, PEER_PORT } from "../api/names.ts";
import type { Member } from "../config/cluster-config.ts";
import type { BuildContext, StoreResource } from "./context.ts";
import { peersServiceName, podName } from "./names.ts";
import { tlsEnabled } from "./tls-names.ts";

function memberHost(store: StoreResource, ordinal: number, ctx: BuildContext): string {
  const domain = ctx.clusterDomain ? `svc.${ctx.clusterDomain}` : "svc";
  return `${podName(store, ordinal)}.${peersServiceName(store)}.${store.metadata.namespace}.${domain}`;
}

const scheme = (store: StoreResource) => (tlsEnabled(store) ? "https" : "http");

export function memberUrl(store: StoreResource, ordinal: number, ctx: BuildContext): string {
  return `${scheme(store)}://${memberHost(store, ordinal, ctx)}:${NODE_PORT}`;
}

/** The node's peer listener (/internal/...), which only the store's pods may reach. */
export function memberPeerUrl(store: StoreResource, ordinal: number, ctx: BuildContext): string {
  return `${scheme(store)}://${memberHost(store, ordinal, ctx)}:${PEER_PORT}`;
}

/** Pods `0..replicas-1`, or, while a scale-down drains the leaving pods, the members still in force. */
export function storeMembers(store: StoreResource, ctx: BuildContext): Member[] {
  const count = ctx.scaleDown?.members ?? store.spec.replicas;
  return Array.from({ length: count }, (_, ordinal) => ({
    id: podName(store, ordinal),
    url: memberUrl(store, ordinal, ctx),
    peerUrl: memberPeerUrl(store, ordinal, ctx),
  }));
}
