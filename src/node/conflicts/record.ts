import { createHash } from "node:crypto";

/**
 * A conflict record as stored and replicated. `partial_write`: a write failed its quorum but
 * stayed on some owners. `concurrent`: writes to one key that neither saw the other (multi-leader).
 */
export type ConflictKind = "partial_write" | "concurrent";

export interface ConflictVersion {
  /** HLC version string `wall:logical:node`. */
  version: string;
  /** The value's bytes; null for a delete; undefined when no node that saw it kept the value. */
  value: Uint8Array | null | undefined;
  origin: string;
  /** What this version is in the conflict. */
  role: "partial" | "replaced" | "concurrent";
}

export interface Resolution {
  by: string;
  at: string;
  /** The version kept, or null when a new value was written. */
  kept: string | null;
  /** The version the resolution wrote; it wins over every version in the record. */
  written: string;
  note: string;
}

export interface ConflictRecord {
  id: string;
  key: string;
  kind: ConflictKind;
  versions: ConflictVersion[];
  /** The version last-write-wins applied when the conflict was detected. */
  applied: string;
  detectedAt: string;
  detectedBy: string;
  status: "pending" | "resolved";
  resolution: Resolution | null;
  /** Owners that stored a partial write, and those that did not. */
  ownersReached?: string[];
  ownersFailed?: string[];
}

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
