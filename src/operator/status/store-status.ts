/**
 * The store's status from what the operator observed: the StatefulSet's pod counts, the problems
 * this reconcile ran into, and the previous status (for transition times and for whether the store
 * was ever available). Pure, so every rule here is unit-tested.
 *
 * - QuorumAvailable: every key still has W owners ready for writes and R for reads. Any set of k
 *   missing pods may own one key together, so this holds while k <= N - max(W, R) (exact when
 *   N = replicas, the worst case otherwise). MultiLeader stores are judged by their ready count only.
 * - Progressing: the StatefulSet has not caught up with the spec, or pods are still coming up.
 * - Degraded: the spec could not be applied (problems), quorum was lost after the store had been
 *   available, or pods stayed unready past the progress deadline.
 * - Ready: the StatefulSet runs the current spec and every replica is ready.
 */
import { effectiveReplication } from "../../api/quorum.ts";
import type { ReplicatedStoreSpec } from "../../api/replicated-store.ts";
import { MANIFEST_WARNINGS } from "../../api/rules.ts";
import type { BootstrapStatus, ReplicatedStoreStatus } from "../../api/status.ts";
import { completedBootstrap } from "../bootstrap/plan.ts";
import type { TlsReport } from "../tls/tls-report.ts";
import {
  type ConditionInput,
  conditionOf,
  mergeConditions,
  type Transition,
  transitions,
} from "./conditions.ts";
import type { ObservedStatus } from "./observed-status.ts";
import { quorumString } from "./quorum-summary.ts";

/** The StatefulSet fields status depends on. */
export interface StatefulSetView {
  generation: number;
  observedGeneration: number;
  /** pods that exist */
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  currentRevision?: string;
  updateRevision?: string;
}

/**
 * Something that kept the spec from being applied; it degrades the store and, unless blocksReady is
 * false (the store runs fine, just not quite as asked), keeps it from being Ready.
 */
export interface Problem {
  reason: string;
  message: string;
  blocksReady?: boolean;
}

export interface StatusInput {
  name: string;
  spec: ReplicatedStoreSpec;
  generation: number;
  statefulSet: StatefulSetView | undefined;
  previous: ReplicatedStoreStatus | undefined;
  problems: readonly Problem[];
  /** Said in the Ready message without degrading the store (e.g. monitoring skipped). */
  notes: readonly string[];
  now: Date;
  /** The node pods' label selector, published for the scale subresource (kubectl scale, HPA). */
  selector?: string;
  /** How long pods may stay unready before the store is Degraded (default 10 min). */
  progressDeadlineMs?: number;
  /** MultiLeader: leader pods ready (from the operator's pod cache), when known. */
  readyLeaders?: number;
  /** MultiLeader failover in force: the hub and the Circle ring, by ordinal. */
  failover?: { hub?: number; ring?: number[] };
  /** Replaces the computed Progressing condition (a scale-down draining the leaving pods first). */
  progressing?: ConditionInput;
  /** Conflicts pending and the last anti-entropy run, with their conditions. */
  observed?: ObservedStatus;
  /** The TLS condition and status.tls. */
  tls?: TlsReport;
  /** spec.bootstrap's backup as chosen; completed here once every replica is ready. */
  bootstrap?: BootstrapStatus;
}

export interface StatusResult {
  status: ReplicatedStoreStatus;
  transitions: Transition[];
  /** Look again after this long: the progress deadline will pass. */
  recheckAfterMs?: number;
}

const DEFAULT_PROGRESS_DEADLINE_MS = 10 * 60_000;

function rolloutDone(sts: StatefulSetView, desired: number): boolean {
  return (
    sts.observedGeneration >= sts.generation &&
    sts.replicas === desired &&
    sts.updatedReplicas === desired &&
    (sts.currentRevision === undefined || sts.currentRevision === sts.updateRevision)
  );
}

/** Once the store has had its quorum, losing it is a degradation rather than a slow start. */
function wasEstablished(previous: ReplicatedStoreStatus | undefined): boolean {
  const quorum = conditionOf(previous?.conditions, "QuorumAvailable");
  return quorum?.status === "True" || quorum?.reason === "QuorumLost";
}

