/**
 * Who may open connections to a store's nodes. The peer port (7071, the /internal/... routes) admits
 * only the store's own pods. The client port (7070):
 * - the store's own pods: peers, and the repair Job (both carry replistore.io/store=<name>);
 * - client pods in the store's namespace labelled replistore.io/client-of=<name>;
 * - every pod of a namespace labelled replistore.io/client-of=<name> (clients elsewhere);
 * - Prometheus, as spec.monitoring.scrapeFrom (or the operator's default) says; by default every
 *   pod of a namespace labelled replistore.io/monitoring=true (scraping any number of stores;
 *   without spec.auth it could also call the API, like any client);
 * - the operator's pods (app.kubernetes.io/name=replistore-operator in its namespace), which read
 *   node status and drain nodes.
 * Kubelet probes come from the node itself, which NetworkPolicy implementations allow. Labels are
 * not authentication: with spec.auth every request still needs the token.
 */
import type { V1NetworkPolicy, V1NetworkPolicyPeer } from "@kubernetes/client-node";
import { NODE_PORT, PEER_PORT } from "../api/names.ts";
import type { BuildContext, StoreResource } from "./context.ts";
import {
  CLIENT_OF_LABEL,
  nodeSelectorLabels,
  OPERATOR_APP_NAME,
  ownedMetadata,
  STORE_LABEL,
} from "./labels.ts";
import { monitoringSettings } from "./monitoring-settings.ts";
import { networkPolicyName } from "./names.ts";

/** Nodes and repair Jobs: the only pods that may speak the peer protocol. */
function storePods(store: StoreResource): V1NetworkPolicyPeer {
  return { podSelector: { matchLabels: { [STORE_LABEL]: store.metadata.name } } };
}

export function allowedPeers(store: StoreResource, ctx: BuildContext): V1NetworkPolicyPeer[] {
  const name = store.metadata.name;
  return [
    storePods(store),
    { podSelector: { matchLabels: { [CLIENT_OF_LABEL]: name } } },
    { namespaceSelector: { matchLabels: { [CLIENT_OF_LABEL]: name } } },
    scrapers(store, ctx),
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ctx.operatorNamespace } },
      podSelector: { matchLabels: { "app.kubernetes.io/name": OPERATOR_APP_NAME } },
    },
  ];
}

/** Prometheus: wherever spec.monitoring.scrapeFrom (or the operator's default) says. */
function scrapers(store: StoreResource, ctx: BuildContext): V1NetworkPolicyPeer {
  const { namespaceLabels, podLabels } = monitoringSettings(store, ctx).scrapeFrom;
  return {
    // An empty selector matches every namespace (or pod); absent podLabels: every pod there.
    namespaceSelector: { matchLabels: namespaceLabels ?? {} },
    ...(podLabels !== undefined ? { podSelector: { matchLabels: podLabels } } : {}),
  };
}

export function buildNetworkPolicy(store: StoreResource, ctx: BuildContext): V1NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: ownedMetadata(store, networkPolicyName(store), "node"),
    spec: {
      podSelector: { matchLabels: nodeSelectorLabels(store) },
      policyTypes: ["Ingress"],
      // `_from` is the client model's name for `from` (a reserved word); the serializer maps it back.
      ingress: [
        { _from: allowedPeers(store, ctx), ports: [{ protocol: "TCP", port: NODE_PORT }] },
        { _from: [storePods(store)], ports: [{ protocol: "TCP", port: PEER_PORT }] },
      ],
    },
  };
}
