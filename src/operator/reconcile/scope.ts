/** What one reconcile of one store works with, and what it found and did. */
import type { Logger } from "pino";
import type { BuildContext, StoreResource } from "../../builders/context.ts";
import type { Applier } from "../applier.ts";
import type { LiveObjects } from "../live-objects.ts";
import type { MonitoringApis } from "../monitoring-apis.ts";
import type { Problem } from "../store-status.ts";

export interface Written {
  verb: "created" | "updated" | "deleted";
  kind: string;
  name: string;
}

export interface ReconcileReport {
  written: Written[];
  /** Kept the spec from being applied in full: Degraded, and (unless `blocksReady` is false) not Ready. */
  problems: Problem[];
  /** Said in the Ready condition's message. */
  notes: string[];
}

export interface ReconcileScope {
  store: StoreResource;
  ctx: BuildContext;
  live: LiveObjects;
  applier: Applier;
  monitoring: MonitoringApis;
  log: Logger;
  report: ReconcileReport;
}
