import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { ClusterConfig } from "../../../config/cluster-config.ts";
import type { HybridClock, Timestamp } from "../../clock/hlc.ts";
import type { ConflictQueue } from "../../conflicts/conflict-queue.ts";
import { ReplicationMetrics } from "../../metrics/replication-metrics.ts";
import type { PeerClient } from "../../peers/peer-client.ts";
import { OP_ML_PUSH } from "../../peers/protocol.ts";
import type { ApplyResult } from "../../storage/kv-store.ts";
import type { VersionedRecord } from "../../storage/record.ts";
import { CausalBuffer } from "./causal-buffer.ts";
import { concurrentRecord, isConcurrent } from "./concurrency.ts";
import { CopyWaiters } from "./copy-waiters.ts";
import type { Outbox } from "./outbox.ts";
import { PeerStream } from "./peer-stream.ts";
import { type TopologyInput, type TopologyView, topologyView } from "./topology.ts";
import { OutboxTruncation } from "./truncation.ts";
import { fromUpdateTuple, toUpdateTuple, type Update, type UpdateTuple } from "./update.ts";
import { originId, type VectorEntry, VersionVector } from "./version-vector.ts";

export interface MultiLeaderHost {
  readonly selfId: string;
  readonly clock: HybridClock;
  readonly conflicts: ConflictQueue;
  readonly log: Logger;
  readonly registry: Registry;
  config(): ClusterConfig;
  peer(id: string): PeerClient | undefined;
  readLocal(key: string): VersionedRecord | undefined;
  /**
   * Stores a version if newer (last write wins) and, in the same transaction, whatever `alongside`
   * writes; `alongside` runs even when the version loses. Resolves once durable.
   */
  applyWith(key: string, rec: VersionedRecord, alongside: () => Promise<unknown>): Promise<ApplyResult>;
}

export interface LeaderWrite {
  version: Timestamp;
  acks: number;
  leader: string;
}

/** A write sent to a node that does not accept writes; the HTTP layer forwards it. */
export class NotLeaderError extends Error {
  readonly leaders: string[];
  constructor(self: string, leaders: string[]) {
    super(`${self} is a follower; writes go to a leader (${leaders.join(", ")})`);
    this.leaders = leaders;
  }
}

/** Default for multiLeader.failoverAfter when the config leaves it out. */
const DEFAULT_FAILOVER_MS = 10_000;
const TOPOLOGY_EVERY_MS = 250;
const RESEND_EVERY_MS = 1_000;
const TRUNCATE_EVERY_MS = 1_000;

/**
 * Multi-leader replication. Leaders (pods 0..leaders-1) accept writes: each write becomes an
 * update numbered in this node's stream, applied and put in the outbox in one transaction, then
 * sent to peers as the topology says. Every node applies the updates it receives in causal order
 * (causal-buffer.ts), keeps them in its own outbox for the peers it feeds, and records concurrent
 * versions of a key as conflicts while last write wins picks the same value everywhere.
 */
export class MultiLeaderReplicator {
  readonly origin: string;
  readonly outbox: Outbox;
  readonly metrics: ReplicationMetrics;
  private readonly host: MultiLeaderHost;
  private readonly appliedVector: VersionVector;
  private readonly buffer = new CausalBuffer();
  private readonly streams = new Map<string, PeerStream>();
  private readonly copies: CopyWaiters;
  private view: TopologyView;
  private timers: NodeJS.Timeout[] = [];
  private kickScheduled = false;
  private readonly truncation: OutboxTruncation;

  constructor(outbox: Outbox, host: MultiLeaderHost) {
    this.host = host;
    this.outbox = outbox;
    this.origin = originId(host.selfId, outbox.incarnation());
    this.appliedVector = outbox.loadVector();
    this.view = topologyView(this.topologyInput());
    this.copies = new CopyWaiters(host.selfId);
    this.truncation = new OutboxTruncation({
      selfId: host.selfId,
      log: host.log,
      outbox,
      config: () => host.config(),
      peer: (id) => host.peer(id),
      applied: () => this.appliedVector,
    });
    this.metrics = new ReplicationMetrics(host.registry, {
      lags: () => {
        const now = Date.now();
        return [...this.streams.values()].map((s) => ({ peer: s.peerId, ...s.lag(now) }));
      },
      outboxEntries: () => this.outbox.entries(),
      buffered: () => this.buffer.size,
      isLeader: () => this.isLeader(),
      hub: () => this.view.hub,
    });
  }

