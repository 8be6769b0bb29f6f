/**
 * The ReplicatedStoreBackup resource: one backup of one store, made on demand (kubectl apply, or
 * `kubectl replistore backup create`) or by the store's spec.backup.schedule. The operator runs it
 * as a Job and writes the result to status; the backup's data lives at the destination, so deleting
 * the resource does not delete the backup (`replistore backup delete` and retention do).
 */
import Type, { type Static } from "typebox";
import { BackupDestination } from "./backup-types.ts";
import { API_VERSION } from "./names.ts";
import { DNS_LABEL_PATTERN, StringEnum } from "./schema-types.ts";

const strict = { additionalProperties: false } as const;

export const BACKUP_KIND = "ReplicatedStoreBackup";
export const BACKUP_PLURAL = "replicatedstorebackups";
export const BACKUP_SINGULAR = "replicatedstorebackup";
export const BACKUP_SHORT_NAMES: readonly string[] = ["rsbackup"];

export const BACKUP_PHASES = ["Pending", "Running", "Completed", "Failed"] as const;
export type BackupPhase = (typeof BACKUP_PHASES)[number];

export const ReplicatedStoreBackupSpec = Type.Object(
  {
    storeName: Type.String({
      pattern: DNS_LABEL_PATTERN,
      maxLength: 52,
      description: "The ReplicatedStore to back up, in this namespace.",
    }),
    destination: Type.Optional(BackupDestination),
  },
  {
    ...strict,
    description:
      "Which store to back up, and where: destination defaults to the store's spec.backup.destination.",
  },
);

export const ReplicatedStoreBackupStatus = Type.Object(
  {
    phase: Type.Optional(
      StringEnum([...BACKUP_PHASES], { description: "Pending, Running, Completed or Failed." }),
    ),
    backupId: Type.Optional(
      Type.String({ description: "The backup's folder at the destination (the resource's name)." }),
    ),
    destination: Type.Optional(
      Type.String({ description: "Where it was written: s3://bucket/path/ or file:///dir/." }),
    ),
    jobName: Type.Optional(Type.String({ description: "The Job that ran it." })),
    startedAt: Type.Optional(Type.String({ format: "date-time", description: "When the backup started." })),
    completedAt: Type.Optional(
      Type.String({ format: "date-time", description: "When it completed or failed." }),
    ),
    durationSeconds: Type.Optional(Type.Number({ minimum: 0, description: "How long it took." })),
    cut: Type.Optional(
      Type.String({ description: "The HLC cut (wall:logical:node): no version in the backup is newer." }),
    ),
    keys: Type.Optional(Type.Integer({ minimum: 0, description: "Keys with a value." })),
    tombstones: Type.Optional(Type.Integer({ minimum: 0, description: "Recent deletes kept with them." })),
    conflicts: Type.Optional(
      Type.Integer({ minimum: 0, description: "Conflict records (pending and resolved)." }),
    ),
    bytes: Type.Optional(Type.Integer({ minimum: 0, description: "Size of the backup's objects." })),
    message: Type.Optional(Type.String({ description: "Why it failed, or what to know about it." })),
    observedGeneration: Type.Optional(
      Type.Integer({ minimum: 0, description: "metadata.generation acted on." }),
    ),
  },
  { ...strict, description: "The backup's result, written by the operator." },
);
export type ReplicatedStoreBackupStatus = Static<typeof ReplicatedStoreBackupStatus>;

export const ReplicatedStoreBackup = Type.Object(
  {
    apiVersion: StringEnum([API_VERSION], { description: `Always ${API_VERSION}.` }),
    kind: StringEnum([BACKUP_KIND], { description: `Always ${BACKUP_KIND}.` }),
    metadata: Type.Object(
      {
        name: Type.String({
          pattern: DNS_LABEL_PATTERN,
          maxLength: 63,
          description: "The backup's id at the destination too.",
        }),
      },
      { description: "Standard object metadata." },
    ),
    spec: ReplicatedStoreBackupSpec,
    status: Type.Optional(ReplicatedStoreBackupStatus),
  },
  { ...strict, description: "One backup of a ReplicatedStore." },
);
export type ReplicatedStoreBackup = Static<typeof ReplicatedStoreBackup>;
