/** status.lastBackup of a store: its newest Completed ReplicatedStoreBackup. Pure, unit-tested. */
import type { LastBackup } from "../../api/status.ts";
import type { BackupView } from "./backup-input.ts";

function completedMs(b: BackupView): number {
  const at = b.status?.completedAt;
  return at ? new Date(at).getTime() : Number.NaN;
}

export function newestCompleted(backups: readonly BackupView[], storeName: string): BackupView | undefined {
  return backups
    .filter(
      (b) => b.storeName === storeName && b.status?.phase === "Completed" && Number.isFinite(completedMs(b)),
    )
    .sort((a, b) => completedMs(b) - completedMs(a) || b.name.localeCompare(a.name))[0];
}

export function lastBackupOf(backups: readonly BackupView[], storeName: string): LastBackup | undefined {
  const newest = newestCompleted(backups, storeName);
  const status = newest?.status;
  if (!newest || !status?.completedAt) return undefined;
  return {
    name: newest.name,
    completedAt: status.completedAt,
    ...(status.destination !== undefined ? { destination: status.destination } : {}),
    ...(status.keys !== undefined ? { keys: status.keys } : {}),
    ...(status.bytes !== undefined ? { bytes: status.bytes } : {}),
  };
}
