/**
 * Drain before scale-down (the decisions are in ../scale-down.ts): runs before the ConfigMap and
 * StatefulSet concerns and sets `ctx.scaleDown`, which keeps the pods and the config members in
 * force until the leaving nodes have handed over their keys. The hold is set before any request is
 * made, so a failure here can never let the StatefulSet shrink early: it only delays the scale-down,
 * degrades the store with the node's message, and retries.
 *
 * `replistore.io/skip-drain: "true"` on the store scales down at once, without draining (for a
 * leaving pod that will never come back; keys only it held are lost, the rest reach their new
 * owners through the remaining nodes' handoff and the next repair).
 */

import type { V1ConfigMap, V1StatefulSet } from "@kubernetes/client-node";
import { secretFor } from "../../api/auth-types.ts";
import { CONFIG_KEY } from "../../builders/context.ts";
import { configMapName, podName, statefulSetName } from "../../builders/names.ts";
import { describeAnswer } from "../../client/api-error.ts";
import { decodeStatus } from "../../client/decode-answer.ts";
import type { StorePod } from "../../client/discovery/store-pods.ts";
import type { NodeResponse } from "../../client/endpoint.ts";
import { liveObject } from "../children/apply-owned.ts";
import { CONFIG_MAPS, STATEFUL_SETS } from "../controller/resource-kinds.ts";
import { failureOf, nodeRequest } from "../observe/node-access.ts";
import type { StoreObservers } from "../observe/observers.ts";
import type { ReconcileScope } from "../scope.ts";
import { checkHandover, drainStep, type NodeView, planScaleDown, type ScaleDownPlan } from "./plan.ts";

export const SKIP_DRAIN_ANNOTATION = "replistore.io/skip-drain";
/** How often a drain in progress is looked at. */
const POLL_MS = 5_000;
/** How soon a failed drain is tried again. */
const RETRY_MS = 10_000;

function configMembers(cm: V1ConfigMap | undefined): number | undefined {
  const json = cm?.data?.[CONFIG_KEY];
  if (!json) return undefined;
  try {
    const members = (JSON.parse(json) as { members?: unknown }).members;
    return Array.isArray(members) ? members.length : undefined;
  } catch {
    return undefined;
  }
}

/** Reconcile the store again within `ms` (the soonest of what every part of the reconcile asks). */
export function requeueAfter(scope: ReconcileScope, ms: number): void {
  const current = scope.report.requeueAfterMs;
  scope.report.requeueAfterMs = current === undefined ? ms : Math.min(current, ms);
}

function ids(scope: ReconcileScope, from: number, to: number): string[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => podName(scope.store, from + i));
}

/** GET /v1/status of one node pod, as a NodeView (with `error` when it could not be read). */
async function viewOf(
  observers: StoreObservers,
  scope: ReconcileScope,
  pods: readonly StorePod[],
  id: string,
  token: string | undefined,
): Promise<NodeView> {
  const { namespace } = scope.store.metadata;
  const pod = pods.find((p) => p.name === id);
  if (!pod) return { id, error: `pod ${id} does not exist` };
  const [endpoint] = await observers.nodes.storeEndpoints(namespace, scope.store.metadata.name, [pod]);
  if (!endpoint) return { id, error: `pod ${id} has no IP (phase ${pod.phase}): its node is not running` };
  let answer: NodeResponse;
  try {
    answer = await endpoint.call(nodeRequest("GET", "/v1/status", { token }));
  } catch (error) {
    return { id, error: `${id} could not be reached: ${failureOf(endpoint, error)}` };
  }
  if (answer.status !== 200) return { id, error: `${id} answered ${describeAnswer(answer)}` };
  try {
    const status = decodeStatus(answer, id);
    return {
      id,
      generation: status.generation,
      members: status.members.map((m) => m.id),
      role: status.node.role,
      ...(status.handoff ? { handoff: status.handoff } : {}),
    };
  } catch (error) {
    return { id, error: error instanceof Error ? error.message : String(error) };
  }
}

