import type { RecordTuple, VersionTriple } from "../../wire/record.ts";
import { compareTimestamps, type Timestamp } from "../clock/hlc.ts";

/**
 * One version of a key as stored and as sent between nodes. `value` null is a tombstone: deletes
 * are versions too, so a replica that missed the delete cannot bring the key back.
 */
export interface VersionedRecord {
  readonly version: Timestamp;
  readonly value: Uint8Array | null;
}

/** Compact tuple encoding used on disk and on the wire (msgpack): [wall, logical, node, value]. */
export type { RecordTuple };

export function toTuple(rec: VersionedRecord): RecordTuple {
  return [rec.version.wall, rec.version.logical, rec.version.node, rec.value];
}

export function fromTuple(t: RecordTuple): VersionedRecord {
  return { version: { wall: t[0], logical: t[1], node: t[2] }, value: t[3] };
}

/** A version as the wire carries it without its value: [wall, logical, node]. */
export function toTriple(v: Timestamp): VersionTriple {
  return [v.wall, v.logical, v.node];
}

export function fromTriple(t: VersionTriple): Timestamp {
  return { wall: t[0], logical: t[1], node: t[2] };
}

export function isTombstone(rec: VersionedRecord): boolean {
  return rec.value === null;
}

/** Last write wins: the record with the greater HLC; undefined counts as oldest. */
export function newer(
  a: VersionedRecord | undefined,
  b: VersionedRecord | undefined,
): VersionedRecord | undefined {
  if (!a) return b;
  if (!b) return a;
  return compareTimestamps(a.version, b.version) >= 0 ? a : b;
}

export function recordSize(key: string, rec: VersionedRecord): number {
  return Buffer.byteLength(key) + (rec.value?.byteLength ?? 0) + rec.version.node.length + 16;
}
