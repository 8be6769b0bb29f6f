/**
 * Concurrent-write detection. Two versions of a key conflict when neither writer had seen the
 * other's version: a vector that has applied an update has applied every earlier update of that
 * origin, so "the writer of u had seen v" is a lookup in u's dependencies.
 */
import { compareTimestamps, formatTimestamp, type Timestamp } from "../../clock/hlc.ts";
import { type ConflictRecord, conflictId } from "../../conflicts/record.ts";
import type { VersionedRecord } from "../../storage/record.ts";
import type { Update } from "./update.ts";
import { nodeOf, type VectorEntry, type VersionVector } from "./version-vector.ts";

/** Whether dependencies `deps` include the version `v` (see VersionVector.hasSeen). */
export function depsHaveSeen(deps: readonly VectorEntry[], v: Timestamp): boolean {
  for (const [origin, , wall, logical] of deps) {
    if (nodeOf(origin) === v.node && compareTimestamps({ wall, logical, node: v.node }, v) >= 0) return true;
  }
  return false;
}

/**
 * Whether applying `u` over `stored` is a conflict. Updates of one node are ordered by its own
 * stream. Otherwise it is one when u's writer had not seen `stored`, provided this node's vector
 * accounts for `stored`: a version that came by anti-entropy ahead of its update is skipped here,
 * because this node cannot tell whether it was written after u; the other nodes, which get both
 * through their streams, record the conflict (with the same id).
 */
export function isConcurrent(stored: VersionedRecord, u: Update, applied: VersionVector): boolean {
  const sv = stored.version;
  const uv = u.record.version;
  if (compareTimestamps(sv, uv) === 0) return false;
  if (sv.node === uv.node) return false;
  if (depsHaveSeen(u.deps, sv)) return false;
  return applied.hasSeen(sv);
}

/** The conflict record for two concurrent versions; every node that sees them builds the same one. */
export function concurrentRecord(
  key: string,
  a: VersionedRecord,
  b: VersionedRecord,
  detectedBy: string,
): ConflictRecord {
  const winner = compareTimestamps(a.version, b.version) >= 0 ? a : b;
  const versions = [a, b]
    .sort((x, y) => compareTimestamps(x.version, y.version))
    .map((r) => ({
      version: formatTimestamp(r.version),
      value: r.value,
      origin: r.version.node,
      role: "concurrent" as const,
    }));
  return {
    id: conflictId(
      "concurrent",
      key,
      versions.map((v) => v.version),
    ),
    key,
    kind: "concurrent",
    versions,
    applied: formatTimestamp(winner.version),
    detectedAt: new Date().toISOString(),
    detectedBy,
    status: "pending",
    resolution: null,
  };
}
