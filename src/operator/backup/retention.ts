/**
 * After a completed backup's retention deleted backups at the destination (its result's `pruned`
 * ids), their ReplicatedStoreBackup objects describe data that is gone: delete them too, and only
 * them. Pure, unit-tested: an object goes only when its name is a pruned id, it backs up the same
 * store, and it completed at the very same destination (a same-named backup elsewhere keeps its data).
 */
import type { BackupView } from "./backup-input.ts";

export function objectsToPrune(
  completed: BackupView,
  pruned: readonly string[],
  backups: readonly BackupView[],
): string[] {
  const ids = new Set(pruned);
  const destination = completed.status?.destination;
  return backups
    .filter(
      (b) =>
        b.name !== completed.name &&
        ids.has(b.name) &&
        b.namespace === completed.namespace &&
        b.storeName === completed.storeName &&
        b.status?.phase === "Completed" &&
        destination !== undefined &&
        b.status.destination === destination,
    )
    .map((b) => b.name)
    .sort();
}
