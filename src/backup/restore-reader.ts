/**
 * Reads a complete backup back: each data object fetched, its SHA-256 and its frames checked, its
 * record count compared with the manifest, before a single record of it is handed out. The next
 * object is fetched while the caller applies the current one.
 */
import { createHash } from "node:crypto";
import { unpack } from "msgpackr";
import { UserError } from "../errors.ts";
import { ConflictsFrame, type KeyRecord, RecordsFrame, splitFrames } from "../wire/backup.ts";
import type { ConflictRecord } from "../wire/conflict.ts";
import { checker } from "../wire/decode.ts";
import type { BackupManifest, DataObject } from "./manifest.ts";
import type { ObjectStore } from "./object-store.ts";

const records = checker(RecordsFrame);
const conflicts = checker(ConflictsFrame);

export class CorruptBackupError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "CorruptBackupError";
  }
}

async function fetchChecked(store: ObjectStore, m: BackupManifest, o: DataObject): Promise<unknown[]> {
  const where = `${store.url}${m.id}/${o.name}`;
  const body = await store.get(`${m.id}/${o.name}`);
  if (body === undefined) throw new CorruptBackupError(`${where} is missing; the backup cannot be restored`);
  const sum = createHash("sha256").update(body).digest("hex");
  if (sum !== o.sha256 || body.byteLength !== o.bytes) {
    throw new CorruptBackupError(`${where} does not match its checksum in the manifest (damaged or altered)`);
  }
  try {
    return splitFrames(body).map((frame) => unpack(frame) as unknown);
  } catch {
    throw new CorruptBackupError(`${where} is not length-prefixed msgpack frames`);
  }
}

/** The backup's records, a frame at a time, in key order. */
export async function* backupRecords(
  store: ObjectStore,
  m: BackupManifest,
): AsyncGenerator<readonly KeyRecord[]> {
  let next = m.data[0] ? fetchChecked(store, m, m.data[0]) : undefined;
  for (let i = 0; i < m.data.length; i++) {
    const object = m.data[i]!;
    const frames = await next!;
    next = m.data[i + 1] ? fetchChecked(store, m, m.data[i + 1]!) : undefined;
    // An unawaited prefetch that fails while we apply is reported when we reach it, not as unhandled.
    next?.catch(() => undefined);
    let n = 0;
    for (const f of frames) {
      if (!records.check(f)) {
        throw new CorruptBackupError(`${m.id}/${object.name}: ${records.explain(f, "frame")}`);
      }
      n += f.entries.length;
      yield f.entries;
    }
    if (n !== object.records) {
      throw new CorruptBackupError(
        `${m.id}/${object.name}: ${n} records, the manifest says ${object.records}`,
      );
    }
  }
}

export async function backupConflicts(store: ObjectStore, m: BackupManifest): Promise<ConflictRecord[]> {
  if (!m.conflictsObject) return [];
  const out: ConflictRecord[] = [];
  for (const f of await fetchChecked(store, m, m.conflictsObject)) {
    if (!conflicts.check(f))
      throw new CorruptBackupError(`${m.id}/${m.conflictsObject.name}: ${conflicts.explain(f, "frame")}`);
    out.push(...f.records);
  }
  return out;
}
