import type { ClusterConfig } from "../../config/cluster-config.ts";
import type { RepairReport } from "../../wire/anti-entropy.ts";
import { segmentOf } from "../../wire/segment-hash.ts";
import type { HybridClock } from "../clock/hlc.ts";
import type { NodeMetrics } from "../metrics/node-metrics.ts";
import type { LocalReplica } from "../storage/local-replica.ts";
import { RepairLease } from "./repair-lease.ts";
import type { TreeRegistry } from "./tree-registry.ts";

export interface RepairSideDeps {
  readonly trees: TreeRegistry;
  readonly storage: Pick<LocalReplica, "entries" | "purgeTombstones">;
  readonly clock: HybridClock;
  readonly metrics: NodeMetrics;
  config(): ClusterConfig;
}

/**
 * What this node does for the repair Job beyond serving its trees: the lease that keeps two runs
 * apart, the last run's report, the keys of some segments, and the tombstone purge.
 */
export class RepairSide {
  readonly lease = new RepairLease();
  lastReport: RepairReport | undefined;
  private readonly deps: RepairSideDeps;

  constructor(deps: RepairSideDeps) {
    this.deps = deps;
  }

  /**
   * Purges the tombstones of one owner set that are past the grace period. Called by the repair
   * job only once every owner of the set matched, so all of them drop the same tombstones.
   */
  async purgeTombstones(setId: string): Promise<number> {
    const { trees, storage, clock, metrics } = this.deps;
    const cutoff = clock.physicalNow() - this.deps.config().tombstones.gracePeriodMs;
    const purged = await storage.purgeTombstones(cutoff, (key) => trees.belongsTo(key, setId));
    for (const [key, rec] of purged) trees.onWrite(key, rec.version, undefined);
    if (purged.length > 0) metrics.tombstonesPurged.inc(purged.length);
    return purged.length;
  }

  /** Every key of set `setId` in the given leaf segments, with its version: one scan of storage. */
  keysInSegments(setId: string, segments: readonly number[]): Array<[string, number, number, string]> {
    const { trees, storage } = this.deps;
    const wanted = new Uint8Array(trees.shape.segments);
    for (const s of segments) if (s >= 0 && s < wanted.length) wanted[s] = 1;
    const out: Array<[string, number, number, string]> = [];
    for (const [key, rec] of storage.entries()) {
      if (wanted[segmentOf(key, trees.shape.segments)] && trees.belongsTo(key, setId)) {
        out.push([key, rec.version.wall, rec.version.logical, rec.version.node]);
      }
    }
    return out;
  }
}
