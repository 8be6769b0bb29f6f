/**
 * Whether the Prometheus Operator's CRDs are installed, asked through API discovery and remembered
 * for a minute, so that installing them later is noticed without asking on every reconcile.
 */
import type { CustomObjectsApi } from "@kubernetes/client-node";
import { isNotFound } from "./api-errors.ts";
import { type ApiStats, countRead } from "./api-stats.ts";

const GROUP = "monitoring.coreos.com";
const VERSION = "v1";
const TTL_MS = 60_000;

export class MonitoringApis {
  private readonly custom: CustomObjectsApi;
  private readonly stats: ApiStats;
  private kinds: Set<string> | undefined;
  private checkedAt = 0;
  /** One discovery request at a time, however many reconciles ask at once. */
  private inFlight: Promise<Set<string>> | undefined;

  constructor(custom: CustomObjectsApi, stats: ApiStats) {
    this.custom = custom;
    this.stats = stats;
  }

  async has(kind: "ServiceMonitor" | "PrometheusRule"): Promise<boolean> {
    if (!this.kinds || Date.now() - this.checkedAt > TTL_MS) {
      this.inFlight ??= this.discover().finally(() => {
        this.inFlight = undefined;
      });
      this.kinds = await this.inFlight;
    }
    return this.kinds.has(kind);
  }

  private async discover(): Promise<Set<string>> {
    countRead(this.stats);
    let kinds: Set<string>;
    try {
      const list = await this.custom.getAPIResources({ group: GROUP, version: VERSION });
      kinds = new Set(list.resources.map((r) => r.kind));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      kinds = new Set();
    }
    this.checkedAt = Date.now();
    return kinds;
  }
}
