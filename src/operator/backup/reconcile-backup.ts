/**
 * One reconcile of one ReplicatedStoreBackup: read it, its store and its Job from the caches, plan
 * (plan.ts), then do what the plan says: create the Job, write status, record events, count the
 * result, and delete the objects of backups retention pruned.
 */
import type { V1Job } from "@kubernetes/client-node";
import { BACKUP_KIND } from "../../api/backup-resource.ts";
import { API_VERSION } from "../../api/names.ts";
import { BACKUP_CONTAINER, buildBackupJob } from "../../builders/backup-job.ts";
import { contentHash } from "../../builders/hash.ts";
import { isConflict } from "../controller/api-errors.ts";
import { parseStore } from "../store-input.ts";
import { backupView } from "./backup-input.ts";
import type { BackupDeps } from "./deps.ts";
import { planBackup, type StoreState } from "./plan.ts";
import { objectsToPrune } from "./retention.ts";

function ownedBy(job: V1Job, uid: string): boolean {
  return (job.metadata?.ownerReferences ?? []).some((r) => r.kind === BACKUP_KIND && r.uid === uid);
}

export async function reconcileBackup(deps: BackupDeps, namespace: string, name: string): Promise<void> {
  const raw = deps.backups.get(namespace, name);
  if (!raw || raw.metadata?.deletionTimestamp) return;
  const log = deps.log.child({ namespace, backup: name });
  const backup = backupView(raw);
  if (!backup) {
    log.warn("backup spec does not pass the operator's schema (is the CRD up to date?); skipped");
    return;
  }
  const storeRaw = deps.stores.get(namespace, backup.storeName);
  let store: StoreState = { state: "missing" };
  let parsed: ReturnType<typeof parseStore> | undefined;
  if (storeRaw && !storeRaw.metadata?.deletionTimestamp) {
    parsed = parseStore(storeRaw);
    store = parsed.ok
      ? { state: "present", spec: parsed.store.spec, status: parsed.previous }
      : { state: "invalid", errors: parsed.errors };
  }
  const job = deps.jobs.get(namespace, name);
  const now = deps.now();
  let reading = job && ownedBy(job, backup.uid) ? await deps.readJob(job, name, BACKUP_CONTAINER) : undefined;
  if (job && !ownedBy(job, backup.uid)) {
    reading = {
      state: "unreadable",
      reason: `a Job named ${name} already exists and does not belong to this backup`,
    };
  }
  const plan = planBackup({ backup, store, job: reading, now });

  if (plan.createJob && parsed?.ok) {
    const body = buildBackupJob({
      store: parsed.store,
      ctx: { ...deps.context, configGeneration: parsed.store.metadata.generation ?? 0 },
      backup: { name, uid: backup.uid },
      destination: plan.createJob.destination,
      ...(plan.createJob.retention ? { retention: plan.createJob.retention } : {}),
    });
    try {
      await deps.batch.createNamespacedJob({ namespace, body });
      deps.countWrite("create", "Job");
      log.info({ job: name, destination: plan.createJob.destination.path }, "backup Job created");
    } catch (error) {
      // Made by an earlier pass whose Job the cache has not shown yet: nothing to do.
      if (!isConflict(error)) throw error;
    }
  }
  if (plan.status && contentHash(plan.status) !== contentHash(backup.status ?? null)) {
    await deps.statusWriter.writeBackup(namespace, name, plan.status);
  }
  const backupRef = { namespace, name, uid: backup.uid, kind: BACKUP_KIND, apiVersion: API_VERSION };
  for (const event of plan.events) {
    await deps.events.record(backupRef, event.type, event.reason, event.message, log);
    if (event.onStore && storeRaw?.metadata?.uid) {
      const storeRef = { namespace, name: backup.storeName, uid: storeRaw.metadata.uid };
      await deps.events.record(storeRef, event.type, event.reason, event.message, log);
    }
  }
  if (plan.finished) {
    deps.metrics.countFinished(namespace, backup.storeName, plan.finished);
    log.info({ result: plan.finished, message: plan.status?.message }, "backup finished");
    deps.storeChanged(namespace, backup.storeName);
  }
  if (plan.pruned && plan.pruned.length > 0 && plan.status) {
    const completed = { ...backup, status: plan.status };
    const all = deps.backups
      .list()
      .map(backupView)
      .filter((b) => b !== undefined);
    for (const doomed of objectsToPrune(completed, plan.pruned, all)) {
      await deps.deleteBackup(namespace, doomed);
      log.info({ pruned: doomed }, "deleted the object of a backup retention removed");
    }
  }
}
