/**
 * Backup messages: the snapshot a node streams to a backup run, and the frames of a backup's data
 * files. Both are a sequence of msgpack frames (no length prefix: msgpack is self-delimiting), so a
 * reader keeps one frame in memory at a time whatever the store's size. Every frame is checked
 * against these schemas by whoever reads it: the backup run (node streams), the restore (files).
 */
import Type, { type Static } from "typebox";
import { ConflictRecord } from "./conflict.ts";
import { ClockPair, Key, NodeId, RecordTuple } from "./record.ts";

/** GET on the peer port: the node's snapshot, as SnapshotFrame frames (header, records..., conflicts..., end). */
export const BACKUP_SNAPSHOT = "/internal/v1/backup/snapshot";

/** The backup format this code writes and reads; a manifest of another format is refused by name. */
export const BACKUP_FORMAT = 1;

const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** A key and its newest version on the sender (value null: a tombstone still within its grace period). */
export const KeyRecord = Type.Tuple([Key, RecordTuple]);
export type KeyRecord = Static<typeof KeyRecord>;

export const SnapshotHeader = Type.Object({
  kind: Type.Literal("header"),
  node: NodeId,
  /** The node's HLC right after its read snapshot was opened: no record in the snapshot is newer. */
  clock: ClockPair,
});

/** Records in strictly increasing key order (UTF-8 byte order), across frames too. */
export const RecordsFrame = Type.Object({
  kind: Type.Literal("records"),
  entries: Type.Array(KeyRecord),
});
export type RecordsFrame = Static<typeof RecordsFrame>;

export const ConflictsFrame = Type.Object({
  kind: Type.Literal("conflicts"),
  records: Type.Array(ConflictRecord),
});

/** Last frame: a stream cut short has no end frame, or counts that do not match what came. */
export const SnapshotEnd = Type.Object({
  kind: Type.Literal("end"),
  records: Count,
  conflicts: Count,
});

export const SnapshotFrame = Type.Union([SnapshotHeader, RecordsFrame, ConflictsFrame, SnapshotEnd]);
export type SnapshotFrame = Static<typeof SnapshotFrame>;

/**
 * The key order of snapshots and backup files: UTF-8 bytes, which is how LMDB orders string keys.
 * JavaScript's `<` compares UTF-16 code units and disagrees past U+FFFF, so never use it here.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
