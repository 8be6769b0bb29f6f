/**
 * A store's node pods, found through the apiserver by the labels its StatefulSet puts on them, and
 * the endpoints that reach them: directly at the pod IP (from inside the cluster: the operator; the
 * store's NetworkPolicy admits the operator's pods) or through the apiserver's pod proxy (from
 * anywhere a kubeconfig works: kubectl replistore, or an operator run from a workstation).
 */
import type { CoreV1Api, KubeConfig, V1Pod } from "@kubernetes/client-node";
import { NODE_PORT, PORT_NAME } from "../../api/names.ts";
import type { NodeEndpoint } from "../endpoint.ts";
import { httpEndpoint } from "../http-endpoint.ts";
import { podProxyEndpoint } from "../pod-proxy.ts";

export type PodRoute = "pod-ip" | "apiserver";
export const POD_ROUTES: readonly PodRoute[] = ["pod-ip", "apiserver"];

export interface StorePod {
  name: string;
  ip: string | undefined;
  port: number;
  ready: boolean;
  phase: string;
  /** container restarts, summed */
  restarts: number;
  node: string | undefined;
  startedAt: string | undefined;
}

/** The labels of src/builders/labels.ts nodeSelectorLabels: a store's node pods and nothing else. */
export function storePodSelector(store: string): string {
  return `app.kubernetes.io/name=replistore,app.kubernetes.io/instance=${store},app.kubernetes.io/component=node`;
}

function ordinal(name: string): number {
  const match = /-(\d+)$/.exec(name);
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
}

export function describePod(pod: V1Pod): StorePod {
  const ports = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  const port = ports.find((p) => p.name === PORT_NAME)?.containerPort ?? NODE_PORT;
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
  return {
    name: pod.metadata?.name ?? "",
    ip: pod.status?.podIP || undefined,
    port,
    ready,
    phase: pod.status?.phase ?? "Unknown",
    restarts: (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
    node: pod.spec?.nodeName,
    startedAt: pod.status?.startTime ? new Date(pod.status.startTime).toISOString() : undefined,
  };
}

/** Ready pods first, then by ordinal; pods being deleted are left out. */
export async function listStorePods(core: CoreV1Api, namespace: string, store: string): Promise<StorePod[]> {
  const list = await core.listNamespacedPod({ namespace, labelSelector: storePodSelector(store) });
  return list.items
    .filter((pod) => !pod.metadata?.deletionTimestamp)
    .map(describePod)
    .sort((a, b) => Number(b.ready) - Number(a.ready) || ordinal(a.name) - ordinal(b.name));
}

/**
 * How a store's nodes speak: TLS unless its spec.tls.mode is Disabled. The pod proxy needs only
 * that (the apiserver dials the pod and does not check its certificate); a direct connection also
 * needs the store's CA (ConfigMap `<store>-ca`) and the name its certificate covers.
 */
export interface StoreWire {
  tls: boolean;
  ca?: string;
  servername?: string;
}

export const PLAIN_WIRE: StoreWire = { tls: false };

export function storeUsesTls(spec: { tls?: { mode?: string } } | undefined): boolean {
  return (spec?.tls?.mode ?? "Auto") !== "Disabled";
}

/** The CA bundle the operator publishes for a store; undefined when there is none (yet). */
export async function readStoreCa(
  core: CoreV1Api,
  namespace: string,
  store: string,
): Promise<string | undefined> {
  try {
    const map = await core.readNamespacedConfigMap({ namespace, name: `${store}-ca` });
    return map.data?.["ca.crt"] || undefined;
  } catch {
    return undefined;
  }
}

/** Endpoints for the pods that have an IP (a pod without one has not started). */
export function podEndpoints(
  pods: readonly StorePod[],
  route: PodRoute,
  kc: KubeConfig,
  namespace: string,
  wire: StoreWire = PLAIN_WIRE,
): NodeEndpoint[] {
  return pods.flatMap((pod) => {
    if (!pod.ip) return [];
    if (route === "apiserver") return [podProxyEndpoint(kc, namespace, pod.name, pod.port, wire.tls)];
    const host = pod.ip.includes(":") ? `[${pod.ip}]` : pod.ip;
    if (!wire.tls) return [httpEndpoint(pod.name, `http://${host}:${pod.port}`)];
    return [
      httpEndpoint(pod.name, `https://${host}:${pod.port}`, {
        ...(wire.ca !== undefined ? { ca: wire.ca } : {}),
        ...(wire.servername !== undefined ? { servername: wire.servername } : {}),
      }),
    ];
  });
}
