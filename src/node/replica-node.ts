import { createHash } from "node:crypto";
import type { RootDatabase } from "lmdb";
import type { Logger } from "pino";
import type { ClusterConfig } from "../config/cluster-config.ts";
import { ConflictError } from "../errors.ts";
import type { RepairReport } from "../wire/anti-entropy.ts";
import { segmentOf } from "../wire/segment-hash.ts";
import { Handoff } from "./antientropy/handoff.ts";
import { RepairLease } from "./antientropy/repair-lease.ts";
import { treeShape } from "./antientropy/segment-tree.ts";
import { TreeRegistry } from "./antientropy/tree-registry.ts";
import { HybridClock } from "./clock/hlc.ts";
import { ConflictQueue } from "./conflicts/conflict-queue.ts";
import { ConflictStore } from "./conflicts/conflict-store.ts";
import { HintReplayer } from "./hints/hint-replayer.ts";
import { HintStore } from "./hints/hint-store.ts";
import { NodeMetrics } from "./metrics/node-metrics.ts";
import { PeerClient, type PeerContext } from "./peers/peer-client.ts";
import { leaderlessModel } from "./replication/leaderless-strategy.ts";
import { multiLeaderModel } from "./replication/multileader/multi-leader-strategy.ts";
import type { StrategyParts } from "./replication/replica-context.ts";
import type { ReplicationModel, ReplicationStrategy } from "./replication/strategy.ts";
import { HashRing } from "./ring/hash-ring.ts";
import { openDatabase } from "./storage/database.ts";
import { type ApplyResult, KvStore } from "./storage/kv-store.ts";
import type { VersionedRecord } from "./storage/record.ts";
import { TombstoneIndex } from "./storage/tombstones.ts";

export interface ReplicaNodeOptions {
  id: string;
  dataDir: string;
  config: ClusterConfig;
  token: string | undefined;
  /** Fault injection: shifts this node's wall clock, to test clock-offset refusal for real. */
  clockSkewMs: number;
  log: Logger;
}

/** Tree defaults: 2^18 leaves of 4 bytes (1 MiB per owner set) keep a million keys at ~4 per segment. */
const DEFAULT_TREE_SEGMENTS = 1 << 18;
const DEFAULT_TREE_FANOUT = 16;

/**
 * One replica: storage, clock, peers, hints and the coordinator, wired together. It owns their
 * lifetimes and applies config changes to all of them; the HTTP layer only calls into it.
 */
export class ReplicaNode implements StrategyParts {
  readonly selfId: string;
  readonly clock: HybridClock;
  readonly hints: HintStore;
  readonly conflicts: ConflictQueue;
  readonly metrics: NodeMetrics;
  readonly log: Logger;
  readonly token: string | undefined;
  /** The replication model, fixed for the life of the process as the config's mode is. */
  private readonly model: ReplicationModel;
  readonly replication: ReplicationStrategy;
  readonly root: RootDatabase;
  private readonly store: KvStore;
  private readonly tombstones: TombstoneIndex;
  private readonly replayer: HintReplayer;
  private readonly peers = new Map<string, PeerClient>();
  private readonly peerContext: PeerContext;
  private cfg: ClusterConfig;
  private cfgHash: string;
  // Assigned by syncMembership, which the constructor calls.
  private hashRing!: HashRing;
  /** What the ring and trees were built from; they are rebuilt only when it changes. */
  private ownership = "";
  readonly trees: TreeRegistry;
  readonly repairLease = new RepairLease();
  readonly handoff: Handoff;
  private handoffTimer: NodeJS.Timeout | undefined;
  lastRepair: RepairReport | undefined;
  ready = false;
  private closing = false;

