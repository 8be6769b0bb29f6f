/**
 * The backup controller's writes of status: a ReplicatedStoreBackup's status, and the store's
 * status.lastBackup. Both by server-side apply on the status subresource under a field manager of
 * their own, so the store reconcile (which applies the rest of the store's status, and never
 * lastBackup) and this controller each own their fields and never undo each other's.
 */
import { type CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { BACKUP_KIND, BACKUP_PLURAL, type ReplicatedStoreBackupStatus } from "../../api/backup-resource.ts";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../../api/names.ts";
import type { LastBackup } from "../../api/status.ts";
import { isNotFound } from "../controller/api-errors.ts";
import { type ApiStats, countWrite } from "../controller/api-stats.ts";

export const BACKUP_FIELD_MANAGER = "replistore-operator-backups";

export class BackupStatusWriter {
  private readonly custom: CustomObjectsApi;
  private readonly stats: ApiStats;

  constructor(custom: CustomObjectsApi, stats: ApiStats) {
    this.custom = custom;
    this.stats = stats;
  }

  /** False when the object is gone. */
  private async apply(
    plural: string,
    kind: string,
    namespace: string,
    name: string,
    status: object,
  ): Promise<boolean> {
    try {
      await this.custom.patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          namespace,
          plural,
          name,
          body: { apiVersion: API_VERSION, kind, metadata: { name, namespace }, status },
          fieldManager: BACKUP_FIELD_MANAGER,
          force: true,
        },
        setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
      );
      countWrite(this.stats, "status", kind);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  writeBackup(namespace: string, name: string, status: ReplicatedStoreBackupStatus): Promise<boolean> {
    return this.apply(BACKUP_PLURAL, BACKUP_KIND, namespace, name, status);
  }

  writeLastBackup(namespace: string, store: string, lastBackup: LastBackup): Promise<boolean> {
    return this.apply(PLURAL, KIND, namespace, store, { lastBackup });
  }
}
