/** Labels, selectors, owner reference and metadata shared by every object a store owns. */
import type { V1ObjectMeta, V1OwnerReference } from "@kubernetes/client-node";
import { API_VERSION, KIND } from "../api/names.ts";
import type { StoreResource } from "./context.ts";

export const MANAGED_BY = "replistore-operator";
export const STORE_LABEL = "replistore.io/store";
/** Pods (or namespaces) with this label set to the store's name may reach its nodes. */
export const CLIENT_OF_LABEL = "replistore.io/client-of";
/**
 * On the node pods of MultiLeader stores: the operator watches those pods (their readiness drives
 * hub failover and ring healing) and no others, so its memory does not grow with leaderless stores.
 */
export const MULTI_LEADER_LABEL = "replistore.io/multi-leader";
/**
 * A namespace labelled <this>=true (where Prometheus runs) may reach every store's nodes: one
 * label value, unlike client-of, so one Prometheus can scrape many stores.
 */
export const MONITORING_LABEL = "replistore.io/monitoring";
/** The operator's pods carry app.kubernetes.io/name=<this>; the NetworkPolicy admits them. */
export const OPERATOR_APP_NAME = "replistore-operator";

export type Component =
  | "node"
  | "peers"
  | "client"
  | "config"
  | "repair"
  | "backup"
  | "auth"
  | "monitoring"
  | "tls";

/** On every object: what `kubectl get -l replistore.io/store=orders` and the operator's informers select. */
export function storeLabels(store: StoreResource, component: Component): Record<string, string> {
  return {
    "app.kubernetes.io/name": "replistore",
    "app.kubernetes.io/instance": store.metadata.name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/managed-by": MANAGED_BY,
    [STORE_LABEL]: store.metadata.name,
  };
}

/**
 * Selects a store's node pods and nothing else: not its repair Job's pods, which carry the store
 * label too. A StatefulSet selector is immutable, so this must never change.
 */
export function nodeSelectorLabels(store: StoreResource): Record<string, string> {
  return {
    "app.kubernetes.io/name": "replistore",
    "app.kubernetes.io/instance": store.metadata.name,
    "app.kubernetes.io/component": "node",
  };
}

/** The node pods' selector as a string, as the scale subresource's labelSelectorPath wants it. */
export function nodeLabelSelector(store: StoreResource): string {
  return Object.entries(nodeSelectorLabels(store))
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

/** controller: the store is the one owner that reconciles it; blockOwnerDeletion: foreground deletes wait for it. */
export function ownerReference(store: StoreResource): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: store.metadata.name,
    uid: store.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Keys only the operator sets: spec.inheritedMetadata cannot put them on (or take them off) an object. */
function operatorOwnsKey(key: string): boolean {
  return (
    key.startsWith("replistore.io/") ||
    [
      "app.kubernetes.io/name",
      "app.kubernetes.io/instance",
      "app.kubernetes.io/component",
      "app.kubernetes.io/managed-by",
    ].includes(key)
  );
}

function userEntries(map: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => !operatorOwnsKey(key)));
}

/**
 * Labels and annotations for an object (or a pod template) of the store: spec.inheritedMetadata
 * first, then the operator's own, which always win, so a user's label can never change what the
 * operator's selectors and informers match. Annotations are omitted when there are none.
 */
export function withInheritedMetadata(
  store: StoreResource,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): Pick<V1ObjectMeta, "labels" | "annotations"> {
  const inherited = store.spec.inheritedMetadata;
  const allAnnotations = { ...userEntries(inherited?.annotations), ...annotations };
  return {
    labels: { ...userEntries(inherited?.labels), ...labels },
    ...(Object.keys(allAnnotations).length > 0 ? { annotations: allAnnotations } : {}),
  };
}

export function ownedMetadata(
  store: StoreResource,
  name: string,
  component: Component,
  annotations?: Record<string, string>,
): V1ObjectMeta {
  return {
    name,
    namespace: store.metadata.namespace,
    ...withInheritedMetadata(store, storeLabels(store, component), annotations),
    ownerReferences: [ownerReference(store)],
  };
}
