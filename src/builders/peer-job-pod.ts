/**
 * The pod of a Job that acts as a peer of the store's nodes (the repair Job, a backup Job): it reads
 * the members from the store's ConfigMap and authenticates with the nodes' certificate or peer
 * secret. It talks to the nodes (and, for a backup, its destination) only, never to the Kubernetes
 * API; one attempt, its result in the container's termination message.
 */
import type { V1EnvVar, V1PodSpec, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import { nodeOptionsEnv, repairTokenEnv } from "./container-env.ts";
import { type BuildContext, CONFIG_DIR, type StoreResource } from "./context.ts";
import { configMapName } from "./names.ts";
import { CONFIG_VOLUME, storeImage, TMP_VOLUME } from "./node-container.ts";
import { podIdentity, repairScheduling } from "./scheduling.ts";
import { containerSecurityContext, podSecurityContext } from "./security.ts";
import { tlsEnv, tlsVolumeMounts, tlsVolumes } from "./tls-pod.ts";

export interface PeerJobContainer {
  name: string;
  args: string[];
  /** what this Job needs beyond a peer's credentials (e.g. a backup destination's) */
  env?: V1EnvVar[];
  volumeMounts?: V1VolumeMount[];
  volumes?: V1Volume[];
}

export function peerJobPodSpec(
  store: StoreResource,
  ctx: BuildContext,
  container: PeerJobContainer,
): V1PodSpec {
  return {
    restartPolicy: "Never",
    ...podIdentity(store, ctx),
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: podSecurityContext(),
    containers: [
      {
        name: container.name,
        image: storeImage(store, ctx),
        args: container.args,
        env: [...repairTokenEnv(store), ...tlsEnv(store), ...(container.env ?? []), nodeOptionsEnv()],
        volumeMounts: [
          { name: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true },
          { name: TMP_VOLUME, mountPath: "/tmp" },
          ...tlsVolumeMounts(store),
          ...(container.volumeMounts ?? []),
        ],
        securityContext: containerSecurityContext(),
      },
    ],
    volumes: [
      { name: CONFIG_VOLUME, configMap: { name: configMapName(store) } },
      { name: TMP_VOLUME, emptyDir: { sizeLimit: "64Mi" } },
      ...tlsVolumes(store),
      ...(container.volumes ?? []),
    ],
    ...repairScheduling(store),
  };
}
