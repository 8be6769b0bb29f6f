import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type Op = "get" | "put" | "delete";
export type Outcome = "ok" | "not_found" | "quorum_unavailable" | "client_error" | "error";

export interface MetricSources {
  storage(): { keys: number; bytes: number };
  hints(): { count: number; bytes: number };
  hintLimits(): { windowMs: number; maxBytes: number };
  maxOffsetMs(): number;
  generation(): number;
  trees(): { bytes: number; sets: number; keys: number };
  conflicts(): { pending: number; oldestPendingSeconds: number };
  lastRepair():
    | { finishedAt: number; ok: boolean; keysRepaired: number; bytesSent: number; durationMs: number }
    | undefined;
}

/** Every metric a node exports, prefixed `replistore_`; gauges read their sources at scrape time. */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"op" | "outcome">;
  readonly duration: Histogram<"op">;
  readonly quorumFailures: Counter<"op">;
  readonly readRepairs: Counter;
  readonly hintsReplayed: Counter<"peer">;
  readonly hintsDropped: Counter<"reason">;
  readonly clockOffset: Gauge<"peer">;
  readonly clockRefused: Counter<"peer" | "direction">;
  readonly peerUp: Gauge<"peer">;
  readonly partialWrites: Counter;
  readonly conflictsDetected: Counter<"kind">;
  readonly conflictsResolved: Counter;
  readonly configReloads: Counter<"result">;
  readonly tombstonesPurged: Counter;
  readonly peerBatchOps: Histogram;
  readonly peerChannels: Gauge;
  readonly memoryTrims: Counter;
  // Label children resolved once: prom-client hashes the label object on every inc/observe.
  private readonly requestCounters = new Map<string, { inc(): void }>();
  private readonly durationHistograms = new Map<string, { observe(v: number): void }>();

  constructor(nodeId: string, src: MetricSources) {
    const r = this.registry;
    r.setDefaultLabels({ node: nodeId });
    collectDefaultMetrics({ register: r, prefix: "replistore_" });
    this.requests = new Counter({
      name: "replistore_requests_total",
      help: "Client requests by operation and outcome",
      labelNames: ["op", "outcome"],
      registers: [r],
    });
    this.duration = new Histogram({
      name: "replistore_request_duration_seconds",
      help: "Client request latency as coordinated by this node",
      labelNames: ["op"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [r],
    });
    this.quorumFailures = new Counter({
      name: "replistore_quorum_failures_total",
      help: "Requests that could not reach W or R owners",
      labelNames: ["op"],
      registers: [r],
    });
    this.readRepairs = new Counter({
      name: "replistore_read_repairs_total",
      help: "Stale owners sent the newest version during a read",
      registers: [r],
    });
    new Gauge({
      name: "replistore_hints_pending",
      help: "Hinted writes waiting for their owner",
      registers: [r],
      collect() {
        this.set(src.hints().count);
      },
    });
    new Gauge({
      name: "replistore_hints_bytes",
      help: "Bytes held in pending hints",
      registers: [r],
      collect() {
        this.set(src.hints().bytes);
      },
    });
    new Gauge({
      name: "replistore_hints_window_seconds",
      help: "Configured hint window",
      registers: [r],
      collect() {
        this.set(src.hintLimits().windowMs / 1000);
      },
    });
    new Gauge({
      name: "replistore_hints_max_bytes",
      help: "Configured bound on hint bytes",
      registers: [r],
      collect() {
        this.set(src.hintLimits().maxBytes);
      },
    });
    this.hintsReplayed = new Counter({
      name: "replistore_hints_replayed_total",
      help: "Hints delivered to their owner",
      labelNames: ["peer"],
      registers: [r],
    });
    this.hintsDropped = new Counter({
      name: "replistore_hints_dropped_total",
      help: "Hints not kept: disabled, full, past the window, expired",
      labelNames: ["reason"],
      registers: [r],
    });
    this.clockOffset = new Gauge({
      name: "replistore_clock_offset_seconds",
      help: "Peer clock minus ours, as last observed (includes one-way latency)",
      labelNames: ["peer"],
      registers: [r],
    });
    new Gauge({
      name: "replistore_clock_max_offset_seconds",
      help: "Configured clock.maxOffset",
      registers: [r],
      collect() {
        this.set(src.maxOffsetMs() / 1000);
      },
    });
    this.clockRefused = new Counter({
      name: "replistore_clock_refused_total",
      help: "Peer messages refused for a clock too far ahead (direction in: we refused the peer; out: the peer refused us)",
      labelNames: ["peer", "direction"],
      registers: [r],
    });
    this.peerChannels = new Gauge({
      name: "replistore_peer_channels",
      help: "Peer channels open to this node (peer protocol 3); peers without one send their batches as HTTP requests",
      registers: [r],
    });
    this.peerUp = new Gauge({
      name: "replistore_peer_up",
      help: "1 when the peer answers, 0 when marked down",
      labelNames: ["peer"],
      registers: [r],
    });
    this.partialWrites = new Counter({
      name: "replistore_partial_writes_total",
      help: "Writes that failed their quorum but reached some owners",
      registers: [r],
    });
    this.conflictsDetected = new Counter({
      name: "replistore_conflicts_detected_total",
      help: "Conflicts this node detected, by kind (counted under either policy)",
      labelNames: ["kind"],
      registers: [r],
    });
    this.conflictsResolved = new Counter({
      name: "replistore_conflicts_resolved_total",
      help: "Conflicts resolved through this node",
      registers: [r],
    });
    new Gauge({
      name: "replistore_conflicts_pending",
      help: "Conflict records waiting for a decision",
      registers: [r],
      collect() {
        this.set(src.conflicts().pending);
      },
    });
    new Gauge({
      name: "replistore_conflicts_oldest_pending_seconds",
      help: "Age of the oldest pending conflict (0 when none)",
      registers: [r],
      collect() {
        this.set(src.conflicts().oldestPendingSeconds);
      },
    });
    this.configReloads = new Counter({
      name: "replistore_config_reloads_total",
      help: "Config file reloads by result",
      labelNames: ["result"],
      registers: [r],
    });
    new Gauge({
      name: "replistore_config_generation",
      help: "Generation of the config in force",
      registers: [r],
      collect() {
        this.set(src.generation());
      },
    });
    this.memoryTrims = new Counter({
      name: "replistore_memory_trims_total",
      help: "Times the node gave freed allocator memory back to the OS (after bursts such as a bulk repair or a restore)",
      registers: [r],
    });
    this.tombstonesPurged = new Counter({
      name: "replistore_tombstones_purged_total",
      help: "Tombstones removed after the grace period",
      registers: [r],
    });
    new Gauge({
      name: "replistore_keys",
      help: "Keys stored on this node, tombstones included",
      registers: [r],
      collect() {
        this.set(src.storage().keys);
      },
    });
    new Gauge({
      name: "replistore_bytes",
      help: "Bytes of storage pages in use on this node",
      registers: [r],
      collect() {
        this.set(src.storage().bytes);
      },
    });
    new Gauge({
      name: "replistore_antientropy_tree_bytes",
      help: "Memory held by this node's anti-entropy trees",
      registers: [r],
      collect() {
        this.set(src.trees().bytes);
      },
    });
    new Gauge({
      name: "replistore_antientropy_sets",
      help: "Owner sets (one tree each) this node belongs to",
      registers: [r],
      collect() {
        this.set(src.trees().sets);
      },
    });
    new Gauge({
      name: "replistore_antientropy_tree_keys",
      help: "Keys covered by this node's trees",
      registers: [r],
      collect() {
        this.set(src.trees().keys);
      },
    });
    const last = (pick: (l: NonNullable<ReturnType<MetricSources["lastRepair"]>>) => number) =>
      function (this: Gauge) {
        const l = src.lastRepair();
        if (l) this.set(pick(l));
      };
    new Gauge({
      name: "replistore_repair_last_run_timestamp_seconds",
      help: "When the last repair this node took part in finished",
      registers: [r],
      collect: last((l) => l.finishedAt / 1000),
    });
    new Gauge({
      name: "replistore_repair_last_success",
      help: "1 if the last repair compared every set, else 0",
      registers: [r],
      collect: last((l) => (l.ok ? 1 : 0)),
    });
    new Gauge({
      name: "replistore_repair_last_keys_repaired",
      help: "Keys the last repair copied to a stale owner",
      registers: [r],
      collect: last((l) => l.keysRepaired),
    });
    new Gauge({
      name: "replistore_repair_last_bytes",
      help: "Bytes the last repair sent",
      registers: [r],
      collect: last((l) => l.bytesSent),
    });
    new Gauge({
      name: "replistore_repair_last_duration_seconds",
      help: "How long the last repair took",
      registers: [r],
      collect: last((l) => l.durationMs / 1000),
    });
    this.peerBatchOps = new Histogram({
      name: "replistore_peer_batch_ops",
      help: "Ops per peer request received (batching efficiency)",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers: [r],
    });
    this.zeroKnownSeries();
  }

  /**
   * Creates every labelled counter's series for the label values known up front at 0, so the
   * first event is an increase Prometheus can see (a series born at 1 shows no increase()).
   */
  private zeroKnownSeries(): void {
    for (const op of ["get", "put", "delete"] as const) this.quorumFailures.inc({ op }, 0);
    for (const reason of ["disabled", "full", "window", "expired"]) this.hintsDropped.inc({ reason }, 0);
    for (const kind of ["partial_write", "concurrent"]) this.conflictsDetected.inc({ kind }, 0);
    for (const result of ["applied", "rejected"]) this.configReloads.inc({ result }, 0);
  }

  /** Counts one client request and its latency; on the hot path of every request. */
  observeRequest(op: Op, outcome: Outcome, seconds: number): void {
    const key = `${op}:${outcome}`;
    let counter = this.requestCounters.get(key);
    if (!counter) {
      counter = this.requests.labels(op, outcome);
      this.requestCounters.set(key, counter);
    }
    counter.inc();
    let histogram = this.durationHistograms.get(op);
    if (!histogram) {
      histogram = this.duration.labels(op);
      this.durationHistograms.set(op, histogram);
    }
    histogram.observe(seconds);
  }
}
