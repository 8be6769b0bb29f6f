/**
 * One store's backups as a whole: its schedule (create the backup of a due tick, skip it while one
 * runs) and status.lastBackup (the newest Completed backup; never moved back to an older one, so
 * deleting backups does not rewrite history). Returns when to look again (the next tick).
 */

import { BACKUP_KIND } from "../../api/backup-resource.ts";
import { API_VERSION } from "../../api/names.ts";
import type { LastBackup } from "../../api/status.ts";
import { backupIdFor } from "../../backup/backup-id.ts";
import { backupLabels } from "../../builders/backup-job.ts";
import { ownerReference } from "../../builders/labels.ts";
import type { HandlerResult } from "../controller/work-queue.ts";
import { parseStore } from "../store-input.ts";
import {
  type BackupView,
  backupView,
  isFinal,
  SCHEDULED_AT_ANNOTATION,
  SCHEDULED_LABEL,
} from "./backup-input.ts";
import type { BackupDeps } from "./deps.ts";
import { lastBackupOf } from "./last-backup.ts";
import { planSchedule } from "./schedule.ts";

/** The longest wait before looking again; the resync comes anyway, and timers overflow past ~24 days. */
const MAX_WAIT_MS = 3_600_000;

function newer(next: LastBackup, previous: LastBackup | undefined): boolean {
  if (!previous) return true;
  if (next.name === previous.name) return JSON.stringify(next) !== JSON.stringify(previous);
  // Equal times (two backups finishing in one second): the newest by name, as lastBackupOf picks it.
  return new Date(next.completedAt).getTime() >= new Date(previous.completedAt).getTime();
}

export async function reconcileStoreBackups(
  deps: BackupDeps,
  namespace: string,
  name: string,
): Promise<HandlerResult | undefined> {
  const raw = deps.stores.get(namespace, name);
  if (!raw || raw.metadata?.deletionTimestamp) return undefined;
  const log = deps.log.child({ namespace, name });
  const backups = deps.backups
    .list()
    .map(backupView)
    .filter((b): b is BackupView => b !== undefined && b.namespace === namespace && b.storeName === name);

  const last = lastBackupOf(backups, name);
  if (last && newer(last, raw.status?.lastBackup)) {
    await deps.statusWriter.writeLastBackup(namespace, name, last);
    log.info({ lastBackup: last.name }, "status.lastBackup updated");
  }

  const parsed = parseStore(raw);
  const uid = raw.metadata?.uid ?? "";
  if (!parsed.ok || !parsed.store.spec.backup) return undefined;
  const settings = parsed.store.spec.backup;
  const now = deps.now();
  if (!deps.memory.seen.has(uid)) deps.memory.seen.set(uid, now);
  const seenKey = `${uid}/${settings.schedule ?? ""}`;
  if (!deps.memory.seen.has(seenKey)) deps.memory.seen.set(seenKey, now);

  const scheduled = backups.filter((b) => b.scheduled);
  const lastTick = scheduled.length > 0 ? new Date(Math.max(...scheduled.map((b) => b.tickMs))) : undefined;
  const unfinished = scheduled.find((b) => !isFinal(b.status?.phase))?.name;
  const skipped = deps.memory.skipped.get(uid);
  const plan = planSchedule({
    schedule: settings.schedule,
    suspend: settings.suspend === true,
    lastTick,
    seenAt: deps.memory.seen.get(seenKey) ?? now,
    skippedThrough: skipped,
    unfinished,
    now,
  });
  const storeRef = { namespace, name, uid };
  if (plan.skip) {
    deps.memory.skipped.set(uid, plan.skip);
    const message = `the backup of ${plan.skip.toISOString()} is skipped: ${unfinished} has not finished`;
    log.info(message);
    await deps.events.record(storeRef, "Normal", "BackupSkipped", message, log);
  }
  if (plan.create) {
    const id = backupIdFor(name, plan.create);
    const body = {
      apiVersion: API_VERSION,
      kind: BACKUP_KIND,
      metadata: {
        name: id,
        namespace,
        labels: { ...backupLabels(parsed.store), [SCHEDULED_LABEL]: "true" },
        annotations: { [SCHEDULED_AT_ANNOTATION]: plan.create.toISOString() },
        ownerReferences: [ownerReference(parsed.store)],
      },
      spec: { storeName: name },
    };
    if (await deps.createBackup(namespace, body)) {
      log.info({ backup: id }, "scheduled backup created");
      await deps.events.record(
        storeRef,
        "Normal",
        "BackupScheduled",
        `created ReplicatedStoreBackup ${id}`,
        log,
      );
    }
  }
  if (!plan.nextAt) return undefined;
  const wait = Math.min(MAX_WAIT_MS, Math.max(1_000, plan.nextAt.getTime() - now.getTime()));
  return { requeueAfterMs: wait };
}
