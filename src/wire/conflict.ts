/** A conflict-queue record as nodes replicate it (OP_CONFLICT_PUT, OP_CONFLICT_FETCH). */
import Type, { type Static } from "typebox";
import { Bytes, Key, NodeId } from "./record.ts";
import { parseTimestamp } from "./version.ts";

/** HLC version string `wall:logical:node`, with wall and logical whole numbers a double holds exactly. */
const VersionString = Type.Refine(
  Type.String({ minLength: 5 }),
  (s: string) => parseTimestamp(s) !== undefined,
  () => "must be an HLC version wall:logical:node (wall and logical safe whole numbers)",
);

export const ConflictVersion = Type.Object({
  version: VersionString,
  /** The value's bytes; null for a delete; undefined when no node that saw it kept the value. */
  value: Type.Optional(Type.Union([Bytes, Type.Null()])),
  origin: Type.String(),
  /** What this version is in the conflict. */
  role: Type.Union([Type.Literal("partial"), Type.Literal("replaced"), Type.Literal("concurrent")]),
});

export const Resolution = Type.Object({
  by: Type.String(),
  at: Type.String(),
  /** The version kept, or null when a new value was written. */
  kept: Type.Union([VersionString, Type.Null()]),
  /** The version the resolution wrote; it wins over every version in the record. */
  written: VersionString,
  note: Type.String(),
});

/**
 * `partial_write`: a write failed its quorum but stayed on some owners. `concurrent`: writes to one
 * key that neither saw the other (multi-leader).
 */
export const ConflictKind = Type.Union([Type.Literal("partial_write"), Type.Literal("concurrent")]);

const ConflictRecordShape = Type.Object({
  id: Type.String({ minLength: 1 }),
  key: Key,
  kind: ConflictKind,
  versions: Type.Array(ConflictVersion, { minItems: 1 }),
  /** The version last-write-wins applied when the conflict was detected. */
  applied: VersionString,
  detectedAt: Type.String(),
  detectedBy: NodeId,
  status: Type.Union([Type.Literal("pending"), Type.Literal("resolved")]),
  resolution: Type.Union([Resolution, Type.Null()]),
  /** Owners that stored a partial write, and those that did not. */
  ownersReached: Type.Optional(Type.Array(NodeId)),
  ownersFailed: Type.Optional(Type.Array(NodeId)),
});
type RecordShape = Static<typeof ConflictRecordShape>;

/**
 * What the field types cannot say: the record agrees with itself. A resolved record without a
 * resolution (or a pending one with) would merge wrongly everywhere (resolved beats pending), and
 * `applied` or `kept` outside `versions` names a version nobody can show or keep.
 */
export function conflictRecordProblem(rec: RecordShape): string | undefined {
  if ((rec.status === "resolved") !== (rec.resolution !== null)) {
    return `status ${rec.status} needs resolution ${rec.status === "resolved" ? "set" : "null"}`;
  }
  const versions = rec.versions.map((v) => v.version);
  if (new Set(versions).size !== versions.length) return "versions must be distinct";
  if (!versions.includes(rec.applied)) return `applied ${rec.applied} is not one of versions`;
  const kept = rec.resolution?.kept;
  if (kept && !versions.includes(kept)) return `resolution.kept ${kept} is not one of versions`;
  return undefined;
}

export const ConflictRecord = Type.Refine(
  ConflictRecordShape,
  (rec: RecordShape) => conflictRecordProblem(rec) === undefined,
  (rec: RecordShape) => conflictRecordProblem(rec) ?? "is not a consistent conflict record",
);
export type ConflictRecord = RecordShape;

/**
 * The newest wall clock (ms) among every version a record names, for the max clock offset rule: one
 * far-future version (a resolution's `written` above all) would win every merge and hide later ones.
 */
export function newestWall(rec: ConflictRecord): number {
  const named = [...rec.versions.map((v) => v.version), rec.applied];
  if (rec.resolution)
    named.push(rec.resolution.written, ...(rec.resolution.kept ? [rec.resolution.kept] : []));
  return named.reduce((max, v) => Math.max(max, parseTimestamp(v)?.wall ?? 0), 0);
}

/** OP_CONFLICT_DIGEST's answer: [id, revision] for every record the peer holds. */
export const ConflictDigest = Type.Array(Type.Tuple([Type.String({ minLength: 1 }), Type.String()]));

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
