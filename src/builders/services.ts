/**
 * Two Services over the node pods. The headless peers Service gives each pod its DNS name (the
 * member URLs in cluster.json) and publishes pods before they are ready, because a starting node
 * must reach its peers to become ready at all. The client Service balances over ready nodes only:
 * any node coordinates any request.
 */
import type { V1Service, V1ServicePort } from "@kubernetes/client-node";
import { NODE_PORT, PEER_PORT, PEER_PORT_NAME, PORT_NAME } from "../api/names.ts";
import type { StoreResource } from "./context.ts";
import { nodeSelectorLabels, ownedMetadata } from "./labels.ts";
import { clientServiceName, peersServiceName } from "./names.ts";

function ports(): V1ServicePort[] {
  return [{ name: PORT_NAME, port: NODE_PORT, targetPort: PORT_NAME, protocol: "TCP" }];
}

/** Peers reach each other's peer port by pod DNS name; clients never need it, so only the headless Service has it. */
function peerPorts(): V1ServicePort[] {
  return [...ports(), { name: PEER_PORT_NAME, port: PEER_PORT, targetPort: PEER_PORT_NAME, protocol: "TCP" }];
}

export function buildPeersService(store: StoreResource): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: ownedMetadata(store, peersServiceName(store), "peers"),
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: nodeSelectorLabels(store),
      ports: peerPorts(),
    },
  };
}

export function buildClientService(store: StoreResource): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: ownedMetadata(store, clientServiceName(store), "client"),
    spec: {
      type: "ClusterIP",
      selector: nodeSelectorLabels(store),
      ports: ports(),
    },
  };
}
