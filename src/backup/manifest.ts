/**
 * A backup's manifest: written last, so a backup without one (interrupted, still running, or its
 * writer died) is never listed as complete nor offered for restore. It names every data object with
 * its checksum; a restore verifies each before it applies a record of it.
 */
import Type, { type Static } from "typebox";
import { BACKUP_FORMAT } from "../wire/backup.ts";
import { checker } from "../wire/decode.ts";

export const MANIFEST_NAME = "manifest.json";

const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const DataObject = Type.Object({
  name: Type.String({ minLength: 1 }),
  records: Count,
  bytes: Count,
  /** hex SHA-256 of the object's bytes */
  sha256: Type.String({ pattern: "^[0-9a-f]{64}$" }),
});
export type DataObject = Static<typeof DataObject>;

export const BackupNode = Type.Object({
  id: Type.String({ minLength: 1 }),
  /** false: the node did not answer; the backup holds every write acknowledged without it */
  reached: Type.Boolean(),
  records: Count,
  error: Type.Optional(Type.String()),
});
export type BackupNode = Static<typeof BackupNode>;

export const BackupManifest = Type.Object({
  format: Type.Literal(BACKUP_FORMAT),
  id: Type.String({ minLength: 1 }),
  store: Type.Object({ name: Type.String({ minLength: 1 }), namespace: Type.String() }),
  /** the source store's shape, for a person choosing what to restore into */
  spec: Type.Object({
    mode: Type.Union([Type.Literal("Leaderless"), Type.Literal("MultiLeader")]),
    replicas: Count,
    replication: Type.Object({ factor: Count, writeQuorum: Count, readQuorum: Count }),
  }),
  /**
   * The HLC cut (wall:logical:node): no version in the backup is newer; every write acknowledged
   * before the backup started is in it.
   */
  cut: Type.String({ minLength: 5 }),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  durationMs: Count,
  /** keys with a value */
  keys: Count,
  /** deleted keys still inside their grace period (restored so a late replica cannot resurrect them) */
  tombstones: Count,
  conflicts: Count,
  /** bytes of every data object */
  bytes: Count,
  nodes: Type.Array(BackupNode),
  data: Type.Array(DataObject),
  conflictsObject: Type.Union([DataObject, Type.Null()]),
  replistoreVersion: Type.String(),
});
export type BackupManifest = Static<typeof BackupManifest>;

export const manifestCheck = checker(BackupManifest);

/** The manifest in `raw`, or why it is not one this version can restore. */
export function parseManifest(raw: Buffer, where: string): BackupManifest | string {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch {
    return `${where}: manifest is not JSON`;
  }
  if (typeof value === "object" && value !== null && "format" in value && value.format !== BACKUP_FORMAT) {
    return `${where}: backup format ${String(value.format)}, this replistore reads format ${BACKUP_FORMAT}; use a newer replistore`;
  }
  if (!manifestCheck.check(value)) return `${where}: ${manifestCheck.explain(value, "manifest")}`;
  return value;
}
