/**
 * Resolving spec.bootstrap.fromBackup against the cluster: a backupName is a ReplicatedStoreBackup
 * that must have completed (its destination is its own or its store's); a destination without
 * backupId is asked for its newest complete backup, with the credentials and CA the pods will use.
 * Any step that cannot finish says what to do; the store's nodes are not started until it does.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { type BackupDestination, destinationWithDefaults, type FromBackup } from "../../api/backup-types.ts";
import { findBackup } from "../../backup/catalog.ts";
import { openDestination } from "../../backup/destination.ts";
import { BACKUPS, CONFIG_MAPS, type ResourceKind, SECRETS, STORES } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { secretText } from "../tls/secret-data.ts";

/**
 * Read from the apiserver each time, not from a cache: this runs only until the backup is chosen,
 * and a Secret or backup someone just fixed must count at once.
 */
function read(
  scope: ReconcileScope,
  kind: ResourceKind,
  name: string,
): Promise<KubernetesObject | undefined> {
  return scope.applier.read({
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    namespace: scope.store.metadata.namespace,
    name,
  });
}

export type Resolution =
  | { ok: true; destination: BackupDestination; backupId: string }
  | { ok: false; message: string };

interface BackupView extends KubernetesObject {
  spec?: { storeName?: string; destination?: unknown };
  status?: { phase?: string; backupId?: string };
}

/** Where the backup named by fromBackup is, and (with `chooseId`) which one. */
export async function resolveFromBackup(
  scope: ReconcileScope,
  from: FromBackup,
  chooseId: boolean,
): Promise<Resolution> {
  const ns = scope.store.metadata.namespace;
  if (from.backupName !== undefined) {
    const backup = (await read(scope, BACKUPS, from.backupName)) as BackupView | undefined;
    if (!backup) {
      return {
        ok: false,
        message: `spec.bootstrap.fromBackup.backupName: no ReplicatedStoreBackup ${from.backupName} in namespace ${ns} (kubectl get rsbackup -n ${ns})`,
      };
    }
    if (backup.status?.phase !== "Completed") {
      return {
        ok: false,
        message: `waiting for ReplicatedStoreBackup ${from.backupName} to complete (phase ${backup.status?.phase ?? "Pending"}); the nodes start once it has`,
      };
    }
    // Read as stored, so without the defaults the pods' settings need (the Secret's key names).
    let raw: unknown = backup.spec?.destination;
    let where = `ReplicatedStoreBackup ${from.backupName}'s spec.destination`;
    if (raw === undefined && backup.spec?.storeName) {
      const source = (await read(scope, STORES, backup.spec.storeName)) as
        | (KubernetesObject & { spec?: { backup?: { destination?: unknown } } })
        | undefined;
      raw = source?.spec?.backup?.destination;
      where = `ReplicatedStore ${backup.spec.storeName}'s spec.backup.destination`;
    }
    const destination = raw === undefined ? undefined : destinationWithDefaults(raw);
    if (raw !== undefined && !destination) {
      return {
        ok: false,
        message: `${where} does not fit the schema: fix it, or use fromBackup.destination`,
      };
    }
    if (!destination) {
      return {
        ok: false,
        message: `ReplicatedStoreBackup ${from.backupName} names no destination and its store ${backup.spec?.storeName ?? "?"} has none (any more): use fromBackup.destination with backupId ${backup.status.backupId ?? from.backupName}`,
      };
    }
    return { ok: true, destination, backupId: backup.status.backupId ?? from.backupName };
  }
  const destination = from.destination!;
  if (from.backupId !== undefined || !chooseId)
    return { ok: true, destination, backupId: from.backupId ?? "" };
  return newestAt(scope, destination);
}

/** Asks the destination for its newest complete backup, as the pods would (same Secret, same CA). */
async function newestAt(scope: ReconcileScope, destination: BackupDestination): Promise<Resolution> {
  const env: NodeJS.ProcessEnv = {};
  if (destination.credentials) {
    const { secretName, accessKeyIdKey, secretAccessKeyKey } = destination.credentials;
    const secret = await read(scope, SECRETS, secretName);
    const id = secretText(secret, accessKeyIdKey);
    const key = secretText(secret, secretAccessKeyKey);
    if (id === undefined || key === undefined) {
      return {
        ok: false,
        message: `spec.bootstrap.fromBackup.destination.credentials: Secret ${secretName} ${secret ? `lacks ${id === undefined ? accessKeyIdKey : secretAccessKeyKey}` : "does not exist"}`,
      };
    }
    env.AWS_ACCESS_KEY_ID = id;
    env.AWS_SECRET_ACCESS_KEY = key;
  }
  let ca: string | undefined;
  if (destination.caBundle) {
    const map = (await read(scope, CONFIG_MAPS, destination.caBundle.configMapName)) as
      | (KubernetesObject & { data?: Record<string, string> })
      | undefined;
    ca = map?.data?.[destination.caBundle.key];
    if (ca === undefined) {
      return {
        ok: false,
        message: `spec.bootstrap.fromBackup.destination.caBundle: ConfigMap ${destination.caBundle.configMapName} has no key ${destination.caBundle.key}`,
      };
    }
  }
  try {
    const store = openDestination(destination, env, ca);
    try {
      const m = await findBackup(store);
      return { ok: true, destination, backupId: m.id };
    } finally {
      store.close();
    }
  } catch (err) {
    return {
      ok: false,
      message: `spec.bootstrap.fromBackup: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
