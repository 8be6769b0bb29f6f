/**
 * status.conflictsPending and status.lastAntiEntropy, with their conditions ConflictsPending and
 * AntiEntropyHealthy (see ../repair-health.ts for the rules). Nothing here waits for a node: the
 * conflict count is the last one read in the background (../conflict-probes.ts), and the last run
 * comes from the repair Job informer, reading a Job's pods once when it has finished.
 * What was read before stays in status when nothing new could be read, so status does not flap.
 */
import type { V1StatefulSet } from "@kubernetes/client-node";
import type { AntiEntropyRun, ReplicatedStoreStatus } from "../../api/status.ts";
import { repairCronJobName, statefulSetName } from "../../builders/names.ts";
import { liveObject } from "../children/apply-owned.ts";
import { STATEFUL_SETS } from "../controller/resource-kinds.ts";
import { requeueAfter } from "../scale-down/run.ts";
import type { ReconcileScope } from "../scope.ts";
import type { StoreObservers } from "./observers.ts";
import { antiEntropyHealth, conflictsCondition } from "./repair-health.ts";

export async function observeStore(
  scope: ReconcileScope,
  observers: StoreObservers | undefined,
  previous: ReplicatedStoreStatus | undefined,
  now: Date,
): Promise<void> {
  const { store } = scope;
  const { namespace, name, uid } = store.metadata;

  let pending = previous?.conflictsPending;
  if (observers) {
    const sts = (await liveObject(scope, STATEFUL_SETS, statefulSetName(store))) as V1StatefulSet | undefined;
    const ready = sts?.status?.readyReplicas ?? 0;
    const trigger = `${store.metadata.generation ?? 0}|${ready}`;
    const reading = observers.conflicts.observe({ namespace, name, uid }, trigger, ready > 0, now.getTime());
    if (reading) pending = reading.pending;
  }
  const policy = store.spec.conflicts?.policy ?? "Review";
  const conflicts = conflictsCondition(namespace, name, policy, pending);

  let lastRun: AntiEntropyRun | undefined = previous?.lastAntiEntropy;
  if (observers) {
    try {
      lastRun = await observers.repairRuns.lastRun(namespace, name, lastRun);
    } catch (error) {
      scope.log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "could not read the last repair run; keeping the one in status",
      );
    }
  }
  const created = (store.metadata as { creationTimestamp?: string | Date }).creationTimestamp;
  const health = antiEntropyHealth({
    namespace,
    schedule: store.spec.antiEntropy.schedule,
    suspend: store.spec.antiEntropy.suspend === true,
    cronJobName: repairCronJobName(store),
    lastRun,
    createdAtMs: created ? new Date(created).getTime() : now.getTime(),
    nowMs: now.getTime(),
  });
  scope.report.observed = {
    conditions: [conflicts, health.condition],
    ...(pending !== undefined ? { conflictsPending: pending } : {}),
    ...(lastRun ? { lastAntiEntropy: lastRun } : {}),
  };
  // The resync comes anyway; a long wait (a weekly schedule) would overflow a timer.
  if (health.recheckAfterMs !== undefined && health.recheckAfterMs < 3_600_000)
    requeueAfter(scope, Math.max(1_000, health.recheckAfterMs));
}
