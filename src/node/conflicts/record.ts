import { createHash } from "node:crypto";
import type { Static } from "typebox";
import type {
  ConflictKind as ConflictKindSchema,
  ConflictRecord,
  ConflictVersion as ConflictVersionSchema,
  Resolution as ResolutionSchema,
} from "../../wire/conflict.ts";

/**
 * A conflict record as stored and replicated; its one definition is the schema in
 * src/wire/conflict.ts, which nodes check every replicated record against.
 */
export type ConflictKind = Static<typeof ConflictKindSchema>;
export type ConflictVersion = Static<typeof ConflictVersionSchema>;
export type Resolution = Static<typeof ResolutionSchema>;
export type { ConflictRecord };

/** Same conflict, same id, on whichever node detects it: that is what de-duplicates. */
export function conflictId(kind: ConflictKind, key: string, versions: readonly string[]): string {
  const h = createHash("sha256").update(kind).update("\0").update(key);
  for (const v of [...versions].sort()) h.update("\0").update(v);
  return h.digest("hex").slice(0, 24);
}

/**
 * Merges two copies of one record. Resolved beats pending (a resolution is never undone); two
 * resolutions of the same record (made on two nodes at once) settle on the later-written version,
 * which is also the value last-write-wins keeps, so record and data agree everywhere.
 */
export function mergeRecords(a: ConflictRecord, b: ConflictRecord): ConflictRecord {
  if (a.status !== b.status) return a.status === "resolved" ? a : b;
  if (a.resolution && b.resolution)
    return compareVersionStrings(a.resolution.written, b.resolution.written) >= 0 ? a : b;
  // Two pending copies: keep the one that knows more values (a detector may lack the replaced value).
  const known = (r: ConflictRecord) => r.versions.filter((v) => v.value !== undefined).length;
  return known(b) > known(a) ? b : a;
}

/** Orders `wall:logical:node` strings as HLC timestamps. */
export function compareVersionStrings(a: string, b: string): number {
  const [aw, al, ...an] = a.split(":");
  const [bw, bl, ...bn] = b.split(":");
  return (
    Number(aw) - Number(bw) ||
    Number(al) - Number(bl) ||
    (an.join(":") < bn.join(":") ? -1 : an.join(":") > bn.join(":") ? 1 : 0)
  );
}

/** The record's revision, for gossip digests: changes exactly when a merge would change it. */
export function revision(r: ConflictRecord): string {
  return r.status === "resolved"
    ? `r:${r.resolution?.written ?? ""}`
    : `p:${r.versions.filter((v) => v.value !== undefined).length}`;
}
