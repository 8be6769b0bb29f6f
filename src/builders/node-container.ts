/** The `replistore node` container of a replica pod. */

import type { V1Container, V1ResourceRequirements } from "@kubernetes/client-node";
import { NODE_PORT, PEER_PORT, PEER_PORT_NAME, PORT_NAME } from "../api/names.ts";
import { destinationEnv, destinationVolumeMounts } from "./backup-destination-pod.ts";
import { nodeOptionsEnv, tokenEnv } from "./container-env.ts";
import {
  type BuildContext,
  CONFIG_DIR,
  CONFIG_PATH,
  DATA_DIR,
  DATA_VOLUME,
  type StoreResource,
} from "./context.ts";
import { containerSecurityContext } from "./security.ts";
import { probeScheme, tlsEnv, tlsVolumeMounts } from "./tls-pod.ts";

export const NODE_CONTAINER = "node";
export const CONFIG_VOLUME = "config";
export const TMP_VOLUME = "tmp";
/** The startup probe: every 2 s, up to 60 failures, so a node has 2 minutes to start before the kubelet restarts it. */
const STARTUP_PERIOD_SECONDS = 2;
const STARTUP_FAILURE_THRESHOLD = 60;
/** Six hours of startup for a node restoring a backup on its first start. */
const RESTORE_FAILURE_THRESHOLD = (6 * 3600) / STARTUP_PERIOD_SECONDS;
export const STARTUP_BUDGET_MS = STARTUP_PERIOD_SECONDS * STARTUP_FAILURE_THRESHOLD * 1000;

export function storeImage(store: StoreResource, ctx: BuildContext): string {
  return store.spec.image ?? ctx.image;
}

export function nodeContainer(store: StoreResource, ctx: BuildContext): V1Container {
  const scheme = probeScheme(store);
  const container: V1Container = {
    name: NODE_CONTAINER,
    image: storeImage(store, ctx),
    args: ["node"],
    ports: [
      { name: PORT_NAME, containerPort: NODE_PORT, protocol: "TCP" },
      { name: PEER_PORT_NAME, containerPort: PEER_PORT, protocol: "TCP" },
    ],
    env: [
      // The pod name is the member id in cluster.json: a StatefulSet keeps it stable across restarts.
      { name: "REPLISTORE_NODE_ID", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "REPLISTORE_LISTEN", value: `0.0.0.0:${NODE_PORT}` },
      // Peer routes on a port of their own, which the NetworkPolicy opens to the store's pods only.
      { name: "REPLISTORE_PEER_LISTEN", value: `0.0.0.0:${PEER_PORT}` },
      { name: "REPLISTORE_DATA_DIR", value: DATA_DIR },
      { name: "REPLISTORE_CONFIG", value: CONFIG_PATH },
      ...tokenEnv(store),
      ...tlsEnv(store),
      // A new store's nodes read their backup themselves, with the destination's credentials.
      ...(ctx.bootstrap ? destinationEnv(ctx.bootstrap.destination, true) : []),
      nodeOptionsEnv(),
    ],
    volumeMounts: [
      { name: DATA_VOLUME, mountPath: DATA_DIR },
      // The whole directory, never a subPath: the kubelet only refreshes a ConfigMap mounted as a
      // directory (by swapping a symlink, which the node's watcher sees).
      { name: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true },
      { name: TMP_VOLUME, mountPath: "/tmp" },
      ...tlsVolumeMounts(store),
      ...(ctx.bootstrap ? destinationVolumeMounts(ctx.bootstrap.destination) : []),
    ],
    // Startup gives a node time to open its storage and rebuild its trees before liveness counts.
    startupProbe: {
      httpGet: { path: "/healthz", port: PORT_NAME, scheme },
      periodSeconds: STARTUP_PERIOD_SECONDS,
      timeoutSeconds: 2,
      // A node loads its backup before it listens: a large one may take a long while.
      failureThreshold: ctx.bootstrap ? RESTORE_FAILURE_THRESHOLD : STARTUP_FAILURE_THRESHOLD,
    },
    livenessProbe: {
      httpGet: { path: "/healthz", port: PORT_NAME, scheme },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
    },
    readinessProbe: {
      httpGet: { path: "/readyz", port: PORT_NAME, scheme },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
    securityContext: containerSecurityContext(),
  };
  const { requests, limits } = store.spec.resources ?? {};
  if (requests || limits) {
    const resources: V1ResourceRequirements = {};
    if (requests) resources.requests = { ...requests };
    if (limits) resources.limits = { ...limits };
    container.resources = resources;
  }
  return container;
}
