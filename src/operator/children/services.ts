/** The headless peers Service (before the StatefulSet, which names it) and the client Service. */
import { buildClientService, buildPeersService } from "../../builders/services.ts";
import { SERVICES } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { applyOwned } from "./apply-owned.ts";

export async function reconcileServices(scope: ReconcileScope): Promise<void> {
  await applyOwned(scope, SERVICES, buildPeersService(scope.store));
  await applyOwned(scope, SERVICES, buildClientService(scope.store));
}