function quorumCondition(
  spec: ReplicatedStoreSpec,
  ready: number,
  established: boolean,
  readyLeaders: number | undefined,
): ConditionInput {
  const desired = spec.replicas;
  const counts = `${ready} of ${desired} replicas ready`;
  if (spec.mode === "MultiLeader" && readyLeaders !== undefined) {
    // Writes need a ready leader and W ready copies; reads need R ready nodes (every node holds every key).
    const q = effectiveReplication(spec);
    const leaders = `${readyLeaders} of ${spec.multiLeader?.leaders ?? 0} leaders`;
    const needed = Math.max(q.writeQuorum, q.readQuorum);
    if (readyLeaders > 0 && ready >= needed) {
      return {
        type: "QuorumAvailable",
        status: "True",
        reason: "QuorumAvailable",
        message: `${counts}, ${leaders}: writes reach W=${q.writeQuorum} copies and reads R=${q.readQuorum} nodes`,
      };
    }
    const why =
      readyLeaders === 0
        ? "no leader is ready to accept writes"
        : `fewer than max(W=${q.writeQuorum}, R=${q.readQuorum}) nodes are ready`;
    return {
      type: "QuorumAvailable",
      status: "False",
      reason: established ? "QuorumLost" : "WaitingForReplicas",
      message: `${counts}, ${leaders}: ${why}`,
    };
  }
  if (spec.mode === "MultiLeader") {
    if (ready === desired)
      return { type: "QuorumAvailable", status: "True", reason: "AllReplicasReady", message: counts };
    if (ready === 0) {
      const reason = established ? "QuorumLost" : "WaitingForReplicas";
      return {
        type: "QuorumAvailable",
        status: "False",
        reason,
        message: `${counts}: no leader can accept writes`,
      };
    }
    return {
      type: "QuorumAvailable",
      status: "Unknown",
      reason: "LeaderReadinessNotTracked",
      message: `${counts}; whether a leader is among them is not tracked yet`,
    };
  }
  const q = effectiveReplication(spec);
  const slack = q.factor - Math.max(q.writeQuorum, q.readQuorum);
  const missing = desired - ready;
  const quorums = `W=${q.writeQuorum} and R=${q.readQuorum} of its N=${q.factor} owners`;
  const warnings = MANIFEST_WARNINGS.filter((w) => w.applies(spec)).map(
    (w) => `; warning: ${w.explain(spec)}`,
  );
  if (ready > 0 && missing <= slack) {
    return {
      type: "QuorumAvailable",
      status: "True",
      reason: "QuorumAvailable",
      message: `${counts}: every key has at least ${quorums} ready${warnings.join("")}`,
    };
  }
  const which = q.factor === desired ? "every key" : "keys owned by the missing pods";
  return {
    type: "QuorumAvailable",
    status: "False",
    reason: established ? "QuorumLost" : "WaitingForReplicas",
    message: established
      ? `${counts}: ${which} may lack ${quorums}; their requests fail with 503 quorum_unavailable until pods return`
      : `${counts}: each key needs ${quorums} ready`,
  };
}

function progressingCondition(
  sts: StatefulSetView | undefined,
  desired: number,
  ready: number,
): ConditionInput {
  if (!sts)
    return { type: "Progressing", status: "True", reason: "Creating", message: "creating the StatefulSet" };
  if (sts.observedGeneration < sts.generation || sts.replicas !== desired) {
    return {
      type: "Progressing",
      status: "True",
      reason: "Scaling",
      message: `${sts.replicas} of ${desired} replica pods exist`,
    };
  }
  if (!rolloutDone(sts, desired)) {
    return {
      type: "Progressing",
      status: "True",
      reason: "RollingUpdate",
      message: `${sts.updatedReplicas} of ${desired} replicas run the current pod template`,
    };
  }
  if (ready < desired) {
    return {
      type: "Progressing",
      status: "True",
      reason: "WaitingForReplicas",
      message: `${ready} of ${desired} replicas ready`,
    };
  }
  return {
    type: "Progressing",
    status: "False",
    reason: "Reconciled",
    message: "every replica runs the current spec",
  };
}

