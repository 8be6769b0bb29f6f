/**
 * The TLS objects a store owns besides its pods' volumes: the CA bundle ConfigMap every mode with
 * TLS publishes, Auto's CA and leaf Secrets (from PEM the operator made), and Disabled's peer secret.
 * Pure: the keys and certificates come in as arguments.
 */
import type { V1ConfigMap, V1Secret } from "@kubernetes/client-node";
import type { StoreResource } from "./context.ts";
import { ownedMetadata } from "./labels.ts";
import {
  CA_CERT_KEY,
  CA_KEY_KEY,
  caConfigMapName,
  caSecretName,
  PEER_SECRET_KEY,
  peerSecretName,
  TLS_CERT_KEY,
  TLS_KEY_KEY,
  tlsSecretName,
} from "./tls-names.ts";

/** `data`, not `stringData`: server-side apply then owns the keys themselves, so a renewal replaces them. */
function base64(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));
}

export interface PemPair {
  certPem: string;
  keyPem: string;
}

/** `<store>-ca` (ConfigMap, key ca.crt): what clients, the plugin and Prometheus trust. */
export function buildCaConfigMap(store: StoreResource, caPem: string): V1ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: ownedMetadata(store, caConfigMapName(store), "tls"),
    data: { [CA_CERT_KEY]: caPem },
  };
}

/** Auto: `<store>-ca` (Secret), the store's CA and its key; the operator reads it, no pod mounts it. */
export function buildCaSecret(store: StoreResource, ca: PemPair): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: ownedMetadata(store, caSecretName(store), "tls"),
    type: "Opaque",
    data: base64({ [CA_CERT_KEY]: ca.certPem, [CA_KEY_KEY]: ca.keyPem }),
  };
}

/** Auto: `<store>-tls`, shaped as cert-manager writes it, so nodes read every mode alike. */
export function buildLeafSecret(store: StoreResource, leaf: PemPair, caPem: string): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: ownedMetadata(store, tlsSecretName(store), "tls"),
    type: "kubernetes.io/tls",
    data: base64({ [TLS_CERT_KEY]: leaf.certPem, [TLS_KEY_KEY]: leaf.keyPem, [CA_CERT_KEY]: caPem }),
  };
}

/** Disabled: `<store>-peer`, the secret peers send instead of a certificate; made once, never rotated by apply. */
export function buildPeerSecret(store: StoreResource, secret: string): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: ownedMetadata(store, peerSecretName(store), "tls"),
    type: "Opaque",
    data: base64({ [PEER_SECRET_KEY]: secret }),
  };
}