  constructor(opts: ReplicaNodeOptions) {
    this.selfId = opts.id;
    this.log = opts.log;
    this.token = opts.token;
    this.cfg = opts.config;
    this.cfgHash = hashConfig(opts.config);
    assertMember(opts.id, opts.config);
    this.model = opts.config.mode === "MultiLeader" ? multiLeaderModel : leaderlessModel;
    this.clock = new HybridClock(opts.id, opts.clockSkewMs ? () => Date.now() + opts.clockSkewMs : Date.now);
    this.root = openDatabase(opts.dataDir);
    this.store = new KvStore(this.root);
    this.tombstones = new TombstoneIndex(this.root, this.store);
    this.hints = new HintStore(this.root);
    this.metrics = new NodeMetrics(opts.id, {
      storage: () => this.store.stats(),
      hints: () => this.hints.pending(),
      hintLimits: () => this.cfg.hintedHandoff,
      maxOffsetMs: () => this.cfg.clock.maxOffsetMs,
      generation: () => this.cfg.generation,
      trees: () => {
        const sets = this.trees.summaries();
        return { bytes: this.trees.bytes(), sets: sets.length, keys: sets.reduce((n, s) => n + s.keys, 0) };
      },
      lastRepair: () => this.lastRepair,
      conflicts: () => this.conflicts.store.stats(),
    });
    this.conflicts = new ConflictQueue(new ConflictStore(this.root), {
      selfId: this.selfId,
      log: this.log,
      metrics: this.metrics,
      config: () => this.cfg,
      peers: () => this.peerList(),
    });
    this.peerContext = {
      selfId: this.selfId,
      clock: this.clock,
      token: this.token,
      maxOffsetMs: () => this.cfg.clock.maxOffsetMs,
      timeoutMs: () => this.cfg.limits.requestTimeoutMs,
      onOffset: (peer, ms) => this.recordOffset(peer, ms),
      onRefused: (peer, offsetMs, byPeer, record) => {
        this.metrics.clockRefused.inc({ peer, direction: byPeer ? "out" : "in" });
        this.log.warn(
          { peer, offsetMs, ...(record ? { refused: record } : {}) },
          record
            ? "peer refused a record: its version is ahead of the peer's clock"
            : byPeer
              ? "peer refused our clock"
              : "refused peer answer: clock ahead",
        );
      },
      onHealthChange: (peer, up) => {
        this.metrics.peerUp.set({ peer }, up ? 1 : 0);
        this.log.info({ peer }, up ? "peer is up" : "peer is down");
        if (up) this.replayer.kick(peer);
        if (up) this.replication.peerUp(peer);
      },
    };
    this.replayer = new HintReplayer(
      this.hints,
      {
        peer: (id) => this.peers.get(id),
        windowMs: () => this.cfg.hintedHandoff.windowMs,
        onReplayed: (peer, n) => this.metrics.hintsReplayed.inc({ peer }, n),
        onExpired: (n) => this.metrics.hintsDropped.inc({ reason: "expired" }, n),
      },
      this.log,
    );
    this.syncMembership(opts.config);
    const ae = opts.config.antiEntropy;
    this.trees = new TreeRegistry(
      treeShape(ae?.treeSegments ?? DEFAULT_TREE_SEGMENTS, ae?.treeFanout ?? DEFAULT_TREE_FANOUT),
      this.selfId,
      this.hashRing,
      this.ownersPerKey(opts.config),
    );
    this.handoff = new Handoff({
      selfId: this.selfId,
      log: this.log,
      entries: () => this.store.entries(),
      peer: (id) => this.peers.get(id),
      removeIfCurrent: (key, rec) => this.store.removeIfCurrent(key, rec),
    });
    this.rebuildTrees();
    this.replication = this.model.create(this);
  }

  start(): void {
    for (const p of this.peers.values()) p.startHeartbeat();
    this.replayer.start();
    this.conflicts.start();
    this.replication.start();
    this.ready = true;
  }

  config(): ClusterConfig {
    return this.cfg;
  }

  /** Identifies the config in force beyond its generation (see TreeSummary.configHash). */
  configHash(): string {
    return this.cfgHash;
  }

