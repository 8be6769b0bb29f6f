/** What the backup reconciles work with: the caches, the API clients, the operator's context. */
import type { BatchV1Api, V1Job } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { BuildContext } from "../../builders/context.ts";
import type { EventRecorder } from "../controller/event-recorder.ts";
import type { ResourceInformer } from "../controller/informer.ts";
import type { RawStore } from "../store-input.ts";
import type { RawBackup } from "./backup-input.ts";
import type { JobReading } from "./job-result.ts";
import type { BackupMetrics } from "./metrics.ts";
import type { BackupStatusWriter } from "./write-status.ts";

export interface BackupDeps {
  stores: ResourceInformer<RawStore>;
  backups: ResourceInformer<RawBackup>;
  jobs: ResourceInformer<V1Job>;
  batch: BatchV1Api;
  statusWriter: BackupStatusWriter;
  events: EventRecorder;
  metrics: BackupMetrics;
  log: Logger;
  context: Omit<BuildContext, "configGeneration" | "token">;
  now: () => Date;
  /** A Job's state and result (its pods read once it has finished). */
  readJob: (job: V1Job, id: string, container: string) => Promise<JobReading>;
  /** Creates a ReplicatedStoreBackup (false: it existed already). */
  createBackup: (namespace: string, body: RawBackup) => Promise<boolean>;
  deleteBackup: (namespace: string, name: string) => Promise<void>;
  countWrite: (verb: string, kind: string) => void;
  /** Something about the store's backups changed: look at its schedule and lastBackup again. */
  storeChanged: (namespace: string, store: string) => void;
  /** Memory of the schedule (first seen, skipped ticks), per store. */
  memory: ScheduleMemory;
}

export interface ScheduleMemory {
  /** store uid + schedule → when first seen; store uid → when spec.backup was first seen. */
  seen: Map<string, Date>;
  /** store uid → the newest tick skipped while a backup ran. */
  skipped: Map<string, Date>;
}
