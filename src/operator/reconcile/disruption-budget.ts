/** The quorum-aware PodDisruptionBudget. */
import { buildPodDisruptionBudget } from "../../builders/disruption-budget.ts";
import { DISRUPTION_BUDGETS } from "../resource-kinds.ts";
import { applyOwned } from "./apply-owned.ts";
import type { ReconcileScope } from "./scope.ts";

export async function reconcileDisruptionBudget(scope: ReconcileScope): Promise<void> {
  await applyOwned(scope, DISRUPTION_BUDGETS, buildPodDisruptionBudget(scope.store));
}
