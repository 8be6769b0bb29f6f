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
export { compareVersionStrings, mergeRecords } from "../../wire/conflict.ts";
export type { ConflictRecord };

/** Same conflict, same id, on whichever node detects it: that is what de-duplicates. */
export function conflictId(kind: ConflictKind, key: string, versions: readonly string[]): string {
  const h = createHash("sha256").update(kind).update("\0").update(key);
  for (const v of [...versions].sort()) h.update("\0").update(v);
  return h.digest("hex").slice(0, 24);
}

/** The record's revision, for gossip digests: changes exactly when a merge would change it. */
export function revision(r: ConflictRecord): string {
  return r.status === "resolved"
    ? `r:${r.resolution?.written ?? ""}`
    : `p:${r.versions.filter((v) => v.value !== undefined).length}`;
}