  ring(): HashRing {
    return this.hashRing;
  }

  peer(id: string): PeerClient | undefined {
    return this.peers.get(id);
  }

  /** The one place a peer's clock offset is recorded: the metric and what /v1/status shows. */
  recordOffset(peer: string, offsetMs: number): void {
    this.metrics.clockOffset.set({ peer }, offsetMs / 1000);
    const health = this.peers.get(peer)?.health;
    if (health) health.offsetMs = offsetMs;
  }

  maxOffsetMs(): number {
    return this.cfg.clock.maxOffsetMs;
  }

  peerList(): PeerClient[] {
    return [...this.peers.values()];
  }

  readLocal(key: string): VersionedRecord | undefined {
    return this.store.get(key);
  }

  /** Owners per key, as the replication model says (N, or every member). */
  ownersPerKey(cfg: ClusterConfig = this.cfg): number {
    return this.model.ownersPerKey(cfg.replication.factor, cfg.members.length);
  }

  applyWith(key: string, rec: VersionedRecord, alongside: () => Promise<unknown>): Promise<ApplyResult> {
    return this.applyLocal(key, rec, alongside);
  }

  /** `alongside`: writes that must commit in the same transaction (see KvStore.apply). */
  async applyLocal(
    key: string,
    rec: VersionedRecord,
    alongside?: () => Promise<unknown>,
  ): Promise<ApplyResult> {
    const r = await this.store.apply(key, rec, alongside);
    if (r.applied) {
      if (rec.value === null) await this.tombstones.note(key, rec);
      // A write for a key we do not own came from a coordinator with an older ring: move it on.
      if (!this.trees.onWrite(key, r.previous?.version, rec.version)) this.scheduleRebalance(1000);
    }
    return r;
  }

  storageStats(): { keys: number; bytes: number } {
    return this.store.stats();
  }

  /** Applies a changed config file; an invalid one was already rejected by the loader. */
  applyConfig(next: ClusterConfig): boolean {
    if (next.mode !== this.cfg.mode) {
      this.log.error(
        { running: this.cfg.mode, requested: next.mode, generation: next.generation },
        "config refused: the replication mode cannot change on a running store; keeping the current config",
      );
      return false;
    }
    if (!next.members.some((m) => m.id === this.selfId)) {
      this.log.warn(
        { generation: next.generation },
        "this node is no longer a member; it keeps serving its data until stopped",
      );
    }
    this.cfg = next;
    this.cfgHash = hashConfig(next);
    this.syncMembership(next);
    this.replication.configChanged();
    this.log.info({ generation: next.generation, members: next.members.length }, "config applied");
    return true;
  }

  /**
   * Purges the tombstones of one owner set that are past the grace period. Called by the repair
   * job only once every owner of the set matched, so all of them drop the same tombstones.
   */
  async purgeTombstones(setId: string): Promise<number> {
    const cutoff = this.clock.physicalNow() - this.cfg.tombstones.gracePeriodMs;
    const purged = await this.tombstones.purgeBefore(cutoff, (key) => this.trees.belongsTo(key, setId));
    for (const [key, rec] of purged) this.trees.onWrite(key, rec.version, undefined);
    if (purged.length > 0) this.metrics.tombstonesPurged.inc(purged.length);
    return purged.length;
  }

  /** Every key of set `setId` in the given leaf segments, with its version: one scan of storage. */
  keysInSegments(setId: string, segments: readonly number[]): Array<[string, number, number, string]> {
    const wanted = new Uint8Array(this.trees.shape.segments);
    for (const s of segments) if (s >= 0 && s < wanted.length) wanted[s] = 1;
    const out: Array<[string, number, number, string]> = [];
    for (const [key, rec] of this.store.entries()) {
      if (wanted[segmentOf(key, this.trees.shape.segments)] && this.trees.belongsTo(key, setId)) {
        out.push([key, rec.version.wall, rec.version.logical, rec.version.node]);
      }
    }
    return out;
  }

