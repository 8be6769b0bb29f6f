/** Reads leader pod readiness from the operator's pod cache and decides the hub or ring in force. */
import type { V1Pod } from "@kubernetes/client-node";
import { parseDuration } from "../../api/duration.ts";
import type { ReplicatedStoreStatus } from "../../api/status.ts";
import type { StoreResource } from "../../builders/context.ts";
import { podName } from "../../builders/names.ts";
import { NODE_CONTAINER, STARTUP_BUDGET_MS } from "../../builders/node-container.ts";
import { decideFailover, type FailoverDecision, type LeaderPodState } from "./plan.ts";

/** A pod from the cache, by namespace and name. */
export type PodLookup = (namespace: string, name: string) => V1Pod | undefined;

export function podState(pod: V1Pod): LeaderPodState {
  const condition = pod.status?.conditions?.find((c) => c.type === "Ready");
  const ready = condition?.status === "True";
  const node = pod.status?.containerStatuses?.find((c) => c.name === NODE_CONTAINER);
  const startedAt = node?.state?.running?.startedAt;
  const notReadySince = condition?.lastTransitionTime;
  // Not ready since before its container started, never restarted: it has not been ready yet.
  const starting =
    !ready &&
    (node?.restartCount ?? 0) === 0 &&
    (!startedAt || !notReadySince || time(notReadySince) <= time(startedAt));
  const since = starting
    ? pod.metadata?.creationTimestamp
    : (notReadySince ?? pod.metadata?.creationTimestamp);
  return { ready, sinceMs: since ? time(since) : 0, ...(starting ? { starting } : {}) };
}

function time(value: Date | string): number {
  return new Date(value).getTime();
}

/** Leader pods of a MultiLeader store by ordinal, as the cache holds them; undefined otherwise. */
export function leaderPodStates(
  store: StoreResource,
  pods: PodLookup,
): Map<number, LeaderPodState> | undefined {
  const ml = store.spec.mode === "MultiLeader" ? store.spec.multiLeader : undefined;
  if (!ml) return undefined;
  const states = new Map<number, LeaderPodState>();
  for (let o = 0; o < ml.leaders; o++) {
    const pod = pods(store.metadata.namespace, podName(store, o));
    if (pod) states.set(o, podState(pod));
  }
  return states;
}

/** How many leader pods are ready; undefined when the cache holds none of them. */
export function readyLeaders(states: ReadonlyMap<number, LeaderPodState>): number | undefined {
  if (states.size === 0) return undefined;
  return [...states.values()].filter((s) => s.ready).length;
}

/** Undefined for a store without failover to decide (leaderless, or all-to-all). */
export function planFailover(
  store: StoreResource,
  previous: ReplicatedStoreStatus | undefined,
  states: ReadonlyMap<number, LeaderPodState>,
  now: Date,
): FailoverDecision | undefined {
  const ml = store.spec.mode === "MultiLeader" ? store.spec.multiLeader : undefined;
  if (!ml || ml.topology === "AllToAll") return undefined;
  return decideFailover({
    leaders: ml.leaders,
    topology: ml.topology,
    specHub: ml.hub,
    failoverAfterMs: parseDuration(ml.failoverAfter),
    startingGraceMs: STARTUP_BUDGET_MS,
    previousHub: previous?.topology === "Star" ? previous.hub : undefined,
    previousRing: previous?.topology === "Circle" ? previous.leaders : undefined,
    specChanged: previous?.observedGeneration !== store.metadata.generation,
    pods: states,
    nowMs: now.getTime(),
  });
}
