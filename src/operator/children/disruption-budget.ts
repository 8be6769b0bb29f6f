/** The quorum-aware PodDisruptionBudget. */
import { buildPodDisruptionBudget } from "../../builders/disruption-budget.ts";
import { DISRUPTION_BUDGETS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { applyOwned } from "./apply-owned.ts";

export async function reconcileDisruptionBudget(scope: ReconcileScope): Promise<void> {
  await applyOwned(scope, DISRUPTION_BUDGETS, buildPodDisruptionBudget(scope.store));
}
