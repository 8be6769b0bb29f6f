/**
 * What to do about spec.bootstrap.fromBackup in one reconcile. The backup is chosen once, when the
 * store is created, and kept in status.bootstrap so later reconciles (and a newer backup at the
 * destination) never change it; once every node has loaded it, nodes added later start empty and
 * catch up by handoff and repair like any new node. Pure.
 */
import type { FromBackup } from "../../api/backup-types.ts";
import type { BootstrapStatus } from "../../api/status.ts";

export type BootstrapPlan =
  /** no bootstrap, or it is done: the config carries none */
  | { action: "none" }
  /** chosen before, nodes still loading: the config carries it */
  | { action: "keep"; chosen: BootstrapStatus }
  /** a new store: choose the backup now, before any node starts */
  | { action: "choose"; from: FromBackup }
  /** the store already runs without one: bootstrap cannot apply to it */
  | { action: "too-late" };

export function bootstrapPlan(input: {
  fromBackup: FromBackup | undefined;
  chosen: BootstrapStatus | undefined;
  /** the StatefulSet exists: nodes may have started (and hold data) */
  storeExists: boolean;
}): BootstrapPlan {
  const { fromBackup, chosen } = input;
  if (chosen) return chosen.completedAt !== undefined ? { action: "none" } : { action: "keep", chosen };
  if (!fromBackup) return { action: "none" };
  return input.storeExists ? { action: "too-late" } : { action: "choose", from: fromBackup };
}

/** Status once the store has been ready with the backup loaded: from then on, no node restores. */
export function completedBootstrap(chosen: BootstrapStatus, allReady: boolean, now: Date): BootstrapStatus {
  return allReady && chosen.completedAt === undefined
    ? { ...chosen, completedAt: now.toISOString() }
    : chosen;
}
