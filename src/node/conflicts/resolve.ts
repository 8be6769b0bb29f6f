import type { ClusterConfig } from "../../config/cluster-config.ts";
import { ConflictError, InvalidError, NotFoundError, QuorumError, UnavailableError } from "../../errors.ts";
import type { HybridClock } from "../clock/hlc.ts";
import { formatTimestamp, parseTimestamp } from "../clock/hlc.ts";
import type { NodeMetrics } from "../metrics/node-metrics.ts";
import type { ReplicationStrategy } from "../replication/strategy.ts";
import type { ConflictQueue } from "./conflict-queue.ts";
import { probeOwners, type ReachabilityParts } from "./owner-reachability.ts";
import type { ConflictRecord } from "./record.ts";

/** What on-call decided: keep one of the record's versions, write a new value, or delete the key. */
export type Decision =
  | { keep: string; resolvedBy: string; note: string }
  | { value: Uint8Array; resolvedBy: string; note: string }
  | { delete: true; resolvedBy: string; note: string };

/** What a resolution uses: the queue, the clock to move past the versions, the write path. */
export interface ResolveParts extends ReachabilityParts {
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
  const w = node.config().replication.writeQuorum;
  await refuseUnlessReachable(node, id, rec.key, w);
  // No partial-write record for a resolution: its value is the one on-call chose, and the record
  // it settles stays pending, so a retry settles it (with a newer version) once owners are back.
  const out = await node.replication
    .write(rec.key, value, w, { recordPartial: false })
    .catch((err: unknown) => {
      throw err instanceof QuorumError ? incomplete(id, err) : err;
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

/**
 * Refuses before anything is written when fewer than W of the key's owners answer now: writing
 * anyway would leave the chosen value on the few it reached, a write nobody acknowledged.
 */
async function refuseUnlessReachable(node: ResolveParts, id: string, key: string, w: number): Promise<void> {
  const reach = await probeOwners(node, key);
  if (reach.up.length >= w) return;
  const down = reach.down.map((d) => d.node);
  throw new UnavailableError(
    "resolve_refused",
    `conflict ${id} not resolved and nothing written: the write needs ${w} of key ${key}'s owners ` +
      `but only ${reach.up.length} answer (${reach.up.join(", ") || "none"}); down: ${down.join(", ")}. ` +
      "The conflict stays pending: bring those nodes back (check their pods or processes), then resolve it again",
    { needed: w, reached: reach.up.length, written: false, owners: reach.owners, down: reach.down },
  );
}

/**
 * The owners answered the probe but the write then missed W (an owner died in between). What
 * reached some owners cannot be rolled back; it is the chosen value, handed to the others by hints
 * and repair like any write, but unacknowledged, so the conflict stays pending.
 */
function incomplete(id: string, err: QuorumError): UnavailableError {
  const reached = err.ownersReached.join(", ") || "none";
  return new UnavailableError(
    "resolve_incomplete",
    `conflict ${id} not resolved: the resolution's write reached ${err.reached} of the ${err.needed} ` +
      `owners it needs (stored on: ${reached}); an owner went down while it was written. ` +
      "It stays on those owners and no new partial-write record was made; the conflict stays pending: " +
      "resolve it again once the owners are up (the retry writes a newer version that replaces this one)",
    { needed: err.needed, reached: err.reached, written: err.reached > 0, ownersReached: err.ownersReached },
  );
}
