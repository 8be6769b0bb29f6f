/**
 * Resolving spec.bootstrap.fromBackup against the cluster: a backupName is a ReplicatedStoreBackup
 * that must have completed (its destination is its own or its store's); a destination without
 * backupId is asked for its newest complete backup, with the credentials and CA the pods will use.
 * Any step that cannot finish says what to do; the store's nodes are not started until it does.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import type { BackupDestination, FromBackup } from "../../api/backup-types.ts";
import type { ReplicatedStoreSpec } from "../../api/replicated-store.ts";
import { findBackup } from "../../backup/catalog.ts";
import { openDestination } from "../../backup/destination.ts";
import { backupView, type RawBackup } from "../backup/backup-input.ts";
import { destinationOf } from "../backup/plan.ts";
import { BACKUPS, CONFIG_MAPS, type ResourceKind, SECRETS, STORES } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { parseStore, type RawStore } from "../store-input.ts";
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

/** Where the backup named by fromBackup is, and (with `chooseId`) which one. */
export async function resolveFromBackup(
  scope: ReconcileScope,
  from: FromBackup,
  chooseId: boolean,
): Promise<Resolution> {
  const ns = scope.store.metadata.namespace;
  if (from.backupName !== undefined) {
    const raw = (await read(scope, BACKUPS, from.backupName)) as RawBackup | undefined;
    if (!raw) {
      return {
        ok: false,
        message: `spec.bootstrap.fromBackup.backupName: no ReplicatedStoreBackup ${from.backupName} in namespace ${ns} (kubectl get rsbackup -n ${ns})`,
      };
    }
    // Read from the apiserver as stored: the backup controller's view and the operator's store
    // parser fill the defaults the pods' settings need (the Secret's key names).
    const backup = backupView(raw);
    if (!backup) {
      return {
        ok: false,
        message: `ReplicatedStoreBackup ${from.backupName} does not fit its schema: fix it, or use fromBackup.destination`,
      };
    }
    if (backup.status?.phase !== "Completed") {
      return {
        ok: false,
        message: `waiting for ReplicatedStoreBackup ${from.backupName} to complete (phase ${backup.status?.phase ?? "Pending"}); the nodes start once it has`,
      };
    }
    const backupId = backup.status.backupId ?? from.backupName;
    let sourceSpec: ReplicatedStoreSpec | undefined;
    if (!backup.destination) {
      const source = (await read(scope, STORES, backup.storeName)) as RawStore | undefined;
      const parsed = source ? parseStore(source) : undefined;
      if (parsed && !parsed.ok) {
        return {
          ok: false,
          message: `ReplicatedStore ${backup.storeName} has a spec the operator cannot use (${parsed.errors.join("; ")}): fix it, or use fromBackup.destination with backupId ${backupId}`,
        };
      }
      sourceSpec = parsed?.store.spec;
    }
    const destination = destinationOf(backup, sourceSpec);
    if (!destination) {
      return {
        ok: false,
        message: `ReplicatedStoreBackup ${from.backupName} names no destination and its store ${backup.storeName} has none (any more): use fromBackup.destination with backupId ${backupId}`,
      };
    }
    return { ok: true, destination, backupId };
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
