/**
 * spec.bootstrap.fromBackup under `replistore up`: the backup is chosen once, when the store is
 * first started (the newest complete one, unless backupId names one), and kept in cluster.json so
 * a restart never switches to a newer backup. The nodes load it themselves (src/node/backup).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { ReplicatedStore } from "../api/replicated-store.ts";
import { findBackup } from "../backup/catalog.ts";
import { openDestination } from "../backup/destination.ts";
import { UserError } from "../errors.ts";
import type { StorePaths } from "./paths.ts";

export interface LocalBootstrap {
  backupId: string;
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
  const chosen = previousBackupId(paths.clusterConfig);
  if (chosen !== undefined)
    return { backupId: chosen, summary: `restored from backup ${chosen}`, loading: false };
  const withData = nodeIds.filter((id) => hasFiles(paths.nodeData(id)));
  if (withData.length > 0) {
    throw new UserError(
      `store ${manifest.metadata.name} already has data (${withData.join(", ")} under ${paths.dir}): a backup is restored only into a new store. Remove spec.bootstrap, or give the store another name or --data-dir`,
    );
  }
  const destination = openDestination(from.destination, env);
  try {
    const m = await findBackup(destination, from.backupId);
    return {
      backupId: m.id,
      summary: `restoring backup ${m.id} (${m.keys} keys, cut ${m.cut}) from ${destination.url}`,
      loading: true,
    };
  } finally {
    destination.close();
  }
}

function previousBackupId(clusterConfig: string): string | undefined {
  if (!existsSync(clusterConfig)) return undefined;
  try {
    const cfg = JSON.parse(readFileSync(clusterConfig, "utf8")) as { bootstrap?: { backupId?: unknown } };
    return typeof cfg.bootstrap?.backupId === "string" ? cfg.bootstrap.backupId : undefined;
  } catch {
    return undefined;
  }
}

function hasFiles(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