  /** Stops background work, waits for peer traffic in flight, and closes storage (which flushes). */
  async close(): Promise<void> {
    this.ready = false;
    this.closing = true;
    clearTimeout(this.handoffTimer);
    this.replayer.stop();
    this.conflicts.stop();
    this.replication.stop();
    await Promise.all(this.peerList().map((p) => p.close()));
    await this.root.close();
  }

  private syncMembership(cfg: ClusterConfig): void {
    const wanted = new Map(cfg.members.filter((m) => m.id !== this.selfId).map((m) => [m.id, m.url]));
    for (const [id, client] of this.peers) {
      if (wanted.get(id) !== client.url) {
        this.peers.delete(id);
        this.metrics.peerUp.remove({ peer: id });
        void client.close();
      }
    }
    for (const [id, url] of wanted) {
      if (!this.peers.has(id)) {
        const client = new PeerClient(id, url, this.peerContext);
        this.peers.set(id, client);
        this.metrics.peerUp.set({ peer: id }, 1);
        if (this.ready) client.startHeartbeat();
      }
    }
    const ownership = `${cfg.members.map((m) => m.id).join(",")}#${cfg.ring.vnodes}#${this.ownersPerKey(cfg)}`;
    if (ownership === this.ownership) return;
    this.ownership = ownership;
    this.hashRing = new HashRing(
      cfg.members.map((m) => m.id),
      cfg.ring.vnodes,
    );
    // Every key may belong to another owner set now. (The registry is absent only during
    // construction, which builds the trees right after.)
    if (this.trees) this.rebuildTrees();
  }

  private rebuildTrees(): void {
    const started = Date.now();
    const notOwned = this.trees.rebuild(this.store.entries(), this.hashRing, this.ownersPerKey());
    this.log.info(
      { ms: Date.now() - started, sets: this.trees.summaries().length, notOwned },
      "anti-entropy trees built",
    );
    if (notOwned > 0) this.scheduleRebalance(0);
  }

  /** Hands keys this node no longer owns to their owners; retried while some owner is unreachable. */
  private scheduleRebalance(delayMs: number): void {
    if (this.handoffTimer || this.closing) return;
    this.handoff.markScheduled();
    this.handoffTimer = setTimeout(() => {
      this.handoffTimer = undefined;
      this.handoff.rebalance(this.hashRing, this.ownersPerKey());
      void this.handoff.idle().then(() => {
        if (this.handoff.status.failed > 0) this.scheduleRebalance(5000);
      });
    }, delayMs);
    this.handoffTimer.unref();
  }

  /**
   * Starts draining: every key goes to its owners under the ring without `leaving` (default: this
   * node). The copies stay here until the config removes the members; see Handoff.
   */
  drain(leaving: string[]): void {
    const remaining = this.cfg.members.map((m) => m.id).filter((id) => !leaving.includes(id));
    if (remaining.length < this.cfg.replication.factor) {
      throw new ConflictError(
        "drain_refused",
        `draining ${leaving.join(", ")} would leave ${remaining.length} members, fewer than the replication factor ${this.cfg.replication.factor}; lower the factor first`,
      );
    }
    const owners = this.model.ownersPerKey(this.cfg.replication.factor, remaining.length);
    this.handoff.drain(leaving, new HashRing(remaining, this.cfg.ring.vnodes), owners);
  }
}

function hashConfig(cfg: ClusterConfig): string {
  return createHash("sha256").update(JSON.stringify(cfg)).digest("hex").slice(0, 12);
}

function assertMember(id: string, cfg: ClusterConfig): void {
  if (!cfg.members.some((m) => m.id === id)) {
    const ids = cfg.members.map((m) => m.id).join(", ");
    throw new Error(
      `node id '${id}' is not a member of store '${cfg.store.name}' (members: ${ids}); check --id or the config file`,
    );
  }
}
