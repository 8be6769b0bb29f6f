/**
 * The controller: informers on ReplicatedStores and on the objects they own, feeding a work queue
 * of store keys whose handler is `reconcileStore`. Every store is also queued again each resync
 * period, which costs nothing when nothing changed (see applier.ts and status-writer.ts).
 */

import { hostname } from "node:os";
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  type V1ConfigMap,
  type V1Pod,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { MonitoringDefaults } from "../api/monitoring-defaults.ts";
import { MANAGED_BY, MULTI_LEADER_LABEL, STORE_LABEL } from "../builders/labels.ts";
import type { PodRoute } from "../client/discovery/store-pods.ts";
import { BackupController } from "./backup/controller.ts";
import { apiErrorMessage } from "./controller/api-errors.ts";
import { type ApiStats, newApiStats } from "./controller/api-stats.ts";
import { Applier } from "./controller/applier.ts";
import { EventRecorder } from "./controller/event-recorder.ts";
import { ResourceInformer } from "./controller/informer.ts";
import { type LeaderElectionOptions, LeaderElector } from "./controller/leader-election.ts";
import { LiveObjects } from "./controller/live-objects.ts";
import { MonitoringApis } from "./controller/monitoring-apis.ts";
import { OperatorMetrics } from "./controller/operator-metrics.ts";
import { type PooledKubeConfig, pooled } from "./controller/pooled-kube-config.ts";
import { CACHED_OWNED_KINDS, CONFIG_MAPS, kindKey, PODS, STORES } from "./controller/resource-kinds.ts";
import { StatusWriter } from "./controller/status-writer.ts";
import { keyOf, ownerStoreKey, splitKey } from "./controller/store-key.ts";
import { type QueueStats, WorkQueue } from "./controller/work-queue.ts";
import { StoreObservers } from "./observe/observers.ts";
import { reconcileStore } from "./reconcile-store.ts";
import type { RawStore } from "./store-input.ts";

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  log: Logger;
  /** Namespaces to watch; empty: all. */
  namespaces: readonly string[];
  /** Stores reconciled at once (distinct stores only: one store is never reconciled twice at once). */
  concurrency: number;
  /** Image of nodes and repair jobs when a store names none. */
  image: string;
  /** Where the operator runs (the NetworkPolicy admits its pods). */
  operatorNamespace: string;
  /** Every store is reconciled again this often (default 10 min). */
  resyncPeriodMs?: number;
  clusterDomain?: string;
  /** Pull secrets for stores that name none (the chart's imagePullSecrets, by name). */
  imagePullSecrets?: readonly string[];
  /** Defaults for every store's spec.monitoring (chart value storeMonitoring). */
  storeMonitoring?: MonitoringDefaults;
  progressDeadlineMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Campaign for a Lease and reconcile only while holding it; omitted, reconcile at once. */
  leaderElection?: LeaderElectionSettings;
  /** Called when leadership is lost (the process should exit and start again as a candidate). */
  onLostLeadership?: () => void;
  /** How the operator reaches store nodes (conflict counts, drains): pod IPs (default) or the apiserver's pod proxy. */
  nodeRoute?: PodRoute;
}

/** Leader election as the operator is told it; the api and the log come from the operator itself. */
export type LeaderElectionSettings = Omit<LeaderElectionOptions, "api" | "log">;

const DEFAULT_RESYNC_MS = 10 * 60_000;

export interface OperatorStats {
  api: ApiStats;
  queue: QueueStats;
  stores: number;
}

export class Operator {
  private readonly options: OperatorOptions;
  private readonly log: Logger;
  private readonly stats: ApiStats = newApiStats();
  private readonly stores: ResourceInformer<RawStore>;
  private readonly owned: ResourceInformer<KubernetesObject>[];
  /** Node pods of MultiLeader stores only: their readiness drives hub failover and ring healing. */
  private readonly pods: ResourceInformer<V1Pod>;
  /** Store nodes and repair Jobs: conflicts pending, the last repair run, drains. */
  private readonly observers: StoreObservers;
  private readonly live: LiveObjects;
  private readonly queue: WorkQueue;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly elector: LeaderElector | undefined;
  private readonly kubeConfig: PooledKubeConfig;
  readonly metrics: OperatorMetrics;
  /** ReplicatedStoreBackups: their Jobs and status, the stores' schedules and status.lastBackup. */
  readonly backups: BackupController;

