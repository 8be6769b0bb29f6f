/** Status from the StatefulSet the cache holds, written only when it changed. */
import type { V1StatefulSet } from "@kubernetes/client-node";
import type { ReplicatedStoreStatus } from "../../api/status.ts";
import { nodeLabelSelector } from "../../builders/labels.ts";
import { statefulSetName } from "../../builders/names.ts";
import { liveObject } from "../children/apply-owned.ts";
import { STATEFUL_SETS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { mergeConditions } from "./conditions.ts";
import { computeStatus, type StatefulSetView, type StatusResult } from "./store-status.ts";

export function statefulSetView(sts: V1StatefulSet | undefined): StatefulSetView | undefined {
  if (!sts) return undefined;
  const view: StatefulSetView = {
    generation: sts.metadata?.generation ?? 0,
    observedGeneration: sts.status?.observedGeneration ?? 0,
    replicas: sts.status?.replicas ?? 0,
    readyReplicas: sts.status?.readyReplicas ?? 0,
    updatedReplicas: sts.status?.updatedReplicas ?? 0,
  };
  if (sts.status?.currentRevision !== undefined) view.currentRevision = sts.status.currentRevision;
  if (sts.status?.updateRevision !== undefined) view.updateRevision = sts.status.updateRevision;
  return view;
}

export async function storeStatus(
  scope: ReconcileScope,
  previous: ReplicatedStoreStatus | undefined,
  now: Date,
  progressDeadlineMs: number | undefined,
): Promise<StatusResult> {
  const { store } = scope;
  const sts = (await liveObject(scope, STATEFUL_SETS, statefulSetName(store))) as V1StatefulSet | undefined;
  return computeStatus({
    name: store.metadata.name,
    spec: store.spec,
    generation: store.metadata.generation ?? 0,
    statefulSet: statefulSetView(sts),
    previous,
    problems: scope.report.problems,
    notes: scope.report.notes,
    now,
    selector: nodeLabelSelector(store),
    ...(progressDeadlineMs !== undefined ? { progressDeadlineMs } : {}),
    ...(scope.ctx.failover ? { failover: scope.ctx.failover } : {}),
    ...(scope.report.progressing ? { progressing: scope.report.progressing } : {}),
    ...(scope.report.observed ? { observed: scope.report.observed } : {}),
    ...(scope.report.tls ? { tls: scope.report.tls } : {}),
    ...(scope.report.bootstrap ? { bootstrap: scope.report.bootstrap } : {}),
    ...(scope.readyLeaders !== undefined ? { readyLeaders: scope.readyLeaders } : {}),
  });
}

/** A spec the operator cannot read (a CRD older than the operator): say so, change nothing else. */
export function invalidSpecStatus(
  previous: ReplicatedStoreStatus | undefined,
  generation: number,
  errors: readonly string[],
  now: Date,
): ReplicatedStoreStatus {
  const message = `the spec does not pass the operator's validation (is the CRD up to date?): ${errors.join("; ")}`;
  // lastBackup belongs to the backup controller's field manager (operator/backup/write-status.ts):
  // applying it here would take it over with a value that may be stale by the next write.
  const { lastBackup: _backupControllers, ...kept } = previous ?? {};
  return {
    ...kept,
    observedGeneration: generation,
    phase: "Degraded",
    conditions: mergeConditions(
      previous?.conditions,
      [
        { type: "Ready", status: "False", reason: "InvalidSpec", message },
        { type: "Degraded", status: "True", reason: "InvalidSpec", message },
      ],
      generation,
      now,
    ),
  };
}