  start(): void {
    this.refreshTopology();
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(TOPOLOGY_EVERY_MS, () => this.refreshTopology());
    every(RESEND_EVERY_MS, () => {
      for (const s of this.streams.values()) s.tick();
    });
    every(TRUNCATE_EVERY_MS, () => void this.truncation.run());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const s of this.streams.values()) s.stop();
    this.streams.clear();
  }

  isLeader(): boolean {
    return this.view.role === "leader";
  }

  topology(): TopologyView {
    return this.view;
  }

  /** What /v1/status shows: the topology as this node sees it and how far behind each peer is. */
  status(now: number) {
    const cfg = this.host.config();
    return {
      topology: cfg.multiLeader?.topology ?? "AllToAll",
      leaders: this.view.leaders,
      ...(this.view.hub ? { hub: this.view.hub } : {}),
      origin: this.origin,
      sendsTo: [...this.streams.values()].map((s) => ({
        peer: s.peerId,
        ownOnly: s.ownOnly,
        ...s.lag(now),
      })),
      outbox: this.outbox.entries(),
      buffered: this.buffer.size,
      applied: Object.fromEntries(this.appliedVector.toList().map(([o, seq]) => [o, seq])),
    };
  }

  /** What this node has applied, for a peer's stream or truncation. */
  vector(): VectorEntry[] {
    return this.appliedVector.toList();
  }

  /** The leader this node forwards writes to first (its feeder), then the others. */
  forwardOrder(): string[] {
    const input = this.topologyInput();
    const leaders = this.view.leaders.filter((id) => id !== this.host.selfId);
    const feeder = this.view.links.find((l) => leaders.includes(l.peer))?.peer;
    const ordered = feeder ? [feeder, ...leaders.filter((id) => id !== feeder)] : leaders;
    return [...ordered.filter((id) => input.available(id)), ...ordered.filter((id) => !input.available(id))];
  }

  /** A client write on this leader: durable here, then on w - 1 other nodes, before it resolves. */
  async write(key: string, value: Uint8Array | null, w: number): Promise<LeaderWrite> {
    const { selfId } = this.host;
    if (!this.isLeader()) throw new NotLeaderError(selfId, this.view.leaders);
    const update: Update = {
      origin: this.origin,
      seq: this.appliedVector.seq(this.origin) + 1,
      key,
      record: { version: this.host.clock.now(), value },
      deps: this.appliedVector.toList(this.origin),
      seenBy: [selfId],
    };
    const committed = this.apply(update, true);
    const others = w > 1 ? this.waitForCopies(update, w - 1) : Promise.resolve(0);
    await committed;
    this.scheduleKick();
    const acks = 1 + (await others);
    return { version: update.record.version, acks, leader: selfId };
  }

  /** Updates pushed by a peer. Answers with this node's vector once what it applied is durable. */
  async receive(from: string, tuples: UpdateTuple[]): Promise<VectorEntry[]> {
    const { received } = this.metrics;
    const arrived: UpdateTuple[] = [];
    for (const t of tuples) {
      if (this.appliedVector.covers(t[0], t[1]) || this.buffer.has(t[0], t[1])) {
        received.inc({ result: "duplicate" });
      } else if (this.buffer.add(fromUpdateTuple(t))) {
        arrived.push(t);
      } else {
        received.inc({ result: "dropped" });
      }
    }
    const commits: Promise<unknown>[] = [];
    for (
      let u = this.buffer.takeReady(this.appliedVector);
      u;
      u = this.buffer.takeReady(this.appliedVector)
    ) {
      commits.push(this.apply(u, false));
    }
    // Each arrival counted once: applied now (with whatever it released), or left waiting.
    const waiting = arrived.filter((t) => !this.appliedVector.covers(t[0], t[1])).length;
    if (arrived.length > waiting) received.inc({ result: "applied" }, arrived.length - waiting);
    if (waiting > 0) received.inc({ result: "buffered" }, waiting);
    // Snapshot before waiting: everything in it was issued no later than our writes, and LMDB
    // commits in order, so once ours are durable all of it is.
    const answer = this.appliedVector.toList();
    await Promise.all(commits);
    if (commits.length > 0) this.scheduleKick();
    if (waiting > 0)
      this.host.log.debug({ from, buffered: this.buffer.size }, "updates wait for predecessors");
    return answer;
  }

  /** Config or peer health changed: recompute the topology and the streams it needs. */
  refreshTopology(): void {
    const next = topologyView(this.topologyInput());
    if (next.hub !== this.view.hub && next.hub) {
      this.host.log.info({ hub: next.hub, previous: this.view.hub }, "star hub changed");
    }
    if (next.role !== this.view.role) this.host.log.info({ role: next.role }, "multi-leader role changed");
    this.view = next;
    const wanted = new Map(next.links.map((l) => [l.peer, l.ownOnly]));
    for (const [peer, stream] of this.streams) {
      if (wanted.get(peer) !== stream.ownOnly) {
        stream.stop();
        this.streams.delete(peer);
      }
    }
    for (const [peer, ownOnly] of wanted) {
      if (this.streams.has(peer)) continue;
      const stream = new PeerStream(peer, ownOnly, {
        selfOrigin: this.origin,
        outbox: this.outbox,
        log: this.host.log,
        peer: (id) => this.host.peer(id),
        applied: () => this.appliedVector,
        onAck: (p, v) => this.onAck(p, v),
        onSent: (p, n) => this.metrics.sent.inc({ peer: p }, n),
      });
      this.streams.set(peer, stream);
      stream.kick();
    }
  }

  /** A peer came back: its streams resume at once instead of at the next tick. */
  peerUp(): void {
    this.refreshTopology();
    this.scheduleKick();
  }

  private topologyInput(): TopologyInput {
    const cfg = this.host.config();
    const ml = cfg.multiLeader ?? { leaders: 1, topology: "AllToAll" as const, hub: 0 };
    const failoverMs = ml.failoverAfterMs ?? DEFAULT_FAILOVER_MS;
    const now = Date.now();
    return {
      members: cfg.members.map((m) => m.id),
      leaders: ml.leaders,
      topology: ml.topology,
      hub: ml.hub,
      ...(ml.ring ? { ring: ml.ring } : {}),
      self: this.host.selfId,
      available: (id) => {
        const peer = this.host.peer(id);
        return !!peer && peer.health.downForMs(now) < failoverMs;
      },
    };
  }

  /**
   * Applies one update whose predecessors are all applied: the data (if it wins), the outbox entry
   * and the vector in one transaction, issued now so the next update can follow at once.
   */
  private apply(u: Update, local: boolean): Promise<unknown> {
    const { selfId } = this.host;
    const stored = local ? undefined : this.host.readLocal(u.key);
    const conflict = stored && isConcurrent(stored, u, this.appliedVector);
    const seenBy = u.seenBy.includes(selfId) ? u.seenBy : [...u.seenBy, selfId];
    const tuple = toUpdateTuple({ ...u, seenBy });
    this.appliedVector.advance(u.origin, u.seq, u.record.version);
    const state = { seq: u.seq, wall: u.record.version.wall, logical: u.record.version.logical };
    const applied = this.host.applyWith(
      u.key,
      u.record,
      () => this.outbox.append(tuple, u.origin, state).committed,
    );
    this.metrics.countApplied(u.record.version.node);
    if (!local) this.metrics.delay.observe(Math.max(0, Date.now() - u.record.version.wall) / 1000);
    if (!conflict || !stored) return applied;
    const record = concurrentRecord(u.key, stored, u.record, selfId);
    const queued = this.host.conflicts.detected(record).catch((err: unknown) => {
      this.host.log.error({ key: u.key, err: (err as Error).message }, "could not record concurrent write");
    });
    return Promise.all([applied, queued]);
  }

  private scheduleKick(): void {
    if (this.kickScheduled) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      for (const s of this.streams.values()) s.kick();
    });
  }

  private onAck(peer: string, v: VersionVector): void {
    this.copies.ack(peer, v.seq(this.origin));
  }

  /**
   * Waits until `need` other nodes have applied `u`. The streams bring acknowledgements from the
   * peers this node sends to; when they are fewer than `need` (Circle, a Star spoke) the update
   * is also pushed straight to more nodes, which drop the later copy from the topology as a duplicate.
   */
  private waitForCopies(u: Update, need: number): Promise<number> {
    const cfg = this.host.config();
    const input = this.topologyInput();
    const copies = this.copies.wait(u.seq, need, cfg.limits.requestTimeoutMs, cfg.members.length);
    const linked = this.view.links.filter((l) => this.host.peer(l.peer)?.health.up).length;
    const direct = need - linked;
    if (direct <= 0) return copies;
    const linkedIds = new Set(this.view.links.map((l) => l.peer));
    const candidates = cfg.members
      .map((m) => m.id)
      .filter((id) => id !== this.host.selfId && !linkedIds.has(id) && input.available(id))
      .slice(0, direct);
    const tuple = toUpdateTuple({ ...u, seenBy: [this.host.selfId] });
    for (const id of candidates) {
      this.host
        .peer(id)
        ?.send([OP_ML_PUSH, "", [tuple]])
        .then(
          (answer) => this.onAck(id, VersionVector.from(answer as VectorEntry[])),
          () => undefined,
        );
    }
    return copies;
  }
}
