/**
 * What to do with one ReplicatedStoreBackup, from what the operator sees: its status, its store, its
 * Job. Pure, unit-tested. The phases:
 * - Pending: the store is missing or has no quorum yet (the message says what to do); nothing runs.
 * - Running: the Job exists and has not finished.
 * - Completed / Failed: final, from the Job's result (or why it left none). A backup with no
 *   destination (neither its own nor the store's spec.backup.destination) fails at once: waiting
 *   would not make one appear for it, and a new backup is one `kubectl apply` away.
 * A final backup is never looked at again: its status is the record of that run.
 */
import type { ReplicatedStoreBackupStatus } from "../../api/backup-resource.ts";
import type { BackupDestination, BackupRetention } from "../../api/backup-types.ts";
import type { ReplicatedStoreSpec } from "../../api/replicated-store.ts";
import type { ReplicatedStoreStatus } from "../../api/status.ts";
import type { BackupResult } from "../../backup/result.ts";
import { kubeTime } from "../status/conditions.ts";
import { type BackupView, isFinal } from "./backup-input.ts";
import type { JobReading } from "./job-result.ts";

/** The store as the backup needs it; "missing" also covers a store being deleted. */
export type StoreState =
  | { state: "missing" }
  | { state: "invalid"; errors: readonly string[] }
  | { state: "present"; spec: ReplicatedStoreSpec; status: ReplicatedStoreStatus | undefined };

export interface PlannedBackupEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  /** Also on the store (the outcome of a run), not only on the backup. */
  onStore: boolean;
}

export interface BackupPlan {
  /** The status to write; undefined: leave it as it is. */
  status?: ReplicatedStoreBackupStatus;
  /** Create the Job with these settings. */
  createJob?: { destination: BackupDestination; retention?: BackupRetention };
  events: PlannedBackupEvent[];
  /** Became final in this step: counted in replistore_backups_total. */
  finished?: "completed" | "failed";
  /** Backup ids retention deleted at the destination (their objects go too). */
  pruned?: string[];
}

export interface BackupPlanInput {
  backup: BackupView;
  store: StoreState;
  /** The backup's Job, read; undefined when it does not exist. */
  job: JobReading | undefined;
  now: Date;
}

/** The destination a backup writes to: its own, else its store's spec.backup.destination. */
export function destinationOf(
  backup: BackupView,
  spec: ReplicatedStoreSpec | undefined,
): BackupDestination | undefined {
  return backup.destination ?? spec?.backup?.destination;
}

/**
 * The store's retention, applied only when the backup goes to the store's own destination: the
 * store's policy says nothing about another bucket, whose backups it must not delete.
 */
export function retentionOf(
  destination: BackupDestination,
  spec: ReplicatedStoreSpec | undefined,
): BackupRetention | undefined {
  const settings = spec?.backup;
  if (!settings?.retention || settings.destination.path !== destination.path) return undefined;
  return settings.retention;
}

