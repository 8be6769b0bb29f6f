/**
 * Backups in the manifest: where they go (a destination, shared by backups and restores) and
 * spec.bootstrap, which makes a new store from one. See docs/backup.md.
 */
import Type, { type Static } from "typebox";
import { DURATION_PATTERN } from "./duration.ts";
import { QUANTITY_PATTERN } from "./quantity.ts";
import { CRON_PATTERN, DNS_SUBDOMAIN_PATTERN } from "./schema-types.ts";

const strict = { additionalProperties: false } as const;

/** s3://bucket[/path] or file:///absolute/dir. */
export const DESTINATION_PATH_PATTERN = "^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/\\S*)?|file:///\\S*)$";
/** A backup's id: a DNS label, so a ReplicatedStoreBackup of that name can stand for it. */
export const BACKUP_ID_SCHEMA_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

const SecretName = (description: string) =>
  Type.String({ pattern: DNS_SUBDOMAIN_PATTERN, maxLength: 253, description });

export const BackupDestination = Type.Object(
  {
    path: Type.String({
      pattern: DESTINATION_PATH_PATTERN,
      maxLength: 1024,
      description:
        "Where backups are kept: s3://<bucket>/<path> (AWS S3 or any S3-compatible server) or file:///<dir> (replistore up, or a volume every pod mounts). Each backup is a folder <id>/ under it.",
    }),
    endpoint: Type.Optional(
      Type.String({
        pattern: "^https?://[^/\\s]+(/\\S*)?$",
        maxLength: 1024,
        description: "URL of an S3-compatible server, e.g. https://minio.storage:9000; omitted: AWS S3.",
      }),
    ),
    region: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "S3 region; default us-east-1." }),
    ),
    credentials: Type.Optional(
      Type.Object(
        {
          secretName: SecretName("Secret in the store's namespace with the access key and secret key."),
          accessKeyIdKey: Type.String({
            minLength: 1,
            maxLength: 253,
            default: "AWS_ACCESS_KEY_ID",
            description: "The Secret's key holding the access key id.",
          }),
          secretAccessKeyKey: Type.String({
            minLength: 1,
            maxLength: 253,
            default: "AWS_SECRET_ACCESS_KEY",
            description: "The Secret's key holding the secret access key.",
          }),
        },
        {
          ...strict,
          description:
            "S3 credentials (Kubernetes). Under replistore up they come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead.",
        },
      ),
    ),
    caBundle: Type.Optional(
      Type.Object(
        {
          configMapName: Type.String({
            pattern: DNS_SUBDOMAIN_PATTERN,
            maxLength: 253,
            description: "ConfigMap in the store's namespace holding the PEM bundle.",
          }),
          key: Type.String({
            minLength: 1,
            maxLength: 253,
            default: "ca.crt",
            description: "The ConfigMap's key holding the bundle.",
          }),
        },
        {
          ...strict,
          description:
            "CA bundle that signed the endpoint's certificate (Kubernetes). Under replistore up: AWS_CA_BUNDLE names the file.",
        },
      ),
    ),
  },
  { ...strict, description: "A backup destination." },
);
export type BackupDestination = Static<typeof BackupDestination>;

export const FromBackup = Type.Object(
  {
    backupName: Type.Optional(
      Type.String({
        pattern: BACKUP_ID_SCHEMA_PATTERN,
        maxLength: 63,
        description:
          "A completed ReplicatedStoreBackup in the store's namespace (Kubernetes). Give this or destination.",
      }),
    ),
    destination: Type.Optional(BackupDestination),
    backupId: Type.Optional(
      Type.String({
        pattern: BACKUP_ID_SCHEMA_PATTERN,
        maxLength: 63,
        description:
          "With destination: the backup to restore (`replistore backup list` shows them); omitted: the newest complete backup there, chosen once when the store is created.",
      }),
    ),
  },
  {
    ...strict,
    description: "The backup a new store starts from. A store that already holds data is never overwritten.",
  },
);
export type FromBackup = Static<typeof FromBackup>;

export const Bootstrap = Type.Object(
  { fromBackup: Type.Optional(FromBackup) },
  {
    ...strict,
    description:
      "How a new store gets its first data. fromBackup: every node loads the keys it owns from a backup before it serves; any mode and replica count.",
  },
);
export type Bootstrap = Static<typeof Bootstrap>;

export const BackupRetention = Type.Object(
  {
    keep: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10_000,
        description: "Keep at least the newest this many complete backups.",
      }),
    ),
    maxAge: Type.Optional(
      Type.String({
        pattern: DURATION_PATTERN,
        maxLength: 32,
        description: "Keep the complete backups younger than this, e.g. 720h.",
      }),
    ),
  },
  {
    ...strict,
    description:
      "Which backups stay after each successful backup: one stays while keep or maxAge keeps it (with one set, that one decides); the newest complete backup always stays. Omitted: nothing is deleted.",
  },
);
export type BackupRetention = Static<typeof BackupRetention>;

export const BackupSettings = Type.Object(
  {
    destination: BackupDestination,
    schedule: Type.Optional(
      Type.String({
        pattern: CRON_PATTERN,
        maxLength: 100,
        description:
          "Cron schedule (UTC) of backups; each run is a ReplicatedStoreBackup named <store>-<date>-<time>. Omitted: backups on demand only.",
      }),
    ),
    suspend: Type.Boolean({ default: false, description: "Pause scheduled backups." }),
    maxRate: Type.Optional(
      Type.String({
        pattern: QUANTITY_PATTERN,
        maxLength: 32,
        description:
          "Bytes per second a backup of this store reads at most, e.g. 20Mi, so it leaves the nodes CPU for writes (a backup streams every node's copy); omitted: as fast as it goes.",
      }),
    ),
    retention: Type.Optional(BackupRetention),
    alertAfter: Type.String({
      pattern: DURATION_PATTERN,
      maxLength: 32,
      default: "26h",
      description:
        "ReplistoreBackupTooOld fires when the last successful backup is older than this (a daily schedule with a margin).",
    }),
  },
  {
    ...strict,
    description:
      "Backups of this store: where they go, when they are taken, how many are kept. See docs/backup.md.",
  },
);
export type BackupSettings = Static<typeof BackupSettings>;
