import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface ReplicationSources {
  /** Per outgoing stream: updates the peer lacks, and the age of the oldest of them. */
  lags(): Array<{ peer: string; updates: number; seconds: number }>;
  outboxEntries(): number;
  buffered(): number;
  isLeader(): boolean;
  hub(): string | undefined;
}

/** Multi-leader replication metrics; registered only on a MultiLeader node. */
export class ReplicationMetrics {
  readonly applied: Counter<"origin">;
  readonly received: Counter<"result">;
  readonly sent: Counter<"peer">;
  readonly delay: Histogram;
  private readonly appliedByOrigin = new Map<string, { inc(): void }>();

  constructor(r: Registry, src: ReplicationSources) {
    const lag = (pick: (l: { updates: number; seconds: number }) => number) =>
      function (this: Gauge<"peer">) {
        this.reset();
        for (const l of src.lags()) this.set({ peer: l.peer }, pick(l));
      };
    new Gauge({
      name: "replistore_replication_lag_updates",
      help: "Updates this node has that a peer it sends to has not acknowledged",
      labelNames: ["peer"],
      registers: [r],
      collect: lag((l) => l.updates),
    });
    new Gauge({
      name: "replistore_replication_lag_seconds",
      help: "Age of the oldest update a peer this node sends to has not acknowledged (0 when caught up)",
      labelNames: ["peer"],
      registers: [r],
      collect: lag((l) => l.seconds),
    });
    this.applied = new Counter({
      name: "replistore_replication_applied_total",
      help: "Updates applied on this node, by the node that accepted the write",
      labelNames: ["origin"],
      registers: [r],
    });
    this.received = new Counter({
      name: "replistore_replication_received_total",
      help: "Updates received from peers, each counted once on arrival: applied at once, buffered (waiting for a predecessor), duplicate, dropped (buffer full)",
      labelNames: ["result"],
      registers: [r],
    });
    for (const result of ["applied", "buffered", "duplicate", "dropped"]) this.received.inc({ result }, 0);
    this.sent = new Counter({
      name: "replistore_replication_sent_total",
      help: "Updates sent to a peer",
      labelNames: ["peer"],
      registers: [r],
    });
    this.delay = new Histogram({
      name: "replistore_replication_delay_seconds",
      help: "Time from a write's acceptance on its leader to its application on this node",
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [r],
    });
    new Gauge({
      name: "replistore_replication_outbox_entries",
      help: "Updates kept in this node's outbox until every member has them",
      registers: [r],
      collect() {
        this.set(src.outboxEntries());
      },
    });
    new Gauge({
      name: "replistore_replication_buffered",
      help: "Updates waiting for a causal predecessor",
      registers: [r],
      collect() {
        this.set(src.buffered());
      },
    });
    new Gauge({
      name: "replistore_replication_leader",
      help: "1 when this node accepts writes, 0 for a follower",
      registers: [r],
      collect() {
        this.set(src.isLeader() ? 1 : 0);
      },
    });
    new Gauge({
      name: "replistore_replication_hub",
      help: "Star topology: 1 for the hub this node relays through",
      labelNames: ["hub"],
      registers: [r],
      collect() {
        this.reset();
        const hub = src.hub();
        if (hub) this.set({ hub }, 1);
      },
    });
  }

  countApplied(origin: string): void {
    let c = this.appliedByOrigin.get(origin);
    if (!c) {
      c = this.applied.labels(origin);
      this.appliedByOrigin.set(origin, c);
    }
    c.inc();
  }
}
