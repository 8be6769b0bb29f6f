/**
 * What spec.tls means for the objects a store owns: the names of its TLS Secrets and ConfigMap,
 * where pods mount the certificate, and the DNS names the one store certificate must cover.
 */
import type { TlsMode } from "../api/tls-types.ts";
import type { BuildContext, StoreResource } from "./context.ts";
import { clientServiceName, peersServiceName } from "./names.ts";

/** Keys of a `kubernetes.io/tls` Secret with its CA, as cert-manager writes it and nodes read it. */
export const TLS_CERT_KEY = "tls.crt";
export const TLS_KEY_KEY = "tls.key";
export const CA_CERT_KEY = "ca.crt";
/** The Auto CA's private key, in the `<store>-ca` Secret only. */
export const CA_KEY_KEY = "ca.key";
/** The Disabled mode's peer secret, key of `<store>-peer`. */
export const PEER_SECRET_KEY = "secret";

export const TLS_VOLUME = "tls";
/** Where node and repair containers find tls.crt, tls.key and ca.crt (REPLISTORE_TLS_DIR). */
export const TLS_DIR = "/etc/replistore/tls";
/** Used for the certificate's SANs when the operator was given no --cluster-domain. */
const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

export const tlsMode = (store: StoreResource): TlsMode => store.spec.tls.mode;
export const tlsEnabled = (store: StoreResource): boolean => store.spec.tls.mode !== "Disabled";

/** Auto's CA (ca.crt, ca.key): the operator's alone, never mounted into a pod. */
export const caSecretName = (store: StoreResource) => `${store.metadata.name}-ca`;
/** The CA bundle clients and Prometheus trust (key ca.crt). */
export const caConfigMapName = (store: StoreResource) => `${store.metadata.name}-ca`;
export const peerSecretName = (store: StoreResource) => `${store.metadata.name}-peer`;
/** The cert-manager Certificate (CertManager mode). */
export const certificateName = (store: StoreResource) => `${store.metadata.name}-tls`;

/** The Secret the pods mount: the user's in Secret mode, else `<store>-tls` (Auto or cert-manager). */
export function tlsSecretName(store: StoreResource): string {
  const { mode, secretName } = store.spec.tls;
  return mode === "Secret" && secretName !== undefined ? secretName : `${store.metadata.name}-tls`;
}

/**
 * One certificate serves every node, as server and as peer: a wildcard under the headless peers
 * Service covers each pod's member URL, the client Service's names cover clients in and outside
 * the namespace. Both the short `.svc` and the cluster-domain forms, as clients use either.
 */
export function certificateDnsNames(
  store: StoreResource,
  ctx: Pick<BuildContext, "clusterDomain">,
): string[] {
  const ns = store.metadata.namespace;
  const domain = ctx.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const peers = peersServiceName(store);
  const client = clientServiceName(store);
  return [
    `*.${peers}.${ns}.svc`,
    `*.${peers}.${ns}.svc.${domain}`,
    client,
    `${client}.${ns}`,
    `${client}.${ns}.svc`,
    `${client}.${ns}.svc.${domain}`,
  ];
}

/** The name Prometheus and the operator check the certificate against when they dial a pod IP. */
export function tlsServerName(store: StoreResource): string {
  return storeServerName(clientServiceName(store), store.metadata.namespace);
}

/** The same, from names alone: the client Service is named after the store. */
export function storeServerName(store: string, namespace: string): string {
  return `${store}.${namespace}.svc`;
}
