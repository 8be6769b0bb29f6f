/** A conflict-queue record as nodes replicate it (OP_CONFLICT_PUT, OP_CONFLICT_FETCH). */
import Type, { type Static } from "typebox";
import { Bytes, Key, NodeId } from "./record.ts";

/** HLC version string `wall:logical:node`. */
const VersionString = Type.String({ pattern: "^\\d+:\\d+:.+$" });

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

export const ConflictRecord = Type.Object({
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
export type ConflictRecord = Static<typeof ConflictRecord>;
