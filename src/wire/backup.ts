/**
 * Backup messages: the snapshot a node streams to a backup run, and the frames of a backup's data
 * objects. Both are a sequence of length-prefixed msgpack frames (encodeFrame), so a reader keeps
 * one frame in memory at a time whatever the store's size. Every frame is checked against these
 * schemas by whoever reads it: the backup run (node streams), the restore (objects).
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

/**
 * Frames go on the wire and into data objects as a 4-byte big-endian length, then that many bytes
 * of msgpack: a reader unpacks each frame once, whole, however the bytes were chunked (msgpack's
 * own streaming decoder re-parses a partial frame on every chunk, which costs more than the copy).
 */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function encodeFrame(body: Uint8Array): Buffer {
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.byteLength, 0);
  return Buffer.concat([head, body]);
}

/** The frame bodies in `chunks`, in order; throws on a frame over MAX_FRAME_BYTES or a cut-off tail. */
export async function* frameBodies(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let have = 0;
  let need = -1;
  for await (const chunk of chunks) {
    pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    have += chunk.byteLength;
    for (;;) {
      if (need < 0) {
        if (have < 4) break;
        if (pending[0]!.byteLength < 4) pending = [Buffer.concat(pending, have)];
        need = pending[0]!.readUInt32BE(0);
        if (need > MAX_FRAME_BYTES)
          throw new Error(`frame of ${need} bytes is over the ${MAX_FRAME_BYTES}-byte limit`);
      }
      // Joined once per frame, when the whole frame is there.
      if (have < 4 + need) break;
      const joined = pending.length === 1 ? pending[0]! : Buffer.concat(pending, have);
      yield joined.subarray(4, 4 + need);
      const rest = joined.subarray(4 + need);
      pending = rest.byteLength > 0 ? [rest] : [];
      have = rest.byteLength;
      need = -1;
    }
  }
  if (have > 0) throw new Error(`stream ended inside a frame (${have} bytes left over)`);
}

/** The frame bodies of a whole buffer (a data object). */
export function splitFrames(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.byteLength) {
    if (at + 4 > buf.byteLength) throw new Error("object ends inside a frame header");
    const len = buf.readUInt32BE(at);
    if (at + 4 + len > buf.byteLength) throw new Error("object ends inside a frame");
    out.push(buf.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}