function sinceMs(previous: ReplicatedStoreStatus | undefined, type: "Progressing", now: Date): number {
  const before = conditionOf(previous?.conditions, type);
  if (before?.status !== "True") return 0;
  return now.getTime() - Date.parse(before.lastTransitionTime);
}

export function computeStatus(input: StatusInput): StatusResult {
  const { spec, statefulSet: sts, previous, problems, now } = input;
  const deadline = input.progressDeadlineMs ?? DEFAULT_PROGRESS_DEADLINE_MS;
  const desired = spec.replicas;
  const ready = sts?.readyReplicas ?? 0;
  const established = wasEstablished(previous);

  const quorum = quorumCondition(spec, ready, established, input.readyLeaders);
  const progressing = input.progressing ?? progressingCondition(sts, desired, ready);
  const stuckFor = progressing.status === "True" ? sinceMs(previous, "Progressing", now) : 0;
  const stuck = progressing.status === "True" && ready < desired && stuckFor >= deadline;

  let degraded: ConditionInput = { type: "Degraded", status: "False", reason: "AsExpected", message: "" };
  const [firstProblem] = problems;
  if (firstProblem) {
    degraded = {
      type: "Degraded",
      status: "True",
      reason: firstProblem.reason,
      message: problems.map((p) => p.message).join("; "),
    };
  } else if (established && quorum.status === "False") {
    degraded = { type: "Degraded", status: "True", reason: "QuorumLost", message: quorum.message };
  } else if (stuck) {
    degraded = {
      type: "Degraded",
      status: "True",
      reason: "ReplicasNotReady",
      message: `${progressing.message} for over ${Math.round(deadline / 60_000)}m (${progressing.reason}): see kubectl describe pods -l replistore.io/store=${input.name}`,
    };
  }

  let readyCondition: ConditionInput;
  const notes = input.notes.length > 0 ? `; ${input.notes.join("; ")}` : "";
  const blocking = problems.find((p) => p.blocksReady !== false);
  if (blocking) {
    readyCondition = { type: "Ready", status: "False", reason: blocking.reason, message: blocking.message };
  } else if (progressing.status === "False") {
    readyCondition = {
      type: "Ready",
      status: "True",
      reason: "AllReplicasReady",
      message: `${ready} of ${desired} replicas ready${notes}`,
    };
  } else {
    readyCondition = {
      type: "Ready",
      status: "False",
      reason: progressing.reason,
      message: `${progressing.message}${notes}`,
    };
  }

  const inputs = [
    readyCondition,
    progressing,
    degraded,
    quorum,
    ...(input.observed?.conditions ?? []),
    ...(input.tls ? [input.tls.condition] : []),
  ];
  let phase: string;
  if (degraded.status === "True") phase = "Degraded";
  else if (readyCondition.status === "True") phase = "Ready";
  else if (ready === 0 && !established) phase = "Pending";
  else phase = "Progressing";

  const status: ReplicatedStoreStatus = {
    observedGeneration: input.generation,
    phase,
    replicas: sts?.replicas ?? 0,
    readyReplicas: ready,
    ...(input.selector !== undefined ? { selector: input.selector } : {}),
    quorum: quorumString(spec),
    conditions: mergeConditions(previous?.conditions, inputs, input.generation, now),
  };
  if (input.observed?.conflictsPending !== undefined)
    status.conflictsPending = input.observed.conflictsPending;
  if (input.observed?.lastAntiEntropy) status.lastAntiEntropy = input.observed.lastAntiEntropy;
  if (input.tls) status.tls = input.tls.status;
  if (input.bootstrap) {
    status.bootstrap = completedBootstrap(input.bootstrap, readyCondition.status === "True", now);
  }
  if (spec.mode === "MultiLeader" && spec.multiLeader) {
    const { leaders, topology, hub } = spec.multiLeader;
    status.leaders = input.failover?.ring ?? Array.from({ length: leaders }, (_, i) => i);
    status.topology = topology;
    if (topology === "Star") status.hub = input.failover?.hub ?? hub;
  }
  const result: StatusResult = { status, transitions: transitions(previous?.conditions, inputs) };
  if (progressing.status === "True" && ready < desired && !stuck) {
    result.recheckAfterMs = Math.max(1_000, deadline - stuckFor);
  }
  return result;
}
