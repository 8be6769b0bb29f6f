/** The headless peers Service (before the StatefulSet, which names it) and the client Service. */
import { buildClientService, buildPeersService } from "../../builders/services.ts";
import { SERVICES } from "../resource-kinds.ts";
import { applyOwned } from "./apply-owned.ts";
import type { ReconcileScope } from "./scope.ts";

export async function reconcileServices(scope: ReconcileScope): Promise<void> {
  await applyOwned(scope, SERVICES, buildPeersService(scope.store));
  await applyOwned(scope, SERVICES, buildClientService(scope.store));
}