/** Ready enough to back up: every key has its quorum of owners (a node down is fine, W+R still holds). */
export function storeReadiness(status: ReplicatedStoreStatus | undefined): string | undefined {
  const quorum = status?.conditions?.find((c) => c.type === "QuorumAvailable");
  if (quorum?.status === "True") return undefined;
  return quorum
    ? `its quorum is not available (${quorum.reason}: ${quorum.message})`
    : "it has not reported its quorum yet";
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function base(backup: BackupView, extra: ReplicatedStoreBackupStatus): ReplicatedStoreBackupStatus {
  return withoutUndefined({
    ...backup.status,
    backupId: backup.name,
    observedGeneration: backup.generation,
    ...extra,
  });
}

function pending(input: BackupPlanInput, message: string): BackupPlan {
  const { backup } = input;
  const status = base(backup, { phase: "Pending", message });
  const changed = backup.status?.phase !== "Pending" || backup.status.message !== message;
  return {
    status,
    events: changed ? [{ type: "Normal", reason: "BackupPending", message, onStore: false }] : [],
  };
}

function failed(
  input: BackupPlanInput,
  message: string,
  times: ReplicatedStoreBackupStatus = {},
): BackupPlan {
  const { backup, now } = input;
  return {
    status: base(backup, { phase: "Failed", completedAt: kubeTime(now), ...times, message }),
    events: [
      { type: "Warning", reason: "BackupFailed", message: `${backup.name}: ${message}`, onStore: true },
    ],
    finished: "failed",
  };
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function fromResult(
  input: BackupPlanInput,
  result: BackupResult,
  startedAt?: Date,
  finishedAt?: Date,
): BackupPlan {
  const { backup, now } = input;
  const started = result.startedAt ?? (startedAt ? kubeTime(startedAt) : undefined);
  const ended = result.finishedAt ?? kubeTime(finishedAt ?? now);
  const times = withoutUndefined({
    destination: result.destination,
    startedAt: started ? kubeTime(new Date(started)) : undefined,
    completedAt: kubeTime(new Date(ended)),
    durationSeconds: result.durationMs !== undefined ? seconds(result.durationMs) : undefined,
  });
  if (result.status === "failed")
    return failed(input, result.error ?? "the backup failed without saying why", times);
  const counts = withoutUndefined({
    cut: result.cut,
    keys: result.keys,
    tombstones: result.tombstones,
    conflicts: result.conflicts,
    bytes: result.bytes,
  });
  const pruned = (result.pruned ?? []).filter((id) => id !== backup.name);
  const summary = `${result.keys ?? 0} keys, ${result.bytes ?? 0} bytes at ${result.destination}`;
  const message = pruned.length > 0 ? `${summary}; retention deleted ${pruned.join(", ")}` : summary;
  return {
    status: base(backup, { phase: "Completed", ...times, ...counts, message }),
    events: [
      { type: "Normal", reason: "BackupCompleted", message: `${backup.name}: ${message}`, onStore: true },
    ],
    finished: "completed",
    pruned,
  };
}

export function planBackup(input: BackupPlanInput): BackupPlan {
  const { backup, store, job, now } = input;
  if (isFinal(backup.status?.phase)) return { events: [] };
  const jobName = backup.name;

  if (job) {
    const started = job.startedAt ? kubeTime(job.startedAt) : (backup.status?.startedAt ?? kubeTime(now));
    if (job.state === "running") {
      const first = backup.status?.phase !== "Running";
      return {
        status: base(backup, {
          phase: "Running",
          jobName,
          startedAt: started,
          message: `Job ${jobName} is running`,
        }),
        events: first
          ? [
              {
                type: "Normal",
                reason: "BackupRunning",
                message: `Job ${jobName} is running`,
                onStore: false,
              },
            ]
          : [],
      };
    }
    if (job.state === "unreadable") {
      const times = withoutUndefined({
        jobName,
        startedAt: started,
        completedAt: job.finishedAt ? kubeTime(job.finishedAt) : undefined,
      });
      return failed(input, `${job.reason}; see kubectl logs job/${jobName}`, times);
    }
    const plan = fromResult(input, job.result, job.startedAt, job.finishedAt);
    if (plan.status) plan.status.jobName = jobName;
    return plan;
  }

  const storeRef = `ReplicatedStore ${backup.storeName}`;
  if (store.state === "missing") {
    return pending(
      input,
      `${storeRef} does not exist in namespace ${backup.namespace}: create it, or delete this backup`,
    );
  }
  if (store.state === "invalid") {
    return pending(
      input,
      `${storeRef} has a spec the operator cannot use (${store.errors.join("; ")}): fix it first`,
    );
  }
  const destination = destinationOf(backup, store.spec);
  if (!destination) {
    return failed(
      input,
      `${storeRef} has no spec.backup.destination and this backup names no spec.destination: set one of them, then create a new ReplicatedStoreBackup`,
    );
  }
  const notReady = storeReadiness(store.status);
  if (notReady) return pending(input, `waiting for ${storeRef}: ${notReady}`);
  const retention = retentionOf(destination, store.spec);
  return {
    status: base(backup, {
      phase: "Pending",
      jobName,
      destination: destination.path,
      message: `starting Job ${jobName}`,
    }),
    createJob: { destination, ...(retention ? { retention } : {}) },
    events: [],
  };
}
