/** Ingress to the nodes only from peers, repair jobs, labelled clients and the operator. */
import { buildNetworkPolicy } from "../../builders/network-policy.ts";
import { NETWORK_POLICIES } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { applyOwned } from "./apply-owned.ts";

export async function reconcileNetworkPolicy(scope: ReconcileScope): Promise<void> {
  await applyOwned(scope, NETWORK_POLICIES, buildNetworkPolicy(scope.store, scope.ctx));
}
