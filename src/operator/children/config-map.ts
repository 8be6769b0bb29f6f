/** The nodes' cluster.json. Applied before the StatefulSet, so new pods find it when they start. */
import { buildConfigMap } from "../../builders/config-map.ts";
import { CONFIG_MAPS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { applyOwned } from "./apply-owned.ts";

export async function reconcileConfigMap(scope: ReconcileScope): Promise<void> {
  await applyOwned(scope, CONFIG_MAPS, buildConfigMap(scope.store, scope.ctx));
}
