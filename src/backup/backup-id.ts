/**
 * `<store>-<UTC date>-<time>`, e.g. orders-20261206-220236: sorts by time, reads at a glance, and is
 * a DNS label (so a ReplicatedStoreBackup can carry the same name); long store names are shortened.
 */
export function backupIdFor(store: string, at: Date): string {
  const iso = at.toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}`;
  return `${store.slice(0, 63 - stamp.length - 1).replace(/-+$/, "")}-${stamp}`;
}

/** What a backup id may be: a DNS label. */
export const BACKUP_ID_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
