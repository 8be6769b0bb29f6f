/**
 * What the operator learns about a store from outside its own objects: its nodes (conflict counts,
 * drains before a scale-down) and its repair Jobs (the last anti-entropy run). One per operator.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { PodRoute } from "../../client/discovery/store-pods.ts";
import type { ApiStats } from "../controller/api-stats.ts";
import { ConflictProbes } from "./conflict-probes.ts";
import { type CachedConfigMap, NodeAccess } from "./node-access.ts";
import { RepairRuns } from "./repair-runs.ts";

export interface StoreObserversOptions {
  kubeConfig: KubeConfig;
  stats: ApiStats;
  namespaces: readonly string[];
  log: Logger;
  /** Conflict counts are read at most this often per store (the resync period). */
  readIntervalMs: number;
  route?: PodRoute;
  /** The operator's cache of the ConfigMaps it owns (the CA bundles among them). */
  cachedConfigMap?: CachedConfigMap;
  /** Something about the store changed: reconcile it. */
  onChange: (storeKey: string) => void;
}

export class StoreObservers {
  readonly nodes: NodeAccess;
  readonly repairRuns: RepairRuns;
  readonly conflicts: ConflictProbes;
  /** Drains this operator sent, by store uid and node: a pass of another kind may run ahead of ours. */
  readonly drainsSent = new Map<string, number>();
  /** Leaving nodes seen drained, so a later rebalance pass on them does not start the drain over. */
  readonly drained = new Set<string>();

  constructor(options: StoreObserversOptions) {
    const log = options.log;
    this.nodes = new NodeAccess(options.kubeConfig, options.stats, options.route, options.cachedConfigMap);
    this.repairRuns = new RepairRuns(options.kubeConfig, options.stats, {
      namespaces: options.namespaces,
      log,
      onChange: options.onChange,
    });
    this.conflicts = new ConflictProbes(this.nodes, {
      intervalMs: options.readIntervalMs,
      log,
      onChange: options.onChange,
    });
  }

  start(): Promise<void> {
    return this.repairRuns.start();
  }

  async stop(): Promise<void> {
    this.conflicts.stop();
    await this.repairRuns.stop();
  }

  synced(): boolean {
    return this.repairRuns.synced();
  }

  /** The store was deleted. */
  forget(uid: string): void {
    this.conflicts.forget(uid);
    for (const key of this.drainsSent.keys()) if (key.startsWith(`${uid}/`)) this.drainsSent.delete(key);
    for (const key of this.drained) if (key.startsWith(`${uid}/`)) this.drained.delete(key);
  }
}
