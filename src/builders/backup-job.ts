/**
 * The Job of one ReplicatedStoreBackup: `replistore backup create` against the store's nodes, as a
 * peer of them (the same certificate or peer secret as the repair Job), writing to the backup's
 * destination. Its result (src/backup/result.ts) is the container's termination message, where the
 * operator reads it for the backup's status. Named like the backup, owned by it.
 */
import type { V1Job, V1OwnerReference } from "@kubernetes/client-node";
import { BACKUP_KIND } from "../api/backup-resource.ts";
import type { BackupDestination, BackupRetention } from "../api/backup-types.ts";
import { API_VERSION } from "../api/names.ts";
import { destinationEnv, destinationVolumeMounts, destinationVolumes } from "./backup-destination-pod.ts";
import { type BuildContext, CONFIG_PATH, type StoreResource } from "./context.ts";
import { type Component, storeLabels, withInheritedMetadata } from "./labels.ts";
import { peerJobPodSpec } from "./peer-job-pod.ts";

export const BACKUP_CONTAINER = "backup";
/** app.kubernetes.io/component of backup Jobs and their pods: what the operator's Job informer selects. */
export const BACKUP_COMPONENT = "backup" satisfies Component;
/**
 * A run that has not finished in this long is stopped and reported Failed, so a hung upload cannot
 * hold back every later scheduled backup (they wait while one runs). Generous: a backup of a large
 * store to a slow bucket takes hours, and a daily schedule leaves room for it.
 */
export const BACKUP_DEADLINE_SECONDS = 6 * 3600;

/** The ReplicatedStoreBackup a Job belongs to. */
export interface BackupOwner {
  name: string;
  uid: string;
}

export interface BackupJobInput {
  store: StoreResource;
  ctx: BuildContext;
  backup: BackupOwner;
  destination: BackupDestination;
  /** Applied after a completed backup (--keep, --max-age); omitted: nothing is pruned. */
  retention?: BackupRetention;
  /** --max-rate: bytes per second at most (the store's spec.backup.maxRate) */
  maxRate?: string;
}

/** The store's labels with component=backup. */
export function backupLabels(store: StoreResource): Record<string, string> {
  return storeLabels(store, BACKUP_COMPONENT);
}

function backupOwnerReference(backup: BackupOwner): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: BACKUP_KIND,
    name: backup.name,
    uid: backup.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** `backup create` and its flags: the id is the backup's name, so status and destination agree. */
export function backupArgs(
  input: Pick<BackupJobInput, "backup" | "destination" | "retention" | "maxRate">,
): string[] {
  const args = [
    "backup",
    "create",
    "--config",
    CONFIG_PATH,
    "--destination",
    input.destination.path,
    "--id",
    input.backup.name,
  ];
  const { keep, maxAge } = input.retention ?? {};
  if (keep !== undefined) args.push("--keep", String(keep));
  if (maxAge !== undefined) args.push("--max-age", maxAge);
  if (input.maxRate !== undefined) args.push("--max-rate", input.maxRate);
  return args;
}

export function buildBackupJob(input: BackupJobInput): V1Job {
  const { store, ctx, backup, destination } = input;
  const metadata = withInheritedMetadata(store, backupLabels(store));
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: backup.name,
      namespace: store.metadata.namespace,
      ...metadata,
      ownerReferences: [backupOwnerReference(backup)],
    },
    spec: {
      // One attempt: a failed backup is reported in the resource's status; the next one is a new
      // resource (the schedule's next tick, or a person), never a retry loop against the nodes.
      backoffLimit: 0,
      activeDeadlineSeconds: BACKUP_DEADLINE_SECONDS,
      template: {
        metadata,
        spec: peerJobPodSpec(store, ctx, {
          name: BACKUP_CONTAINER,
          args: backupArgs({ ...input, maxRate: input.maxRate ?? store.spec.backup?.maxRate }),
          env: destinationEnv(destination),
          volumeMounts: destinationVolumeMounts(destination),
          volumes: destinationVolumes(destination),
        }),
      },
    },
  };
}
