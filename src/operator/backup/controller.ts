/**
 * The backup controller: informers on ReplicatedStoreBackups and on backup Jobs, and a work queue
 * of two kinds of keys: `backup/<ns>/<name>` (one backup's Job and status, reconcile-backup.ts) and
 * `store/<ns>/<name>` (a store's schedule and status.lastBackup, reconcile-store-backups.ts). The
 * store informer is the operator's own.
 *
 * An operator may run before the ReplicatedStoreBackup CRD is installed (an upgrade that applied
 * the operator first): then backups are off, said once in the log, and the CRD is looked for again
 * every 30 seconds; the rest of the operator does not wait for it.
 */
import {
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1Job,
  type V1Pod,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { BACKUP_COMPONENT } from "../../builders/backup-job.ts";
import type { BuildContext } from "../../builders/context.ts";
import { MANAGED_BY } from "../../builders/labels.ts";
import { apiErrorMessage } from "../controller/api-errors.ts";
import { type ApiStats, countRead, countWrite } from "../controller/api-stats.ts";
import type { EventRecorder } from "../controller/event-recorder.ts";
import { ResourceInformer } from "../controller/informer.ts";
import { BACKUPS } from "../controller/resource-kinds.ts";
import { WorkQueue } from "../controller/work-queue.ts";
import { JOBS } from "../observe/repair-runs.ts";
import type { RawStore } from "../store-input.ts";
import { BackupApi } from "./backup-api.ts";
import { backupView, isFinal, type RawBackup } from "./backup-input.ts";
import type { BackupDeps, ScheduleMemory } from "./deps.ts";
import { type JobReading, readJob } from "./job-result.ts";
import { BackupMetrics } from "./metrics.ts";
import { reconcileBackup } from "./reconcile-backup.ts";
import { reconcileStoreBackups } from "./reconcile-store-backups.ts";
import { storeBackupStats } from "./store-stats.ts";
import { BackupStatusWriter } from "./write-status.ts";

export interface BackupControllerOptions {
  kubeConfig: KubeConfig;
  stats: ApiStats;
  namespaces: readonly string[];
  log: Logger;
  stores: ResourceInformer<RawStore>;
  events: EventRecorder;
  registry: Registry;
  context: Omit<BuildContext, "configGeneration" | "token">;
  concurrency?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  now?: () => Date;
}

const PROBE_INTERVAL_MS = 30_000;

export class BackupController {
  private readonly options: BackupControllerOptions;
  private readonly log: Logger;
  private readonly backups: ResourceInformer<RawBackup>;
  private readonly jobs: ResourceInformer<V1Job>;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly api: BackupApi;
  private readonly queue: WorkQueue;
  private readonly deps: BackupDeps;
  private readonly readings = new Map<string, Promise<JobReading>>();
  private readonly memory: ScheduleMemory = { seen: new Map(), skipped: new Map() };
  readonly metrics: BackupMetrics;
  private enabled = false;
  private working = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: BackupControllerOptions) {
    this.options = options;
    this.log = options.log.child({ controller: "backups" });
    const { kubeConfig: config, namespaces, stats } = options;
    const informerOptions = { namespaces, log: this.log };
    this.backups = new ResourceInformer<RawBackup>(config, BACKUPS, informerOptions);
    this.jobs = new ResourceInformer<V1Job>(config, JOBS, {
      ...informerOptions,
      labelSelector: `app.kubernetes.io/managed-by=${MANAGED_BY},app.kubernetes.io/component=${BACKUP_COMPONENT}`,
    });
    this.custom = config.makeApiClient(CustomObjectsApi);
    this.core = config.makeApiClient(CoreV1Api);
    this.api = new BackupApi(this.custom, stats, this.log);
    this.metrics = new BackupMetrics(options.registry, () =>
      this.enabled
        ? storeBackupStats(
            this.backups
              .list()
              .map(backupView)
              .filter((b) => b !== undefined),
            options.stores.list(),
            this.memory.seen,
          )
        : [],
    );
    this.deps = {
      stores: options.stores,
      backups: this.backups,
      jobs: this.jobs,
      batch: config.makeApiClient(BatchV1Api),
      statusWriter: new BackupStatusWriter(this.custom, stats),
      events: options.events,
      metrics: this.metrics,
      log: this.log,
      context: options.context,
      now: options.now ?? (() => new Date()),
      readJob: (job, id, container) => this.readJob(job, id, container),
      createBackup: (namespace, body) => this.api.create(namespace, body),
      deleteBackup: (namespace, name) => this.api.delete(namespace, name),
      countWrite: (verb, kind) => countWrite(stats, verb, kind),
      storeChanged: (namespace, store) => this.queue.add(storeKey(namespace, store)),
      memory: this.memory,
    };
    this.queue = new WorkQueue({
      concurrency: options.concurrency ?? 2,
      handler: (key) => this.handle(key),
      ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
      ...(options.backoffMaxMs !== undefined ? { backoffMaxMs: options.backoffMaxMs } : {}),
      onError: (key, error, retryInMs) =>
        this.log.warn({ key, err: apiErrorMessage(error), retryInMs }, "backup reconcile failed; will retry"),
    });
    this.wire();
  }

  /** Starts the informers once the CRD is served (resolves at once when it is not: see above). */
  async start(): Promise<void> {
    this.stopped = false;
    if (await this.api.crdServed(this.options.namespaces[0])) {
      await this.startInformers();
      return;
    }
    this.log.warn(
      "the ReplicatedStoreBackup CRD is not installed: backups are off until it is (apply crds/ or run replistore crd apply)",
    );
    this.probeLater();
  }

  synced(): boolean {
    return !this.enabled || (this.backups.synced() && this.jobs.synced());
  }

  /** Begins reconciling (the operator leads). */
  startWorkers(): void {
    this.working = true;
    this.queue.start();
    this.resync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.working = false;
    clearTimeout(this.probeTimer);
    await Promise.all([this.backups.stop(), this.jobs.stop()]);
    await this.queue.shutdown();
  }

  /** Queues every store and every unfinished backup, as the periodic resync does. */
  resync(): void {
    if (!this.enabled || !this.working) return;
    for (const store of this.options.stores.list()) {
      const { namespace, name } = store.metadata ?? {};
      if (namespace && name) this.queue.add(storeKey(namespace, name));
    }
    for (const raw of this.backups.list()) {
      const { namespace, name } = raw.metadata ?? {};
      if (namespace && name && !isFinal(raw.status?.phase)) this.queue.add(backupKey(namespace, name));
    }
  }

  /** A store changed: its schedule, and the backups waiting for it. */
  storeChanged(namespace: string, name: string, deleted: boolean): void {
    if (deleted) return;
    if (!this.enabled) return;
    this.queue.add(storeKey(namespace, name));
    for (const raw of this.backups.list()) {
      const view = backupView(raw);
      if (view && view.namespace === namespace && view.storeName === name && !isFinal(view.status?.phase))
        this.queue.add(backupKey(namespace, view.name));
    }
  }

  /** Resolves when nothing is queued or running (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async handle(key: string) {
    const [kind, namespace = "", name = ""] = key.split("/");
    if (kind === "backup") {
      await reconcileBackup(this.deps, namespace, name);
      return undefined;
    }
    return reconcileStoreBackups(this.deps, namespace, name);
  }

  private wire(): void {
    this.backups.onChange((raw, change) => {
      const { namespace, name } = raw.metadata ?? {};
      if (!namespace || !name) return;
      if (change !== "delete") this.queue.add(backupKey(namespace, name));
      const view = backupView(raw);
      if (view) this.queue.add(storeKey(namespace, view.storeName));
    });
    this.jobs.onChange((job, change) => {
      const namespace = job.metadata?.namespace;
      const owner = job.metadata?.ownerReferences?.find((r) => r.kind === "ReplicatedStoreBackup");
      if (change === "delete" && job.metadata?.uid) this.readings.delete(job.metadata.uid);
      if (namespace && owner) this.queue.add(backupKey(namespace, owner.name));
    });
  }

  private async startInformers(): Promise<void> {
    this.enabled = true;
    await Promise.all([this.backups.start(), this.jobs.start()]);
    this.resync();
  }

  private probeLater(): void {
    this.probeTimer = setTimeout(async () => {
      if (this.stopped) return;
      if (await this.api.crdServed(this.options.namespaces[0])) {
        this.log.info("the ReplicatedStoreBackup CRD is installed: backups are on");
        await this.startInformers().catch((error: unknown) =>
          this.log.error({ err: apiErrorMessage(error) }, "backup informers did not start"),
        );
      } else {
        this.probeLater();
      }
    }, PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  private readJob(job: V1Job, id: string, container: string): Promise<JobReading> {
    const uid = job.metadata?.uid ?? "";
    const running = readJob(job, [], container, id);
    // Running: the Job alone says so. Finished: its pods are read once and the reading kept.
    if (running.state === "running") return Promise.resolve(running);
    let reading = this.readings.get(uid);
    if (!reading) {
      reading = this.podsOf(job).then((pods) => readJob(job, pods, container, id));
      this.readings.set(uid, reading);
      reading.catch(() => this.readings.delete(uid));
    }
    return reading;
  }

  private async podsOf(job: V1Job): Promise<V1Pod[]> {
    countRead(this.options.stats);
    const list = await this.core.listNamespacedPod({
      namespace: job.metadata?.namespace ?? "",
      labelSelector: `batch.kubernetes.io/controller-uid=${job.metadata?.uid ?? ""}`,
    });
    return list.items;
  }
}

function backupKey(namespace: string, name: string): string {
  return `backup/${namespace}/${name}`;
}

function storeKey(namespace: string, name: string): string {
  return `store/${namespace}/${name}`;
}
