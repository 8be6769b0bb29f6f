/**
 * Where a store's pods run and as whom, from spec.scheduling, spec.imagePullSecrets and
 * spec.serviceAccountName. The manifest types these fields as core/v1 does (src/api/pod-types.ts),
 * so they are copied over field for field; the apiserver checks the rest when the StatefulSet and the
 * CronJob are applied.
 */
import type { V1Affinity, V1PodSpec, V1TopologySpreadConstraint } from "@kubernetes/client-node";
import type { BuildContext, StoreResource } from "./context.ts";
import { nodeSelectorLabels } from "./labels.ts";

type Scheduling = Pick<
  V1PodSpec,
  "affinity" | "tolerations" | "nodeSelector" | "topologySpreadConstraints" | "priorityClassName"
>;
type Identity = Pick<V1PodSpec, "serviceAccountName" | "imagePullSecrets">;

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

/** The topology keys replicas spread over by default: Kubernetes nodes, then zones. */
export const DEFAULT_SPREAD_KEYS = ["kubernetes.io/hostname", "topology.kubernetes.io/zone"] as const;

/**
 * Without constraints in the spec, spread replicas as evenly as possible over nodes and over zones,
 * so losing a node or a zone costs as few owners of a key as the cluster allows. ScheduleAnyway: a
 * preference the scheduler scores, never a reason to leave a pod Pending (a cluster with one zone,
 * or nodes without the zone label, still runs every replica).
 */
export function defaultTopologySpread(store: StoreResource): V1TopologySpreadConstraint[] {
  return DEFAULT_SPREAD_KEYS.map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: nodeSelectorLabels(store) },
  }));
}

function copy<T extends object>(items: readonly T[]): T[] {
  return structuredClone([...items]);
}

/** The node pods' scheduling: the spec's, or the default affinity and spread. `{}` and `[]` switch a default off. */
export function podScheduling(store: StoreResource): Scheduling {
  const scheduling = store.spec.scheduling ?? {};
  const out: Scheduling = {
    affinity: scheduling.affinity ? structuredClone(scheduling.affinity) : defaultAffinity(store),
  };
  if (scheduling.tolerations) out.tolerations = copy(scheduling.tolerations);
  if (scheduling.nodeSelector) out.nodeSelector = { ...scheduling.nodeSelector };
  out.topologySpreadConstraints = scheduling.topologySpreadConstraints
    ? copy(scheduling.topologySpreadConstraints)
    : defaultTopologySpread(store);
  if (scheduling.priorityClassName) out.priorityClassName = scheduling.priorityClassName;
  return out;
}

/**
 * The repair Job's pods: the same nodes (nodeSelector), taints and priority as the store's, but no
 * affinity or spread, which are about where replicas sit relative to each other.
 */
export function repairScheduling(store: StoreResource): Scheduling {
  const { affinity: _affinity, topologySpreadConstraints: _spread, ...rest } = podScheduling(store);
  return rest;
}

/**
 * Service account and pull secrets of every pod of the store. Pull secrets: the spec's, else the
 * operator's own (ctx), so a private registry set up once for the operator works for its stores;
 * `imagePullSecrets: []` asks for none.
 */
export function podIdentity(store: StoreResource, ctx: BuildContext): Identity {
  const out: Identity = {};
  if (store.spec.serviceAccountName) out.serviceAccountName = store.spec.serviceAccountName;
  const secrets = store.spec.imagePullSecrets ?? ctx.imagePullSecrets?.map((name) => ({ name }));
  if (secrets && secrets.length > 0) out.imagePullSecrets = secrets.map(({ name }) => ({ name }));
  return out;
}
