/**
 * One replicated write in multi-leader mode, as kept in the outbox and sent between nodes.
 * Tuples rather than objects: a busy leader sends thousands per second and encoding is the cost.
 */
import type { UpdateTuple } from "../../../wire/multi-leader.ts";
import type { Timestamp } from "../../clock/hlc.ts";
import type { VersionedRecord } from "../../storage/record.ts";
import { nodeOf, type VectorEntry } from "./version-vector.ts";

export interface Update {
  /** The leader incarnation that accepted the write (see version-vector.ts). */
  origin: string;
  /** Its position in the origin's stream: 1, 2, 3, ... without gaps. */
  seq: number;
  key: string;
  record: VersionedRecord;
  /**
   * The origin's vector when it accepted the write (its own entry left out): the updates this one
   * may depend on. A receiver applies it only after all of them.
   */
  deps: VectorEntry[];
  /** Nodes known to have applied it; nobody sends it to one of them again. */
  seenBy: string[];
}

/** [origin, seq, wall, logical, key, value, deps, seenBy]; the HLC node is the origin's node. */
export type { UpdateTuple };

export function toUpdateTuple(u: Update): UpdateTuple {
  const { version, value } = u.record;
  return [u.origin, u.seq, version.wall, version.logical, u.key, value, u.deps, u.seenBy];
}

export function fromUpdateTuple(t: UpdateTuple): Update {
  const version: Timestamp = { wall: t[2], logical: t[3], node: nodeOf(t[0]) };
  return {
    origin: t[0],
    seq: t[1],
    key: t[4],
    record: { version, value: t[5] === undefined ? null : t[5] },
    deps: t[6],
    seenBy: t[7],
  };
}

/** Rough wire size, for batch limits. */
export function tupleBytes(t: UpdateTuple): number {
  return t[4].length + (t[5]?.byteLength ?? 0) + t[6].length * 24 + t[7].length * 12 + 48;
}
