/**
 * One reconcile of one ReplicatedStore: read it from the cache, refuse what must be refused, apply
 * each concern's objects in dependency order (Secret and ConfigMap before the pods that mount them,
 * the peers Service before the StatefulSet that names it), then write status and record events.
 * A concern that fails does not stop the others; the store is then retried with backoff.
 */
import type { Logger } from "pino";
import type { BuildContext } from "../../builders/context.ts";
import { apiErrorMessage } from "../api-errors.ts";
import type { Applier } from "../applier.ts";
import type { EventRecorder } from "../event-recorder.ts";
import type { ResourceInformer } from "../informer.ts";
import type { LiveObjects } from "../live-objects.ts";
import type { MonitoringApis } from "../monitoring-apis.ts";
import type { StoreObservers } from "../observers.ts";
import { type StatusWriter, statusChanged } from "../status-writer.ts";
import { splitKey } from "../store-key.ts";
import type { HandlerResult } from "../work-queue.ts";
import { reconcileConfigMap } from "./config-map.ts";
import { reconcileDisruptionBudget } from "./disruption-budget.ts";
import { type PlannedEvent, specWarningEvents, transitionEvents, writeEvents } from "./events.ts";
import { leaderPodStates, type PodLookup, planFailover, readyLeaders } from "./failover.ts";
import { refusedModeChange } from "./mode-guard.ts";
import { reconcileMonitoring } from "./monitoring.ts";
import { reconcileNetworkPolicy } from "./network-policy.ts";
import { observeStore } from "./observe.ts";
import { reconcileRepairCronJob } from "./repair-cronjob.ts";
import { reconcileScaleDown } from "./scale-down.ts";
import type { ReconcileScope } from "./scope.ts";
import { reconcileServices } from "./services.ts";
import { reconcileStatefulSet } from "./statefulset.ts";
import { invalidSpecStatus, storeStatus } from "./status.ts";
import { parseStore, type RawStore } from "./store-input.ts";
import { reconcileTokenSecret } from "./token-secret.ts";

export interface ReconcilerDeps {
  stores: ResourceInformer<RawStore>;
  live: LiveObjects;
  applier: Applier;
  monitoring: MonitoringApis;
  events: EventRecorder;
  statusWriter: StatusWriter;
  log: Logger;
  context: Omit<BuildContext, "configGeneration" | "token">;
  progressDeadlineMs?: number;
  now?: () => Date;
  /** Leader pods of MultiLeader stores, from the operator's pod cache (hub failover, ring healing). */
  pods?: PodLookup;
  /** The stores' nodes and repair Jobs: conflicts pending, the last repair, drains before a scale-down. */
  observers?: StoreObservers;
}

const CONCERNS: readonly [string, (scope: ReconcileScope) => Promise<void>][] = [
  ["auth Secret", reconcileTokenSecret],
  ["ConfigMap", reconcileConfigMap],
  ["Services", reconcileServices],
  ["StatefulSet", reconcileStatefulSet],
  ["PodDisruptionBudget", reconcileDisruptionBudget],
  ["repair CronJob", reconcileRepairCronJob],
  ["NetworkPolicy", reconcileNetworkPolicy],
  ["monitoring", reconcileMonitoring],
];

export async function reconcileStore(deps: ReconcilerDeps, key: string): Promise<HandlerResult | undefined> {
  const { namespace, name } = splitKey(key);
  const raw = deps.stores.get(namespace, name);
  // Deleted: the garbage collector removes what it owned. Being deleted: nothing left to do.
  if (!raw || raw.metadata?.deletionTimestamp) return undefined;
  const log = deps.log.child({ namespace, name });
  const now = deps.now?.() ?? new Date();
  const generation = raw.metadata?.generation ?? 0;
  const storeRef = { namespace, name, uid: raw.metadata?.uid ?? "" };
  const parsed = parseStore(raw);
  if (!parsed.ok) {
    const status = invalidSpecStatus(parsed.previous, generation, parsed.errors, now);
    if (statusChanged(parsed.previous, status)) {
      log.warn({ errors: parsed.errors }, "spec rejected");
      await deps.statusWriter.write(namespace, name, status);
      await deps.events.record(storeRef, "Warning", "InvalidSpec", parsed.errors.join("; "), log);
    }
    return undefined;
  }

  const { store, previous } = parsed;
  const leaderPods = deps.pods ? leaderPodStates(store, deps.pods) : undefined;
  const failover = leaderPods ? planFailover(store, previous, leaderPods, now) : undefined;
  const scope: ReconcileScope = {
    store,
    ctx: {
      ...deps.context,
      configGeneration: generation,
      ...(failover ? { failover: { hub: failover.hub, ring: failover.ring } } : {}),
    },
    live: deps.live,
    applier: deps.applier,
    monitoring: deps.monitoring,
    log,
    report: { written: [], problems: [], notes: [] },
  };
  const leadersReady = leaderPods ? readyLeaders(leaderPods) : undefined;
  if (leadersReady !== undefined) scope.readyLeaders = leadersReady;
  const failures: unknown[] = [];
  const refusal = await refusedModeChange(scope);
  if (refusal) {
    scope.report.problems.push(refusal);
  } else {
    // Before the ConfigMap and the StatefulSet: a scale-down holds their members and pods until drained.
    await reconcileScaleDown(scope, deps.observers);
    for (const [concern, run] of CONCERNS) {
      try {
        await run(scope);
      } catch (error) {
        failures.push(error);
        const message = `${concern}: ${apiErrorMessage(error)}`;
        log.error({ concern, err: apiErrorMessage(error) }, "apply failed");
        scope.report.problems.push({ reason: "ApplyFailed", message });
      }
    }
  }

  await observeStore(scope, deps.observers, previous, now);
  const result = await storeStatus(scope, previous, now, deps.progressDeadlineMs);
  const planned: PlannedEvent[] = [
    ...writeEvents(scope.report.written),
    ...specWarningEvents(store.spec, previous?.observedGeneration !== generation),
    ...transitionEvents(result.transitions),
    ...(failover?.events ?? []),
  ];
  if (statusChanged(previous, result.status)) {
    await deps.statusWriter.write(namespace, name, result.status);
    log.info(
      {
        phase: result.status.phase,
        ready: `${result.status.readyReplicas}/${store.spec.replicas}`,
        conditions: result.transitions.map((t) => `${t.type}=${t.to.status}`),
      },
      "status updated",
    );
  }
  for (const event of planned)
    await deps.events.record(storeRef, event.type, event.reason, event.message, log);
  if (failures.length > 0)
    throw new AggregateError(failures, scope.report.problems.map((p) => p.message).join("; "));
  const recheck = [result.recheckAfterMs, failover?.recheckAfterMs, scope.report.requeueAfterMs].filter(
    (ms) => ms !== undefined,
  );
  return recheck.length > 0 ? { requeueAfterMs: Math.min(...recheck) } : undefined;
}
