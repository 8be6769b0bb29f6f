/**
 * A quorum-aware PodDisruptionBudget: no voluntary eviction (node drain, cluster upgrade) may leave
 * a key with fewer than W owners to write or R owners to read.
 *
 * Leaderless: each key lives on N of the pods, and which N depends on the key, so any set of k evicted
 * pods may all own one key. That key keeps N - k owners, which must be at least W (writes) and at
 * least R (reads): k <= N - W and k <= N - R, so maxUnavailable = min(N - W, N - R) = N - max(W, R).
 * With N = replicas the bound is exact; with N < replicas it is the worst case, which is what a
 * budget must guard. Since W and R are at least 1 this always keeps at least one owner of every key,
 * so Eventual stores (W + R <= N) get the same rule and never lose a key's last copy to an eviction.
 * When the result is 0 (W = N or R = N) no voluntary eviction is allowed: every pod is needed for
 * some key's quorum, and draining a node must wait for the store to be scaled or its quorums eased.
 *
 * MultiLeader: every pod holds every key, and each topology routes around one missing leader (the
 * ring skips it, the hub fails over, all-to-all needs no relay), so one pod at a time.
 */
import type { V1PodDisruptionBudget } from "@kubernetes/client-node";
import { effectiveReplication } from "../api/quorum.ts";
import type { ReplicatedStoreSpec } from "../api/replicated-store.ts";
import type { StoreResource } from "./context.ts";
import { nodeSelectorLabels, ownedMetadata } from "./labels.ts";
import { podDisruptionBudgetName } from "./names.ts";

export function maxUnavailable(spec: Pick<ReplicatedStoreSpec, "mode" | "replicas" | "replication">): number {
  if (spec.mode === "MultiLeader") return 1;
  const { factor, writeQuorum, readQuorum } = effectiveReplication(spec);
  return Math.max(0, factor - Math.max(writeQuorum, readQuorum));
}

export function buildPodDisruptionBudget(store: StoreResource): V1PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: ownedMetadata(store, podDisruptionBudgetName(store), "node"),
    spec: {
      selector: { matchLabels: nodeSelectorLabels(store) },
      maxUnavailable: maxUnavailable(store.spec),
      // A pod that is not ready serves nobody: evicting it costs no availability, and a stuck pod must
      // not block a node drain (its data stays on its volume and returns with it).
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    },
  };
}
