/**
 * What a destination holds: complete backups (a manifest that parses) and incomplete ones (a folder
 * without one: a run in progress, interrupted, or from a newer format). Only complete backups are
 * offered for restore; retention counts and deletes only those.
 */
import { UserError } from "../errors.ts";
import { BACKUP_ID_PATTERN } from "./backup-id.ts";
import { type BackupManifest, MANIFEST_NAME, parseManifest } from "./manifest.ts";
import type { ObjectStore } from "./object-store.ts";

export type CatalogEntry =
  | { id: string; complete: true; manifest: BackupManifest }
  | { id: string; complete: false; problem: string };

/** Every backup folder at the destination, newest complete first, then the incomplete ones by id. */
export async function listBackups(store: ObjectStore): Promise<CatalogEntry[]> {
  const ids = await store.folders("");
  const entries = await Promise.all(ids.map((id) => describeBackup(store, id)));
  return entries.sort((a, b) => {
    if (a.complete !== b.complete) return a.complete ? -1 : 1;
    if (a.complete && b.complete) return a.manifest.finishedAt < b.manifest.finishedAt ? 1 : -1;
    return a.id < b.id ? -1 : 1;
  });
}

export async function describeBackup(store: ObjectStore, id: string): Promise<CatalogEntry> {
  const raw = await store.get(`${id}/${MANIFEST_NAME}`);
  if (raw === undefined) {
    return { id, complete: false, problem: "no manifest: the backup is running, was interrupted, or failed" };
  }
  const parsed = parseManifest(raw, `${store.url}${id}`);
  if (typeof parsed === "string") return { id, complete: false, problem: parsed };
  if (parsed.id !== id)
    return { id, complete: false, problem: `manifest names backup ${parsed.id}, not ${id}` };
  return { id, complete: true, manifest: parsed };
}

/** The complete backup `id`, or the newest complete one; a UserError says what is there instead. */
export async function findBackup(store: ObjectStore, id?: string): Promise<BackupManifest> {
  if (id !== undefined) {
    if (!BACKUP_ID_PATTERN.test(id))
      throw new UserError(`"${id}" is not a backup id (a DNS label, e.g. orders-20261206T220236Z)`);
    const entry = await describeBackup(store, id);
    if (entry.complete) return entry.manifest;
    const known = (await listBackups(store)).filter((e) => e.complete).map((e) => e.id);
    throw new UserError(
      `backup ${id} at ${store.url} cannot be restored: ${entry.problem}; complete backups there: ${known.join(", ") || "none"}`,
    );
  }
  const newest = (await listBackups(store)).find((e) => e.complete);
  if (!newest?.complete) throw new UserError(`no complete backup at ${store.url}`);
  return newest.manifest;
}

export interface Retention {
  /** keep at least the newest this many */
  keep?: number | undefined;
  /** keep those younger than this */
  maxAgeMs?: number | undefined;
}

/**
 * The complete backups retention lets go: a backup stays while it is among the newest `keep` or
 * younger than `maxAgeMs` (with one of the two set, that one alone decides). The newest complete
 * backup always stays, whatever the settings.
 */
export function expiredBackups(
  entries: readonly CatalogEntry[],
  r: Retention,
  now: number,
): BackupManifest[] {
  if (r.keep === undefined && r.maxAgeMs === undefined) return [];
  const complete = entries
    .flatMap((e) => (e.complete ? [e.manifest] : []))
    .sort((a, b) => (a.finishedAt < b.finishedAt ? 1 : -1));
  return complete.filter((m, i) => {
    if (i === 0) return false;
    const byCount = r.keep !== undefined && i < r.keep;
    const byAge = r.maxAgeMs !== undefined && now - Date.parse(m.finishedAt) < r.maxAgeMs;
    return !byCount && !byAge;
  });
}

/** Deletes one backup, manifest first so it stops being offered before its data goes. */
export async function deleteBackup(store: ObjectStore, id: string): Promise<number> {
  if (!BACKUP_ID_PATTERN.test(id)) throw new UserError(`"${id}" is not a backup id`);
  const objects = (await store.deleteAll(`${id}/${MANIFEST_NAME}`)) + (await store.deleteAll(`${id}/`));
  if (objects === 0) throw new UserError(`no backup ${id} at ${store.url}`);
  return objects;
}