  constructor(options: OperatorOptions) {
    this.options = options;
    this.log = options.log;
    const { namespaces } = options;
    this.kubeConfig = pooled(options.kubeConfig);
    const config = this.kubeConfig;
    const informerOptions = { namespaces, log: this.log };
    this.stores = new ResourceInformer<RawStore>(config, STORES, informerOptions);
    const labelSelector = `app.kubernetes.io/managed-by=${MANAGED_BY}`;
    this.owned = CACHED_OWNED_KINDS.map(
      (kind) => new ResourceInformer<KubernetesObject>(config, kind, { ...informerOptions, labelSelector }),
    );
    this.pods = new ResourceInformer<V1Pod>(config, PODS, {
      ...informerOptions,
      labelSelector: `${labelSelector},${MULTI_LEADER_LABEL}=true`,
    });
    const objects = KubernetesObjectApi.makeApiClient(config);
    const applier = new Applier(objects, this.stats);
    const resyncPeriodMs = options.resyncPeriodMs ?? DEFAULT_RESYNC_MS;
    this.live = new LiveObjects(
      new Map(this.owned.map((i) => [kindKey(i.kind), i])),
      applier,
      resyncPeriodMs,
    );
    const custom = config.makeApiClient(CustomObjectsApi);
    const configMaps = this.owned.find((i) => i.kind === CONFIG_MAPS);
    this.observers = new StoreObservers({
      kubeConfig: config,
      cachedConfigMap: (namespace, name) => configMaps?.get(namespace, name) as V1ConfigMap | undefined,
      stats: this.stats,
      namespaces,
      log: this.log,
      readIntervalMs: resyncPeriodMs,
      ...(options.nodeRoute ? { route: options.nodeRoute } : {}),
      onChange: (key) => this.queue.add(key),
    });
    const events = new EventRecorder(
      config.makeApiClient(CoreV1Api),
      this.stats,
      process.env.POD_NAME ?? hostname(),
    );
    const deps = {
      stores: this.stores,
      live: this.live,
      applier,
      monitoring: new MonitoringApis(custom, this.stats),
      events,
      statusWriter: new StatusWriter(custom, this.stats),
      log: this.log,
      context: {
        image: options.image,
        operatorNamespace: options.operatorNamespace,
        ...(options.clusterDomain ? { clusterDomain: options.clusterDomain } : {}),
        ...(options.storeMonitoring ? { monitoring: options.storeMonitoring } : {}),
        ...(options.imagePullSecrets?.length ? { imagePullSecrets: options.imagePullSecrets } : {}),
      },
      ...(options.progressDeadlineMs !== undefined ? { progressDeadlineMs: options.progressDeadlineMs } : {}),
      pods: (namespace: string, name: string) => this.pods.get(namespace, name),
      observers: this.observers,
    };
    this.metrics = new OperatorMetrics({
      queue: () => this.queue.stats(),
      storesByPhase: () => {
        const phases = new Map<string, number>();
        for (const store of this.stores.list()) {
          const phase = store.status?.phase ?? "";
          phases.set(phase, (phases.get(phase) ?? 0) + 1);
        }
        return phases;
      },
      leader: () => this.isLeader(),
    });
    this.backups = new BackupController({
      kubeConfig: config,
      stats: this.stats,
      namespaces,
      log: this.log,
      stores: this.stores,
      events,
      registry: this.metrics.registry,
      context: deps.context,
      concurrency: options.concurrency,
      ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
      ...(options.backoffMaxMs !== undefined ? { backoffMaxMs: options.backoffMaxMs } : {}),
    });
    this.stats.onWrite = (verb, kind) => this.metrics.apiWrites.inc({ verb, kind });
    this.stats.onRead = () => this.metrics.apiReads.inc();
    this.queue = new WorkQueue({
      concurrency: options.concurrency,
      handler: (key) => reconcileStore(deps, key),
      ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
      ...(options.backoffMaxMs !== undefined ? { backoffMaxMs: options.backoffMaxMs } : {}),
      onStart: (_key, waitedMs) => this.metrics.queueWait.observe(waitedMs / 1000),
      onDone: (_key, durationMs, ok) => {
        this.metrics.reconciles.inc({ result: ok ? "success" : "error" });
        this.metrics.reconcileDuration.observe(durationMs / 1000);
      },
      onError: (key, error, retryInMs) => {
        this.metrics.countErrors(error);
        const { namespace, name } = splitKey(key);
        this.log.warn(
          { namespace, name, err: apiErrorMessage(error), retryInMs },
          "reconcile failed; will retry",
        );
      },
    });
    if (options.leaderElection) {
      this.elector = new LeaderElector({
        ...options.leaderElection,
        api: config.makeApiClient(CoordinationV1Api),
        log: this.log,
      });
    }
    this.wire();
  }

