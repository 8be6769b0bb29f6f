/**
 * The replica nodes' StatefulSet. Its volumeClaimTemplates cannot change once created (the apiserver
 * refuses the whole update), so a changed storage.size or storageClassName keeps the live template
 * and degrades the store with a message saying what to do, while everything else still applies.
 */
import type { KubernetesObject, V1PersistentVolumeClaim, V1StatefulSet } from "@kubernetes/client-node";
import { statefulSetName } from "../../builders/names.ts";
import { buildStatefulSet } from "../../builders/statefulset.ts";
import { STATEFUL_SETS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { applyOwned, liveObject } from "./apply-owned.ts";

interface ClaimShape {
  size: string | undefined;
  storageClassName: string | undefined;
}

function claimShape(claim: V1PersistentVolumeClaim | undefined): ClaimShape {
  const size = claim?.spec?.resources?.requests?.storage;
  return {
    size: size === undefined ? undefined : String(size),
    storageClassName: claim?.spec?.storageClassName,
  };
}

export async function reconcileStatefulSet(scope: ReconcileScope): Promise<void> {
  const { store } = scope;
  const desired = buildStatefulSet(store, scope.ctx);
  const live = (await liveObject(scope, STATEFUL_SETS, statefulSetName(store))) as
    | (KubernetesObject & V1StatefulSet)
    | undefined;
  const liveClaim = live?.spec?.volumeClaimTemplates?.[0];
  const wantedClaim = desired.spec?.volumeClaimTemplates?.[0];
  if (liveClaim && wantedClaim?.spec) {
    const running = claimShape(liveClaim);
    const wanted = claimShape(wantedClaim);
    if (running.size !== wanted.size || running.storageClassName !== wanted.storageClassName) {
      wantedClaim.spec.resources = { requests: { storage: running.size ?? "" } };
      if (running.storageClassName === undefined) delete wantedClaim.spec.storageClassName;
      else wantedClaim.spec.storageClassName = running.storageClassName;
      scope.report.problems.push({
        reason: "StorageChangeNotApplied",
        blocksReady: false,
        message:
          `spec.storage (size ${wanted.size}, class ${wanted.storageClassName ?? "default"}) differs from the running ` +
          `claims (size ${running.size}, class ${running.storageClassName ?? "default"}), which a StatefulSet cannot change: ` +
          "to grow volumes, resize each PersistentVolumeClaim data-<pod> (if its StorageClass allows expansion) and then " +
          "set spec.storage back to match; to change class, create a new store",
      });
    }
  }
  await applyOwned(scope, STATEFUL_SETS, desired);
}