/** What was remembered about a scale-down of this store that is over (or was called off). */
function forgetDrains(observers: StoreObservers, uid: string): void {
  if (observers.drained.size === 0 && observers.drainsSent.size === 0) return;
  for (const key of observers.drained) if (key.startsWith(`${uid}/`)) observers.drained.delete(key);
  for (const key of observers.drainsSent.keys())
    if (key.startsWith(`${uid}/`)) observers.drainsSent.delete(key);
}

function skipHint(scope: ReconcileScope): string {
  const { namespace, name } = scope.store.metadata;
  return `bring the pod back; if it is gone for good, kubectl -n ${namespace} annotate rstore ${name} ${SKIP_DRAIN_ANNOTATION}=true scales down without draining it (keys only it holds are lost)`;
}

export async function reconcileScaleDown(
  scope: ReconcileScope,
  observers: StoreObservers | undefined,
): Promise<void> {
  const { store } = scope;
  const sts = (await liveObject(scope, STATEFUL_SETS, statefulSetName(store))) as V1StatefulSet | undefined;
  const cm = (await liveObject(scope, CONFIG_MAPS, configMapName(store))) as V1ConfigMap | undefined;
  const plan = planScaleDown({ pods: sts?.spec?.replicas, members: configMembers(cm) }, store.spec.replicas);
  if (!observers) return;
  if (!plan) {
    forgetDrains(observers, store.metadata.uid);
    return;
  }
  const annotations = (store.metadata as { annotations?: Record<string, string> }).annotations;
  if (annotations?.[SKIP_DRAIN_ANNOTATION] === "true") {
    scope.log.warn(
      { from: plan.pods, to: plan.target },
      "scaling down without draining (skip-drain annotation)",
    );
    return;
  }
  // Hold first: whatever happens below, this reconcile does not remove a pod or a member.
  scope.ctx.scaleDown = { pods: plan.pods, members: plan.members };
  const { namespace, name } = store.metadata;
  try {
    const pods = await observers.nodes.storePods(namespace, name);
    // Drains need the admin role; the operator reads whichever Secret holds an admin token.
    const token = await observers.nodes.token(namespace, secretFor(store.spec.auth, "admin"));
    if (plan.phase === "drain") await drain(scope, observers, plan, pods, token);
    else await handover(scope, observers, plan, pods, token);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    scope.report.progressing = {
      type: "Progressing",
      status: "True",
      reason: "Draining",
      message: `scaling down from ${plan.pods} to ${plan.target} pods: waiting to drain the leaving pods (see the Degraded condition)`,
    };
    scope.report.problems.push({
      reason: "DrainFailed",
      message: `scale-down from ${plan.pods} to ${plan.target} pods waits: ${message}`,
    });
    requeueAfter(scope, RETRY_MS);
  }
}

