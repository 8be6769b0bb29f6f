/**
 * A backup run's result as one small JSON object: what `backup create -o json` prints beside the
 * manifest and what a backup Job leaves as its termination message, where the operator reads it
 * for the ReplicatedStoreBackup's status (Kubernetes keeps at most 4 KiB of it).
 */
import Type, { type Static } from "typebox";
import type { BackupManifest } from "./manifest.ts";

export const BackupResult = Type.Object({
  status: Type.Union([Type.Literal("completed"), Type.Literal("failed")]),
  id: Type.String(),
  destination: Type.String(),
  cut: Type.Optional(Type.String()),
  keys: Type.Optional(Type.Integer({ minimum: 0 })),
  tombstones: Type.Optional(Type.Integer({ minimum: 0 })),
  conflicts: Type.Optional(Type.Integer({ minimum: 0 })),
  bytes: Type.Optional(Type.Integer({ minimum: 0 })),
  startedAt: Type.Optional(Type.String()),
  finishedAt: Type.Optional(Type.String()),
  durationMs: Type.Optional(Type.Integer({ minimum: 0 })),
  /** backups retention deleted after this one completed */
  pruned: Type.Optional(Type.Array(Type.String())),
  error: Type.Optional(Type.String()),
});
export type BackupResult = Static<typeof BackupResult>;

const MAX_MESSAGE = 4096;

export function completedResult(
  m: BackupManifest,
  destination: string,
  pruned: readonly string[],
): BackupResult {
  return {
    status: "completed",
    id: m.id,
    destination,
    cut: m.cut,
    keys: m.keys,
    tombstones: m.tombstones,
    conflicts: m.conflicts,
    bytes: m.bytes,
    startedAt: m.startedAt,
    finishedAt: m.finishedAt,
    durationMs: m.durationMs,
    pruned: [...pruned],
  };
}

/** The result as a termination message: JSON within Kubernetes' 4 KiB, long lists and errors cut. */
export function resultMessage(r: BackupResult): string {
  let text = JSON.stringify(r);
  if (text.length <= MAX_MESSAGE) return text;
  const short: BackupResult = { ...r, pruned: r.pruned?.slice(0, 20) };
  if (r.error !== undefined) short.error = r.error.slice(0, 2000);
  text = JSON.stringify(short);
  return text.length <= MAX_MESSAGE
    ? text
    : JSON.stringify({ ...short, pruned: [], error: short.error?.slice(0, 500) });
}
