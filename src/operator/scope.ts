/** What one reconcile of one store works with, and what it found and did. */
import type { Logger } from "pino";
import type { BootstrapStatus } from "../api/status.ts";
import type { BuildContext, StoreResource } from "../builders/context.ts";
import type { Applier } from "./controller/applier.ts";
import type { LiveObjects } from "./controller/live-objects.ts";
import type { MonitoringApis } from "./controller/monitoring-apis.ts";
import type { ConditionInput } from "./status/conditions.ts";
import type { ObservedStatus } from "./status/observed-status.ts";
import type { Problem } from "./status/store-status.ts";
import type { TlsReport } from "./tls/tls-report.ts";

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
  /** Replaces the computed Progressing condition (a scale-down draining the leaving pods first). */
  progressing?: ConditionInput;
  /** Read from the store's nodes and repair Jobs: conflicts pending, the last anti-entropy run. */
  observed?: ObservedStatus;
  /** The TLS condition and status.tls, from the TLS concern. */
  tls?: TlsReport;
  /** spec.bootstrap's backup as chosen (kept in status.bootstrap). */
  bootstrap?: BootstrapStatus;
  /** Reconcile again within this long even if nothing changes (a drain to follow, a repair falling due). */
  requeueAfterMs?: number;
}

export interface ReconcileScope {
  store: StoreResource;
  ctx: BuildContext;
  live: LiveObjects;
  applier: Applier;
  monitoring: MonitoringApis;
  log: Logger;
  report: ReconcileReport;
  /** The nodes must not start yet (spec.bootstrap's backup is not chosen): no ConfigMap, no StatefulSet. */
  holdNodes?: boolean;
  /** MultiLeader: leader pods ready, from the pod cache; undefined when it has none of them yet. */
  readyLeaders?: number;
}
