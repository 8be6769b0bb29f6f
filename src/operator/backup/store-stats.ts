/**
 * What the backup metrics report per store, from the operator's caches: its newest completed backup
 * (from the ReplicatedStoreBackups, or the store's status.lastBackup when newer, e.g. its backups
 * were deleted since) and its alert threshold. Pure.
 */
import { parseDuration } from "../../api/duration.ts";
import type { RawStore } from "../store-input.ts";
import type { BackupView } from "./backup-input.ts";
import { newestCompleted } from "./last-backup.ts";
import type { StoreBackupStats } from "./metrics.ts";

const DEFAULT_ALERT_AFTER = "26h";

/** spec.backup.alertAfter in seconds; a value the operator cannot read counts as the default. */
function alertAfterSeconds(alertAfter: string | undefined): number {
  try {
    return parseDuration(alertAfter ?? DEFAULT_ALERT_AFTER) / 1000;
  } catch {
    return parseDuration(DEFAULT_ALERT_AFTER) / 1000;
  }
}

/** `watchedSince`: when this operator first saw each store's spec.backup, by store uid. */
export function storeBackupStats(
  views: readonly BackupView[],
  stores: readonly RawStore[],
  watchedSince: ReadonlyMap<string, Date>,
): StoreBackupStats[] {
  const out = new Map<string, StoreBackupStats>();
  for (const view of views) {
    const key = `${view.namespace}/${view.storeName}`;
    if (!out.has(key)) out.set(key, { namespace: view.namespace, store: view.storeName });
  }
  for (const store of stores) {
    const { namespace, name, uid } = store.metadata ?? {};
    if (!namespace || !name) continue;
    const key = `${namespace}/${name}`;
    const stats = out.get(key) ?? { namespace, store: name };
    const backup = (store.spec as { backup?: { alertAfter?: string } } | undefined)?.backup;
    if (backup) {
      stats.maxAgeSeconds = alertAfterSeconds(backup.alertAfter);
      const seen = uid ? watchedSince.get(uid) : undefined;
      if (seen) stats.watchedSinceSeconds = Math.floor(seen.getTime() / 1000);
    }
    const fromStatus = store.status?.lastBackup;
    if (fromStatus) stats.last = { completedAtSeconds: Date.parse(fromStatus.completedAt) / 1000 };
    out.set(key, stats);
  }
  for (const stats of out.values()) {
    const newest = newestCompleted(
      views.filter((v) => v.namespace === stats.namespace),
      stats.store,
    );
    const status = newest?.status;
    if (!status?.completedAt) continue;
    const at = Date.parse(status.completedAt) / 1000;
    if (stats.last && stats.last.completedAtSeconds > at) continue;
    stats.last = {
      completedAtSeconds: at,
      ...(status.durationSeconds !== undefined ? { durationSeconds: status.durationSeconds } : {}),
      ...(status.bytes !== undefined ? { bytes: status.bytes } : {}),
      ...(status.keys !== undefined ? { keys: status.keys } : {}),
    };
  }
  return [...out.values()];
}
