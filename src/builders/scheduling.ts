/**
 * Where node pods run, from spec.scheduling. The manifest keeps these as free-form Kubernetes objects
 * (the apiserver validates them when the StatefulSet is applied), so they are passed through as is:
 * none of these client models renames a JSON field, so the JSON is already the model's shape.
 */
import type {
  V1Affinity,
  V1PodSpec,
  V1Toleration,
  V1TopologySpreadConstraint,
} from "@kubernetes/client-node";
import type { StoreResource } from "./context.ts";
import { nodeSelectorLabels } from "./labels.ts";

type Scheduling = Pick<V1PodSpec, "affinity" | "tolerations" | "nodeSelector" | "topologySpreadConstraints">;

/**
 * Without an affinity in the spec, prefer one replica per Kubernetes node: losing a node then costs
 * one owner of a key, not several. Preferred, not required, so a small cluster still schedules all.
 */
export function defaultAffinity(store: StoreResource): V1Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: "kubernetes.io/hostname",
            labelSelector: { matchLabels: nodeSelectorLabels(store) },
          },
        },
      ],
    },
  };
}

export function podScheduling(store: StoreResource): Scheduling {
  const scheduling = store.spec.scheduling ?? {};
  const out: Scheduling = {
    affinity: scheduling.affinity ? (scheduling.affinity as V1Affinity) : defaultAffinity(store),
  };
  if (scheduling.tolerations) out.tolerations = scheduling.tolerations as unknown as V1Toleration[];
  if (scheduling.nodeSelector) out.nodeSelector = { ...scheduling.nodeSelector };
  if (scheduling.topologySpreadConstraints) {
    out.topologySpreadConstraints =
      scheduling.topologySpreadConstraints as unknown as V1TopologySpreadConstraint[];
  }
  return out;
}
