/** The operator's own Prometheus metrics, prefixed `replistore_operator_`; gauges read at scrape time. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { statusCode } from "./api-errors.ts";
import type { QueueStats } from "./work-queue.ts";

export interface OperatorMetricSources {
  queue: () => QueueStats;
  /** Stores per status.phase ("" for a store without status yet). */
  storesByPhase: () => Map<string, number>;
  leader: () => boolean;
}

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles: Counter<"result">;
  readonly reconcileDuration: Histogram;
  readonly queueWait: Histogram;
  readonly apiWrites: Counter<"verb" | "kind">;
  readonly apiErrors: Counter<"code">;
  readonly apiReads: Counter;

  constructor(sources: OperatorMetricSources) {
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: "replistore_operator_" });
    this.reconciles = new Counter({
      name: "replistore_operator_reconciles_total",
      help: "Store reconciles by result (success or error)",
      labelNames: ["result"],
      registers: [r],
    });
    this.reconcileDuration = new Histogram({
      name: "replistore_operator_reconcile_duration_seconds",
      help: "How long one store's reconcile took",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [r],
    });
    this.queueWait = new Histogram({
      name: "replistore_operator_queue_wait_seconds",
      help: "How long a store waited in the work queue before a worker took it",
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers: [r],
    });
    this.apiWrites = new Counter({
      name: "replistore_operator_api_writes_total",
      help: "Writes the operator sent to the apiserver, by verb and kind",
      labelNames: ["verb", "kind"],
      registers: [r],
    });
    this.apiReads = new Counter({
      name: "replistore_operator_api_reads_total",
      help: "Reads the operator sent to the apiserver outside its informers (objects it does not watch, discovery)",
      registers: [r],
    });
    this.apiErrors = new Counter({
      name: "replistore_operator_api_errors_total",
      help: "Failed apiserver requests behind failed reconciles, by HTTP status (other: no response)",
      labelNames: ["code"],
      registers: [r],
    });
    new Gauge({
      name: "replistore_operator_queue_depth",
      help: "Stores waiting in the work queue",
      registers: [r],
      collect() {
        this.set(sources.queue().depth);
      },
    });
    new Gauge({
      name: "replistore_operator_stores",
      help: "ReplicatedStores by status.phase",
      labelNames: ["phase"],
      registers: [r],
      collect() {
        this.reset();
        for (const [phase, count] of sources.storesByPhase()) this.set({ phase: phase || "Unknown" }, count);
      },
    });
    new Gauge({
      name: "replistore_operator_leader",
      help: "1 while this replica holds the leader Lease (always 1 without leader election)",
      registers: [r],
      collect() {
        this.set(sources.leader() ? 1 : 0);
      },
    });
  }

  /** Counts the apiserver errors inside a failed reconcile (an AggregateError of each concern's). */
  countErrors(error: unknown): void {
    const errors = error instanceof AggregateError ? error.errors : [error];
    for (const e of errors) this.apiErrors.inc({ code: String(statusCode(e) ?? "other") });
  }
}
