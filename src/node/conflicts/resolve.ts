import type { ClusterConfig } from "../../config/cluster-config.ts";
import { ConflictError, InvalidError, NotFoundError, QuorumError } from "../../errors.ts";
import type { HybridClock } from "../clock/hlc.ts";
import { formatTimestamp, parseTimestamp } from "../clock/hlc.ts";
import type { NodeMetrics } from "../metrics/node-metrics.ts";
import type { ReplicationStrategy } from "../replication/strategy.ts";
import type { ConflictQueue } from "./conflict-queue.ts";
import type { ConflictRecord } from "./record.ts";

/** What on-call decided: keep one of the record's versions, write a new value, or delete the key. */
export type Decision =
  | { keep: string; resolvedBy: string; note: string }
  | { value: Uint8Array; resolvedBy: string; note: string }
  | { delete: true; resolvedBy: string; note: string };

/** What a resolution uses: the queue, the clock to move past the versions, the write path. */
export interface ResolveParts {
  readonly conflicts: ConflictQueue;
  readonly clock: HybridClock;
  readonly metrics: NodeMetrics;
  readonly replication: Pick<ReplicationStrategy, "write">;
  config(): ClusterConfig;
}

/**
 * Resolves a record: writes the chosen value as a new version through the normal write path (so
 * it replicates like any write), newer than every version in the record so it wins everywhere,
 * then marks the record resolved here and pushes that to every node.
 */
export async function resolveConflict(
  node: ResolveParts,
  id: string,
  decision: Decision,
): Promise<ConflictRecord> {
  const rec = node.conflicts.store.get(id);
  if (!rec) throw new NotFoundError("not_found", `no conflict ${id}; list them with GET /v1/conflicts`);
  if (rec.status === "resolved") {
    throw new ConflictError(
      "already_resolved",
      `conflict ${id} was resolved by ${rec.resolution?.by} at ${rec.resolution?.at}; nothing to do`,
      { resolution: rec.resolution },
    );
  }
  let value: Uint8Array | null;
  let kept: string | null = null;
  if ("keep" in decision) {
    const chosen = rec.versions.find((v) => v.version === decision.keep);
    if (!chosen) {
      throw new InvalidError("unknown_version", `version ${decision.keep} is not in conflict ${id}`, {
        versions: rec.versions.map((v) => v.version),
      });
    }
    if (chosen.value === undefined) {
      throw new ConflictError(
        "value_unknown",
        `no node kept the value of version ${decision.keep}; resolve with {"value": ...} instead`,
      );
    }
    value = chosen.value;
    kept = chosen.version;
  } else {
    value = "value" in decision ? decision.value : null;
  }

  // Move our clock past every version in the record so the resolution is newer than all of them.
  for (const v of rec.versions) {
    const ts = parseTimestamp(v.version);
    if (ts) node.clock.observe(ts.wall, ts.logical);
  }
  const { replication } = node.config();
  const out = await node.replication.write(rec.key, value, replication.writeQuorum).catch((err: unknown) => {
    throw err instanceof QuorumError ? err.within("resolution not written") : err;
  });
  const resolved: ConflictRecord = {
    ...rec,
    status: "resolved",
    resolution: {
      by: decision.resolvedBy,
      at: new Date().toISOString(),
      kept,
      written: formatTimestamp(out.version),
      note: decision.note,
    },
  };
  await node.conflicts.changed(resolved);
  node.metrics.conflictsResolved.inc();
  return node.conflicts.store.get(id) ?? resolved;
}
