/**
 * A ReplicatedStoreBackup as the cache holds it, checked against its schema (the CRD enforces it
 * too; failing here means a CRD older than this operator), with what the controller reads of it.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import Value from "typebox/value";
import {
  type BackupPhase,
  ReplicatedStoreBackupSpec,
  type ReplicatedStoreBackupStatus,
} from "../../api/backup-resource.ts";
import type { BackupDestination } from "../../api/backup-types.ts";

export type RawBackup = KubernetesObject & { spec?: unknown; status?: ReplicatedStoreBackupStatus };

export interface BackupView {
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  storeName: string;
  destination?: BackupDestination;
  /** Made by the store's schedule (label replistore.io/scheduled=true). */
  scheduled: boolean;
  /** The cron tick a scheduled backup stands for, else its creation (ms). */
  tickMs: number;
  createdAtMs: number;
  status: ReplicatedStoreBackupStatus | undefined;
}

/** Label on backups the schedule made (and the store label names the store). */
export const SCHEDULED_LABEL = "replistore.io/scheduled";
/** On a scheduled backup: the cron tick it stands for (ISO time), the anchor of the next tick. */
export const SCHEDULED_AT_ANNOTATION = "replistore.io/scheduled-at";

export const FINAL_PHASES: readonly BackupPhase[] = ["Completed", "Failed"];

export function isFinal(phase: string | undefined): boolean {
  return phase === "Completed" || phase === "Failed";
}

export function backupView(raw: RawBackup): BackupView | undefined {
  const { namespace, name, uid } = raw.metadata ?? {};
  if (!namespace || !name || !uid) return undefined;
  const spec = Value.Default(ReplicatedStoreBackupSpec, structuredClone(raw.spec ?? {}));
  if (!Value.Check(ReplicatedStoreBackupSpec, spec)) return undefined;
  const created = raw.metadata?.creationTimestamp;
  const createdAtMs = created ? new Date(created).getTime() : 0;
  const tick = Date.parse(raw.metadata?.annotations?.[SCHEDULED_AT_ANNOTATION] ?? "");
  return {
    namespace,
    name,
    uid,
    generation: raw.metadata?.generation ?? 0,
    storeName: spec.storeName,
    ...(spec.destination ? { destination: spec.destination } : {}),
    scheduled: raw.metadata?.labels?.[SCHEDULED_LABEL] === "true",
    tickMs: Number.isFinite(tick) ? tick : createdAtMs,
    createdAtMs,
    status: raw.status,
  };
}
