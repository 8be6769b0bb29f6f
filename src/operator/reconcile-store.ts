/**
 * One reconcile of one ReplicatedStore: read it from the cache, refuse what must be refused, apply
 * each concern's objects in dependency order (Secret and ConfigMap before the pods that mount them,
 * the peers Service before the StatefulSet that names it), then write status and record events.
 * A concern that fails does not stop the others; the store is then retried with backoff.
 */
import type { Logger } from "pino";
import type { BuildContext } from "../builders/context.ts";
import { reconcileBootstrap } from "./children/bootstrap.ts";
import { reconcileConfigMap } from "./children/config-map.ts";
import { reconcileDisruptionBudget } from "./children/disruption-budget.ts";
import { refusedModeChange } from "./children/mode-guard.ts";
import { reconcileMonitoring } from "./children/monitoring.ts";
import { reconcileNetworkPolicy } from "./children/network-policy.ts";
import { reconcileRepairCronJob } from "./children/repair-cronjob.ts";
import { reconcileServices } from "./children/services.ts";
import { reconcileStatefulSet } from "./children/statefulset.ts";
import { reconcileTls } from "./children/tls.ts";
import { reconcileTokenSecret } from "./children/token-secret.ts";
import { apiErrorMessage } from "./controller/api-errors.ts";
import type { Applier } from "./controller/applier.ts";
import type { EventRecorder } from "./controller/event-recorder.ts";
import type { ResourceInformer } from "./controller/informer.ts";
import type { LiveObjects } from "./controller/live-objects.ts";
import type { MonitoringApis } from "./controller/monitoring-apis.ts";
import { type StatusWriter, statusChanged } from "./controller/status-writer.ts";
import { splitKey } from "./controller/store-key.ts";
import type { HandlerResult } from "./controller/work-queue.ts";
import { leaderPodStates, type PodLookup, planFailover, readyLeaders } from "./failover/run.ts";
import { observeStore } from "./observe/observe-store.ts";
import type { StoreObservers } from "./observe/observers.ts";
import { reconcileScaleDown } from "./scale-down/run.ts";
import type { ReconcileScope } from "./scope.ts";
import { type PlannedEvent, specWarningEvents, transitionEvents, writeEvents } from "./status/events.ts";
import { invalidSpecStatus, storeStatus } from "./status/write-status.ts";
import { parseStore, type RawStore } from "./store-input.ts";

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
  // Before the StatefulSet and CronJob, whose pods mount the certificate Secret.
  ["TLS", reconcileTls],
  ["ConfigMap", reconcileConfigMap],
  ["Services", reconcileServices],
  ["StatefulSet", reconcileStatefulSet],
  ["PodDisruptionBudget", reconcileDisruptionBudget],
  ["repair CronJob", reconcileRepairCronJob],
  ["NetworkPolicy", reconcileNetworkPolicy],
  ["monitoring", reconcileMonitoring],
];

/** What spec.bootstrap holds back until its backup is chosen: the nodes' config and pods. */
const HELD = new Set(["ConfigMap", "StatefulSet"]);

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
    try {
      await reconcileBootstrap(scope, previous?.bootstrap);
    } catch (error) {
      failures.push(error);
      // Unknown whether the backup can be chosen: a new store's nodes wait for the retry.
      if (store.spec.bootstrap?.fromBackup && !previous?.bootstrap) scope.holdNodes = true;
      scope.report.problems.push({ reason: "ApplyFailed", message: `bootstrap: ${apiErrorMessage(error)}` });
    }
    for (const [concern, run] of CONCERNS) {
      if (scope.holdNodes && HELD.has(concern)) continue;
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
