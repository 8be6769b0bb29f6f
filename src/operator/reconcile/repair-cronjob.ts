/** The scheduled anti-entropy repair. */
import { buildRepairCronJob } from "../../builders/repair-cronjob.ts";
import { CRON_JOBS } from "../resource-kinds.ts";
import { applyOwned } from "./apply-owned.ts";
import type { ReconcileScope } from "./scope.ts";

export async function reconcileRepairCronJob(scope: ReconcileScope): Promise<void> {
  await applyOwned(scope, CRON_JOBS, buildRepairCronJob(scope.store, scope.ctx));
}
