/**
 * What spec.tls adds to the node and repair pods: the certificate volume and its mount, and the
 * environment that points the process at it (or, with TLS Disabled, at the peer secret).
 */
import type { V1EnvVar, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import type { StoreResource } from "./context.ts";
import {
  PEER_SECRET_KEY,
  peerSecretName,
  TLS_DIR,
  TLS_VOLUME,
  tlsEnabled,
  tlsSecretName,
} from "./tls-names.ts";

/** Readable by the pod's fsGroup (the node's group) and nobody else. */
const SECRET_MODE = 0o440;

/** REPLISTORE_TLS_DIR with TLS on; REPLISTORE_PEER_SECRET from `<store>-peer` with it off. */
export function tlsEnv(store: StoreResource): V1EnvVar[] {
  if (tlsEnabled(store)) return [{ name: "REPLISTORE_TLS_DIR", value: TLS_DIR }];
  return [
    {
      name: "REPLISTORE_PEER_SECRET",
      valueFrom: { secretKeyRef: { name: peerSecretName(store), key: PEER_SECRET_KEY } },
    },
  ];
}

/**
 * The certificate Secret as a whole directory, never a subPath: the kubelet refreshes only whole
 * Secret volumes (an atomic symlink swap), which is how a renewed certificate reaches running nodes.
 */
export function tlsVolumes(store: StoreResource): V1Volume[] {
  if (!tlsEnabled(store)) return [];
  return [{ name: TLS_VOLUME, secret: { secretName: tlsSecretName(store), defaultMode: SECRET_MODE } }];
}

export function tlsVolumeMounts(store: StoreResource): V1VolumeMount[] {
  if (!tlsEnabled(store)) return [];
  return [{ name: TLS_VOLUME, mountPath: TLS_DIR, readOnly: true }];
}

/** Kubelet probes speak HTTPS to a TLS node (without verifying it, as kubelet probes do). */
export function probeScheme(store: StoreResource): "HTTPS" | "HTTP" {
  return tlsEnabled(store) ? "HTTPS" : "HTTP";
}
