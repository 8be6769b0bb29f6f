/**
 * Writes a store's status through the status subresource by server-side apply, and only when a field
 * the operator manages changed: comparing first is what keeps a steady store free of writes.
 */
import { type CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../../api/names.ts";
import type { ReplicatedStoreStatus } from "../../api/status.ts";
import { contentHash } from "../../builders/hash.ts";
import { isNotFound } from "./api-errors.ts";
import { type ApiStats, countWrite } from "./api-stats.ts";
import { FIELD_MANAGER } from "./applier.ts";

/** Status fields this operator owns; others (written by later features) are left out of the comparison. */
const MANAGED_FIELDS = [
  "observedGeneration",
  "phase",
  "replicas",
  "readyReplicas",
  "quorum",
  "leaders",
  "topology",
  "hub",
  "conflictsPending",
  "lastAntiEntropy",
  "conditions",
] as const;

export function statusChanged(
  previous: ReplicatedStoreStatus | undefined,
  next: ReplicatedStoreStatus,
): boolean {
  return MANAGED_FIELDS.some(
    (field) => contentHash(previous?.[field] ?? null) !== contentHash(next[field] ?? null),
  );
}

export class StatusWriter {
  private readonly custom: CustomObjectsApi;
  private readonly stats: ApiStats;

  constructor(custom: CustomObjectsApi, stats: ApiStats) {
    this.custom = custom;
    this.stats = stats;
  }

  /** False when the store is gone. */
  async write(namespace: string, name: string, status: ReplicatedStoreStatus): Promise<boolean> {
    try {
      await this.custom.patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL,
          name,
          body: { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace }, status },
          fieldManager: FIELD_MANAGER,
          force: true,
        },
        setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
      );
      countWrite(this.stats, "status", KIND);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}
