/** Status read from outside the store's own objects (its nodes, its repair Jobs), for computeStatus. */
import type { AntiEntropyRun } from "../../api/status.ts";
import type { ConditionInput } from "./conditions.ts";

export interface ObservedStatus {
  /** ConflictsPending and AntiEntropyHealthy. */
  conditions: ConditionInput[];
  conflictsPending?: number;
  lastAntiEntropy?: AntiEntropyRun;
}
