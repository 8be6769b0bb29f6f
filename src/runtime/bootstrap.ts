/**
 * spec.bootstrap.fromBackup under `replistore up`: the backup is chosen once, when the store is
 * first started (the newest complete one, unless backupId names one), and kept in
 * <store>/bootstrap.json so a restart never switches to a newer one. The nodes load it themselves
 * (src/node/backup); once all were ready, the config stops naming it and the file says so, so a
 * node added later starts empty and catches up from its peers like any new node.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BackupDestination } from "../api/backup-types.ts";
import type { ReplicatedStore } from "../api/replicated-store.ts";
import { findBackup } from "../backup/catalog.ts";
import { openDestination } from "../backup/destination.ts";
import { UserError } from "../errors.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import type { StorePaths } from "./paths.ts";

export interface LocalBootstrap {
  backupId: string;
  destination: BackupDestination;
  /** what to tell the person: which backup, from where, with how many keys */
  summary: string;
  /** chosen now: the nodes load it on this start */
  loading: boolean;
}

/** The backup the store restores from, or undefined when it has no bootstrap (or already started with one). */
export async function localBootstrap(
  manifest: ReplicatedStore,
  paths: StorePaths,
  nodeIds: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocalBootstrap | undefined> {
  const from = manifest.spec.bootstrap?.fromBackup;
  if (!from) return undefined;
  if (from.backupName !== undefined || !from.destination) {
    throw new UserError(
      `spec.bootstrap.fromBackup.backupName names a ReplicatedStoreBackup, which exists only in Kubernetes; under replistore up give fromBackup.destination {path: s3://... or file:///...} and optionally backupId`,
    );
  }
  const chosen = readChosen(paths);
  if (chosen?.completedAt) return undefined;
  if (chosen) {
    return {
      backupId: chosen.backupId,
      destination: from.destination,
      summary: `resuming the restore of backup ${chosen.backupId}`,
      loading: true,
    };
  }
  const withData = nodeIds.filter((id) => hasFiles(paths.nodeData(id)));
  if (withData.length > 0) {
    throw new UserError(
      `store ${manifest.metadata.name} already has data (${withData.join(", ")} under ${paths.dir}): a backup is restored only into a new store. Remove spec.bootstrap, or give the store another name or --data-dir`,
    );
  }
  const destination = openDestination(from.destination, env);
  try {
    const m = await findBackup(destination, from.backupId);
    writeFileAtomic(
      chosenFile(paths),
      `${JSON.stringify({ backupId: m.id, destination: destination.url }, null, 2)}\n`,
    );
    return {
      backupId: m.id,
      destination: from.destination,
      summary: `restoring backup ${m.id} (${m.keys} keys, cut ${m.cut}) from ${destination.url}`,
      loading: true,
    };
  } finally {
    destination.close();
  }
}

interface Chosen {
  backupId: string;
  destination: string;
  completedAt?: string;
}

const chosenFile = (paths: StorePaths) => join(paths.dir, "bootstrap.json");

function readChosen(paths: StorePaths): Chosen | undefined {
  if (!existsSync(chosenFile(paths))) return undefined;
  const value = JSON.parse(readFileSync(chosenFile(paths), "utf8")) as Partial<Chosen>;
  if (typeof value.backupId !== "string") {
    throw new UserError(
      `${chosenFile(paths)} is damaged (no backupId): remove the store's directory to start over`,
    );
  }
  return value as Chosen;
}

/** Every node was ready with the backup loaded: from now on the config names no backup. */
export function markBootstrapDone(paths: StorePaths, now = new Date()): void {
  const chosen = readChosen(paths);
  if (!chosen || chosen.completedAt) return;
  writeFileAtomic(
    chosenFile(paths),
    `${JSON.stringify({ ...chosen, completedAt: now.toISOString() }, null, 2)}\n`,
  );
}

function hasFiles(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
