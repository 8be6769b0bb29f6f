import { createHash } from "node:crypto";
import { pack } from "msgpackr";
import { encodeFrame } from "../wire/backup.ts";
import type { ConflictRecord } from "../wire/conflict.ts";
import type { DataObject } from "./manifest.ts";
import type { ObjectStore } from "./object-store.ts";

export const CONFLICTS_NAME = "conflicts.msgpack";
const PER_FRAME = 512;

/** Stores the conflict queue as conflicts frames; null when the queue is empty. */
export async function conflictsObject(
  store: ObjectStore,
  folder: string,
  records: readonly ConflictRecord[],
): Promise<DataObject | null> {
  if (records.length === 0) return null;
  const frames: Buffer[] = [];
  for (let i = 0; i < records.length; i += PER_FRAME) {
    frames.push(encodeFrame(pack({ kind: "conflicts", records: records.slice(i, i + PER_FRAME) })));
  }
  const body = Buffer.concat(frames);
  await store.put(folder + CONFLICTS_NAME, body);
  return {
    name: CONFLICTS_NAME,
    records: records.length,
    bytes: body.byteLength,
    sha256: createHash("sha256").update(body).digest("hex"),
  };
}
