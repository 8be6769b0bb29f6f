/** Apply or delete one owned object, recording what was written. */
import type { KubernetesObject } from "@kubernetes/client-node";
import type { ResourceKind } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";

export async function liveObject(
  scope: ReconcileScope,
  kind: ResourceKind,
  name: string,
): Promise<KubernetesObject | undefined> {
  const { store } = scope;
  return scope.live.get(store.metadata.uid, kind, store.metadata.namespace, name);
}

export async function applyOwned(
  scope: ReconcileScope,
  kind: ResourceKind,
  desired: KubernetesObject,
): Promise<void> {
  const name = desired.metadata?.name ?? "";
  const live = await liveObject(scope, kind, name);
  const { outcome, stored } = await scope.applier.apply(desired, live);
  if (outcome === "unchanged") return;
  scope.live.remember(scope.store.metadata.uid, kind, scope.store.metadata.namespace, name, stored);
  scope.report.written.push({ verb: outcome, kind: kind.kind, name });
  scope.log.info({ kind: kind.kind, object: name, outcome }, "applied");
}

/** Deletes the object if it exists and this store controls it; someone else's object is left alone. */
export async function deleteOwned(scope: ReconcileScope, kind: ResourceKind, name: string): Promise<void> {
  const live = await liveObject(scope, kind, name);
  if (!live) return;
  const controlled = live.metadata?.ownerReferences?.some(
    (ref) => ref.controller === true && ref.uid === scope.store.metadata.uid,
  );
  if (!controlled) return;
  const { namespace, uid } = scope.store.metadata;
  await scope.applier.delete({ apiVersion: kind.apiVersion, kind: kind.kind, namespace, name });
  scope.live.remember(uid, kind, namespace, name, undefined);
  scope.report.written.push({ verb: "deleted", kind: kind.kind, name });
  scope.log.info({ kind: kind.kind, object: name }, "deleted");
}
