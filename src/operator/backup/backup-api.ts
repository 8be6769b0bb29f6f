/**
 * The ReplicatedStoreBackup calls the controller makes outside its informers: is the CRD served,
 * create one (a scheduled backup), delete one (retention). Each call is counted in the operator's
 * API statistics.
 */
import type { CustomObjectsApi } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { BACKUP_PLURAL } from "../../api/backup-resource.ts";
import { GROUP, VERSION } from "../../api/names.ts";
import { apiErrorMessage, isConflict, isNotFound } from "../controller/api-errors.ts";
import { type ApiStats, countRead, countWrite } from "../controller/api-stats.ts";
import type { RawBackup } from "./backup-input.ts";

const RESOURCE = { group: GROUP, version: VERSION, plural: BACKUP_PLURAL } as const;

export class BackupApi {
  private readonly custom: CustomObjectsApi;
  private readonly stats: ApiStats;
  private readonly log: Logger;

  constructor(custom: CustomObjectsApi, stats: ApiStats, log: Logger) {
    this.custom = custom;
    this.stats = stats;
    this.log = log;
  }

  /** False only when the apiserver says the resource does not exist (the CRD is not installed). */
  async crdServed(namespace: string | undefined): Promise<boolean> {
    try {
      if (namespace) await this.custom.listNamespacedCustomObject({ ...RESOURCE, namespace, limit: 1 });
      else await this.custom.listClusterCustomObject({ ...RESOURCE, limit: 1 });
      countRead(this.stats);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      // Anything else (RBAC, the apiserver restarting): the informers retry on their own.
      this.log.warn({ err: apiErrorMessage(error) }, "could not check for the ReplicatedStoreBackup CRD");
      return true;
    }
  }

  /** False when a backup of that name exists already (a tick another run has taken). */
  async create(namespace: string, body: RawBackup): Promise<boolean> {
    try {
      await this.custom.createNamespacedCustomObject({ ...RESOURCE, namespace, body });
      countWrite(this.stats, "create", "ReplicatedStoreBackup");
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  async delete(namespace: string, name: string): Promise<void> {
    try {
      await this.custom.deleteNamespacedCustomObject({ ...RESOURCE, namespace, name });
      countWrite(this.stats, "delete", "ReplicatedStoreBackup");
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
