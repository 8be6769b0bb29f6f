/**
 * spec.bootstrap.fromBackup: before the ConfigMap and the StatefulSet. A new store's backup is
 * chosen here, once (status.bootstrap keeps it); until it can be, the store's nodes are held back,
 * so none starts empty and later refuses the restore. See operator/bootstrap/plan.ts.
 */
import type { BootstrapStatus } from "../../api/status.ts";
import { statefulSetName } from "../../builders/names.ts";
import { bootstrapPlan } from "../bootstrap/plan.ts";
import { resolveFromBackup } from "../bootstrap/resolve.ts";
import { STATEFUL_SETS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { liveObject } from "./apply-owned.ts";

const RETRY_MS = 10_000;

export async function reconcileBootstrap(
  scope: ReconcileScope,
  chosen: BootstrapStatus | undefined,
): Promise<void> {
  const from = scope.store.spec.bootstrap?.fromBackup;
  const storeExists = (await liveObject(scope, STATEFUL_SETS, statefulSetName(scope.store))) !== undefined;
  const plan = bootstrapPlan({ fromBackup: from, chosen, storeExists });
  if (chosen) scope.report.bootstrap = chosen;
  if (plan.action === "too-late") {
    scope.report.problems.push({
      reason: "BootstrapIgnored",
      message:
        "spec.bootstrap.fromBackup applies only when a store is created, and this store already runs: its data stays as it is. Remove spec.bootstrap, or restore into a new store",
      blocksReady: false,
    });
    return;
  }
  if (!from) return;
  const resolved = await resolveFromBackup(scope, from, plan.action === "choose");
  if (!resolved.ok) {
    if (plan.action === "choose") {
      scope.holdNodes = true;
      scope.report.requeueAfterMs = Math.min(scope.report.requeueAfterMs ?? RETRY_MS, RETRY_MS);
      scope.report.problems.push({ reason: "BootstrapPending", message: resolved.message });
    }
    // A store already restored keeps running without the settings (they only matter while loading).
    return;
  }
  if (plan.action === "choose") {
    scope.report.bootstrap = { backupId: resolved.backupId, destination: resolved.destination.path };
    scope.ctx.bootstrap = { destination: resolved.destination, backupId: resolved.backupId };
  } else if (plan.action === "keep") {
    scope.ctx.bootstrap = { destination: resolved.destination, backupId: plan.chosen.backupId };
  } else {
    scope.ctx.bootstrap = { destination: resolved.destination };
  }
}
