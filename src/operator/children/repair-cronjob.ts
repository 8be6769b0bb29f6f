/** The scheduled anti-entropy repair. */
import { buildRepairCronJob } from "../../builders/repair-cronjob.ts";
import { CRON_JOBS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { applyOwned } from "./apply-owned.ts";

export async function reconcileRepairCronJob(scope: ReconcileScope): Promise<void> {
  await applyOwned(scope, CRON_JOBS, buildRepairCronJob(scope.store, scope.ctx));
}