async function drain(
  scope: ReconcileScope,
  observers: StoreObservers,
  plan: ScaleDownPlan,
  pods: readonly StorePod[],
  token: string | undefined,
): Promise<void> {
  const { uid, namespace } = scope.store.metadata;
  const leaving = ids(scope, plan.target, plan.members);
  const states: string[] = [];
  const failures: string[] = [];
  let drained = 0;
  for (const id of leaving) {
    const key = `${uid}/${id}/${leaving.join(",")}`;
    if (observers.drained.has(key)) {
      drained++;
      states.push(`${id} drained`);
      continue;
    }
    const view = await viewOf(observers, scope, pods, id, token);
    const step = drainStep(
      view,
      leaving,
      scope.ctx.configGeneration,
      plan.members,
      observers.drainsSent.has(key),
    );
    if (step.kind === "drained") {
      observers.drained.add(key);
      observers.drainsSent.delete(key);
      drained++;
      states.push(`${id} drained`);
      scope.log.info({ node: id, handedOff: step.handedOff }, "leaving node drained");
    } else if (step.kind === "draining") {
      states.push(`${id} draining`);
    } else if (step.kind === "wait") {
      states.push(step.message);
    } else if (step.kind === "unreachable") {
      failures.push(`${step.message}; ${skipHint(scope)}`);
      states.push(`${id} unreachable`);
    } else {
      if (step.kind === "retry") failures.push(step.message);
      const pod = pods.find((p) => p.name === id);
      const [endpoint] = pod
        ? await observers.nodes.storeEndpoints(namespace, scope.store.metadata.name, [pod])
        : [];
      if (!endpoint) continue;
      const answer = await endpoint.call(
        nodeRequest("POST", "/v1/admin/drain", { token, body: { leaving } }),
      );
      if (answer.status === 202) {
        observers.drainsSent.set(key, Date.now());
        states.push(`${id} draining`);
        scope.log.info({ node: id, leaving }, "drain started");
      } else {
        failures.push(`${id} refused the drain: ${describeAnswer(answer)}`);
        states.push(`${id} refused`);
      }
    }
  }
  if (drained === leaving.length) {
    // Every leaving node copied its keys: the config drops them now, the pods stay until handover.
    scope.ctx.scaleDown = { pods: plan.pods, members: plan.target };
    scope.report.progressing = {
      type: "Progressing",
      status: "True",
      reason: "Draining",
      message: `scaling down from ${plan.pods} to ${plan.target} pods: ${leaving.join(", ")} drained; removing them from the config, then waiting for them to hand off what was written meanwhile`,
    };
    requeueAfter(scope, POLL_MS);
    return;
  }
  scope.report.progressing = {
    type: "Progressing",
    status: "True",
    reason: "Draining",
    message: `scaling down from ${plan.pods} to ${plan.target} pods: draining ${leaving.join(", ")} (copying their keys to the members that stay) before removing them: ${states.join("; ")}`,
  };
  if (failures.length > 0) {
    scope.report.problems.push({
      reason: "DrainFailed",
      message: `scale-down from ${plan.pods} to ${plan.target} pods waits: ${failures.join("; ")}`,
    });
    requeueAfter(scope, RETRY_MS);
  } else {
    requeueAfter(scope, POLL_MS);
  }
}

async function handover(
  scope: ReconcileScope,
  observers: StoreObservers,
  plan: ScaleDownPlan,
  pods: readonly StorePod[],
  token: string | undefined,
): Promise<void> {
  const stayingIds = ids(scope, 0, plan.target);
  const leavingIds = ids(scope, plan.target, plan.pods);
  // The nodes that stay first: once they all run the config without the leaving ones, no new write
  // reaches a leaving node, so a finished handoff seen after that is its last.
  const staying = await Promise.all(stayingIds.map((id) => viewOf(observers, scope, pods, id, token)));
  const leaving = await Promise.all(leavingIds.map((id) => viewOf(observers, scope, pods, id, token)));
  const check = checkHandover(staying, leaving, stayingIds);
  if (check.done) {
    // Lower the StatefulSet: its controller deletes the drained pods.
    scope.ctx.scaleDown = undefined;
    forgetDrains(observers, scope.store.metadata.uid);
    scope.log.info(
      { from: plan.pods, to: plan.target, removed: leavingIds },
      "drained pods handed over; scaling down",
    );
    return;
  }
  scope.report.progressing = {
    type: "Progressing",
    status: "True",
    reason: "Draining",
    message: `scaling down from ${plan.pods} to ${plan.target} pods: ${leavingIds.join(", ")} drained and out of the config; waiting: ${check.waiting.length > 0 ? check.waiting.join("; ") : "see the Degraded condition"}`,
  };
  if (check.failures.length > 0) {
    const unreachable = leaving.some((v) => v.error !== undefined);
    scope.report.problems.push({
      reason: "DrainFailed",
      message: `scale-down from ${plan.pods} to ${plan.target} pods waits: ${check.failures.join("; ")}${unreachable ? `; ${skipHint(scope)}` : ""}`,
    });
    requeueAfter(scope, RETRY_MS);
  } else {
    requeueAfter(scope, POLL_MS);
  }
}