  /**
   * Starts the informers and waits until their caches are filled; then reconciles, at once or, with
   * leader election, once this replica leads (a standby keeps its caches warm meanwhile).
   */
  async start(): Promise<void> {
    const { namespaces } = this.options;
    this.log.info(
      { namespaces: namespaces.length > 0 ? namespaces : "all", concurrency: this.options.concurrency },
      "operator starting",
    );
    await Promise.all([
      this.stores.start(),
      this.pods.start(),
      this.observers.start(),
      this.backups.start(),
      ...this.owned.map((i) => i.start()),
    ]);
    this.log.info({ stores: this.stores.list().length }, "caches synced");
    if (!this.elector) {
      this.startWorkers();
      return;
    }
    this.elector.start({
      onStartedLeading: () => this.startWorkers(),
      onStoppedLeading: () => {
        clearInterval(this.resyncTimer);
        void this.queue.shutdown();
        void this.backups.stop();
        this.options.onLostLeadership?.();
      },
    });
  }

  /** The stores in the cache (the review page lists them). */
  listStores(): RawStore[] {
    return this.stores.list();
  }

  /** Caches filled: what /readyz reports. */
  ready(): boolean {
    return (
      this.stores.synced() &&
      this.pods.synced() &&
      this.observers.synced() &&
      this.backups.synced() &&
      this.owned.every((i) => i.synced())
    );
  }

  /** True while this replica reconciles (always, without leader election). */
  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : true;
  }

  private startWorkers(): void {
    this.queue.start();
    this.backups.startWorkers();
    const period = this.options.resyncPeriodMs ?? DEFAULT_RESYNC_MS;
    this.resyncTimer = setInterval(() => this.resync(), period);
    this.resyncTimer.unref();
    this.log.info({ stores: this.stores.list().length }, "reconciling");
  }

  /** Queues every store, as the periodic resync does. */
  resync(): void {
    for (const store of this.stores.list()) {
      const { namespace, name } = store.metadata ?? {};
      if (namespace && name) this.queue.add(keyOf(namespace, name));
    }
    this.backups.resync();
  }

  /** Resolves when no reconcile is queued or running. */
  async idle(): Promise<void> {
    await this.queue.idle();
    await this.backups.idle();
  }

  apiStats(): OperatorStats {
    return {
      api: { ...this.stats, byVerb: { ...this.stats.byVerb } },
      queue: this.queue.stats(),
      stores: this.stores.list().length,
    };
  }

  /** Stops cleanly: finishes the reconciles in flight and (`releaseLease`, the default) hands over leadership at once. */
  async stop(options: { releaseLease?: boolean } = {}): Promise<void> {
    clearInterval(this.resyncTimer);
    await this.elector?.stop(options.releaseLease ?? true);
    await Promise.all([
      this.stores.stop(),
      this.pods.stop(),
      this.observers.stop(),
      this.backups.stop(),
      ...this.owned.map((i) => i.stop()),
    ]);
    await this.queue.shutdown();
    await this.kubeConfig.closePools();
    this.log.info("operator stopped");
  }

  private wire(): void {
    this.stores.onChange((store, change) => {
      const { namespace, name, uid } = store.metadata ?? {};
      if (!namespace || !name) return;
      const key = keyOf(namespace, name);
      this.backups.storeChanged(namespace, name, change === "delete");
      if (change === "delete") {
        this.queue.forget(key);
        if (uid) this.live.forgetOwner(uid);
        if (uid) this.observers.forget(uid);
        return;
      }
      this.queue.add(key);
    });
    this.pods.onChange((pod) => {
      const store = pod.metadata?.labels?.[STORE_LABEL];
      const namespace = pod.metadata?.namespace;
      if (store && namespace) this.queue.add(keyOf(namespace, store));
    });
    for (const informer of this.owned) {
      informer.onChange((object) => {
        const { namespace, name } = object.metadata ?? {};
        if (namespace && name) this.live.invalidate(informer.kind, namespace, name);
        const key = ownerStoreKey(object);
        if (key) this.queue.add(key);
      });
    }
  }
}
