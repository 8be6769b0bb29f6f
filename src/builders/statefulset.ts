/**
 * The replica nodes: StatefulSet `<name>`, pods `<name>-<i>` with stable DNS names under the peers
 * Service and one PersistentVolumeClaim `data-<name>-<i>` each.
 */

import type { V1PersistentVolumeClaim, V1StatefulSet } from "@kubernetes/client-node";
import { destinationVolumes } from "./backup-destination-pod.ts";
import { type BuildContext, DATA_VOLUME, type StoreResource } from "./context.ts";
import {
  MULTI_LEADER_LABEL,
  nodeSelectorLabels,
  ownedMetadata,
  storeLabels,
  withInheritedMetadata,
} from "./labels.ts";
import { configMapName, peersServiceName, statefulSetName } from "./names.ts";
import { CONFIG_VOLUME, nodeContainer, TMP_VOLUME } from "./node-container.ts";
import { podIdentity, podScheduling } from "./scheduling.ts";
import { podSecurityContext } from "./security.ts";
import { tlsVolumes } from "./tls-pod.ts";

/** The mode the StatefulSet was built for, so the operator can refuse a mode change on a live store. */
export const MODE_ANNOTATION = "replistore.io/mode";

type RetentionPolicy = "Retain" | "Delete";

/** retainOnDelete keeps claims both when the store is deleted and when it scales down. */
export function claimRetention(store: StoreResource): {
  whenDeleted: RetentionPolicy;
  whenScaled: RetentionPolicy;
} {
  const policy: RetentionPolicy = store.spec.storage.retainOnDelete ? "Retain" : "Delete";
  return { whenDeleted: policy, whenScaled: policy };
}

/**
 * The claim template stays as it was (no inherited metadata, unlike every other object): a
 * StatefulSet cannot change it once created, so a label added later could never be applied.
 */
function dataClaimTemplate(store: StoreResource): V1PersistentVolumeClaim {
  const { size, storageClassName } = store.spec.storage;
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: DATA_VOLUME, labels: storeLabels(store, "node") },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: size } },
      ...(storageClassName !== undefined ? { storageClassName } : {}),
    },
  };
}

export function buildStatefulSet(store: StoreResource, ctx: BuildContext): V1StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: ownedMetadata(store, statefulSetName(store), "node", { [MODE_ANNOTATION]: store.spec.mode }),
    spec: {
      // A scale-down keeps the leaving pods until they are drained (operator/scale-down/plan.ts).
      replicas: ctx.scaleDown?.pods ?? store.spec.replicas,
      serviceName: peersServiceName(store),
      // Nodes find each other through the config, not through start order: start them all at once.
      podManagementPolicy: "Parallel",
      selector: { matchLabels: nodeSelectorLabels(store) },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: claimRetention(store),
      volumeClaimTemplates: [dataClaimTemplate(store)],
      template: {
        metadata: withInheritedMetadata(
          store,
          {
            ...storeLabels(store, "node"),
            ...(store.spec.mode === "MultiLeader" ? { [MULTI_LEADER_LABEL]: "true" } : {}),
          },
          { "kubectl.kubernetes.io/default-container": "node" },
        ),
        spec: {
          // Nodes never call the Kubernetes API, whichever service account they run as.
          ...podIdentity(store, ctx),
          automountServiceAccountToken: false,
          // Service environment variables are noise to a node and grow with the namespace.
          enableServiceLinks: false,
          securityContext: podSecurityContext(),
          terminationGracePeriodSeconds: 30,
          containers: [nodeContainer(store, ctx)],
          volumes: [
            { name: CONFIG_VOLUME, configMap: { name: configMapName(store) } },
            { name: TMP_VOLUME, emptyDir: { sizeLimit: "64Mi" } },
            ...tlsVolumes(store),
            ...(ctx.bootstrap ? destinationVolumes(ctx.bootstrap.destination, true) : []),
          ],
          ...podScheduling(store),
        },
      },
    },
  };
}
