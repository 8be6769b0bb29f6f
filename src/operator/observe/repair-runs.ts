/**
 * The stores' repair Jobs, watched (label-selected: the repair component of stores this operator
 * manages, whether the CronJob controller made them or someone ran `kubectl create job
 * --from=cronjob/...`), so that a Job that starts or finishes queues its store and the last run
 * costs no request to find. Reading a finished run's summary lists the pods of that one Job, once:
 * the result is remembered by Job uid, and a run already in the store's status is not read again.
 */
import { CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { AntiEntropyRun } from "../../api/status.ts";
import { MANAGED_BY, STORE_LABEL } from "../../builders/labels.ts";
import { REPAIR_CONTAINER } from "../../builders/repair-cronjob.ts";
import { type ApiStats, countRead } from "../controller/api-stats.ts";
import { ResourceInformer } from "../controller/informer.ts";
import type { ResourceKind } from "../controller/resource-kinds.ts";
import { keyOf } from "../controller/store-key.ts";
import { jobFinished, jobFinishedAt, type RunReading, runFromJob } from "./repair-health.ts";

export const JOBS: ResourceKind = { apiVersion: "batch/v1", kind: "Job", plural: "jobs" };

/** Runs that found the lock taken are skipped; past this many, the older runs are not looked at. */
const RUNS_EXAMINED = 3;

export class RepairRuns {
  private readonly informer: ResourceInformer<V1Job>;
  private readonly core: CoreV1Api;
  private readonly stats: ApiStats;
  private readonly byStore = new Map<string, Map<string, V1Job>>();
  private readonly readings = new Map<string, Promise<RunReading | undefined>>();

  constructor(
    kubeConfig: KubeConfig,
    stats: ApiStats,
    options: { namespaces: readonly string[]; log: Logger; onChange: (storeKey: string) => void },
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.stats = stats;
    this.informer = new ResourceInformer<V1Job>(kubeConfig, JOBS, {
      namespaces: options.namespaces,
      log: options.log,
      labelSelector: `app.kubernetes.io/managed-by=${MANAGED_BY},app.kubernetes.io/component=repair`,
    });
    this.informer.onChange((job, change) => {
      const store = job.metadata?.labels?.[STORE_LABEL];
      const namespace = job.metadata?.namespace;
      const uid = job.metadata?.uid;
      if (!store || !namespace || !uid) return;
      const key = keyOf(namespace, store);
      let jobs = this.byStore.get(key);
      if (change === "delete") {
        jobs?.delete(uid);
        if (jobs?.size === 0) this.byStore.delete(key);
        this.readings.delete(uid);
      } else {
        if (!jobs) {
          jobs = new Map();
          this.byStore.set(key, jobs);
        }
        jobs.set(uid, job);
      }
      if (change === "delete" || jobFinished(job)) options.onChange(key);
    });
  }

  start(): Promise<void> {
    return this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  synced(): boolean {
    return this.informer.synced();
  }

  /**
   * The store's last finished run, newest first: `previous` (status.lastAntiEntropy) when it is
   * still the newest, else read from the Job's pods. Undefined when no run is known.
   */
  async lastRun(
    namespace: string,
    store: string,
    previous: AntiEntropyRun | undefined,
  ): Promise<AntiEntropyRun | undefined> {
    const jobs = [...(this.byStore.get(keyOf(namespace, store))?.values() ?? [])]
      .filter(jobFinished)
      .sort((a, b) => jobFinishedAt(b) - jobFinishedAt(a));
    for (const job of jobs.slice(0, RUNS_EXAMINED)) {
      if (previous?.jobName !== undefined && previous.jobName === job.metadata?.name && previous.result)
        return previous;
      const reading = await this.read(job);
      if (reading && reading !== "locked") return reading;
    }
    return previous;
  }

  private read(job: V1Job): Promise<RunReading | undefined> {
    const uid = job.metadata?.uid ?? "";
    let reading = this.readings.get(uid);
    if (!reading) {
      reading = this.podsOf(job).then((pods) => runFromJob(job, pods, REPAIR_CONTAINER));
      this.readings.set(uid, reading);
      reading.catch(() => this.readings.delete(uid));
    }
    return reading;
  }

  private async podsOf(job: V1Job): Promise<V1Pod[]> {
    countRead(this.stats);
    const list = await this.core.listNamespacedPod({
      namespace: job.metadata?.namespace ?? "",
      labelSelector: `batch.kubernetes.io/controller-uid=${job.metadata?.uid ?? ""}`,
    });
    return list.items;
  }
}
