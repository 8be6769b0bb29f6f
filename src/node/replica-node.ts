import type { RootDatabase } from "lmdb";
import type { Logger } from "pino";
import type { ClusterConfig } from "../config/cluster-config.ts";
import { HybridClock } from "./clock/hlc.ts";
import { PartialWriteLog } from "./conflicts/partial-writes.ts";
import { HintReplayer } from "./hints/hint-replayer.ts";
import { HintStore } from "./hints/hint-store.ts";
import { NodeMetrics } from "./metrics/node-metrics.ts";
import { PeerClient, type PeerContext } from "./peers/peer-client.ts";
import { LeaderlessCoordinator } from "./replication/leaderless.ts";
import type { ReplicaContext } from "./replication/replica-context.ts";
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

const PURGE_EVERY_MS = 60_000;

/**
 * One replica: storage, clock, peers, hints and the coordinator, wired together. It owns their
 * lifetimes and applies config changes to all of them; the HTTP layer only calls into it.
 */
export class ReplicaNode implements ReplicaContext {
  readonly selfId: string;
  readonly clock: HybridClock;
  readonly hints: HintStore;
  readonly partials: PartialWriteLog;
  readonly metrics: NodeMetrics;
  readonly log: Logger;
  readonly token: string | undefined;
  readonly coordinator: LeaderlessCoordinator;
  private readonly root: RootDatabase;
  private readonly store: KvStore;
  private readonly tombstones: TombstoneIndex;
  private readonly replayer: HintReplayer;
  private readonly peers = new Map<string, PeerClient>();
  private readonly peerContext: PeerContext;
  private cfg: ClusterConfig;
  private hashRing: HashRing;
  private purgeTimer: NodeJS.Timeout | undefined;
  ready = false;

  constructor(opts: ReplicaNodeOptions) {
    this.selfId = opts.id;
    this.log = opts.log;
    this.token = opts.token;
    this.cfg = opts.config;
    assertMember(opts.id, opts.config);
    this.clock = new HybridClock(opts.id, opts.clockSkewMs ? () => Date.now() + opts.clockSkewMs : Date.now);
    this.root = openDatabase(opts.dataDir);
    this.store = new KvStore(this.root);
    this.tombstones = new TombstoneIndex(this.root, this.store);
    this.hints = new HintStore(this.root);
    this.partials = new PartialWriteLog(this.root);
    this.metrics = new NodeMetrics(opts.id, {
      storage: () => this.store.stats(),
      hints: () => this.hints.pending(),
      hintLimits: () => this.cfg.hintedHandoff,
      maxOffsetMs: () => this.cfg.clock.maxOffsetMs,
      generation: () => this.cfg.generation,
    });
    this.peerContext = {
      selfId: this.selfId,
      clock: this.clock,
      token: this.token,
      maxOffsetMs: () => this.cfg.clock.maxOffsetMs,
      timeoutMs: () => this.cfg.limits.requestTimeoutMs,
      onOffset: (peer, ms) => this.metrics.clockOffset.set({ peer }, ms / 1000),
      onRefused: (peer, offsetMs, byPeer) => {
        this.metrics.clockRefused.inc({ peer, direction: byPeer ? "out" : "in" });
        this.log.warn(
          { peer, offsetMs },
          byPeer ? "peer refused our clock" : "refused peer answer: clock ahead",
        );
      },
      onHealthChange: (peer, up) => {
        this.metrics.peerUp.set({ peer }, up ? 1 : 0);
        this.log.info({ peer }, up ? "peer is up" : "peer is down");
        if (up) this.replayer.kick(peer);
      },
    };
    this.hashRing = new HashRing([], 1);
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
    this.coordinator = new LeaderlessCoordinator(this);
  }

  start(): void {
    for (const p of this.peers.values()) p.startHeartbeat();
    this.replayer.start();
    this.purgeTimer = setInterval(() => void this.purgeTombstones(), PURGE_EVERY_MS);
    this.purgeTimer.unref();
    this.ready = true;
  }

  config(): ClusterConfig {
    return this.cfg;
  }

  ring(): HashRing {
    return this.hashRing;
  }

  peer(id: string): PeerClient | undefined {
    return this.peers.get(id);
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

  async applyLocal(key: string, rec: VersionedRecord): Promise<ApplyResult> {
    const r = await this.store.apply(key, rec);
    if (r.applied) this.tombstones.note(key, rec);
    return r;
  }

  storageStats(): { keys: number; bytes: number } {
    return this.store.stats();
  }

  /** Applies a changed config file; an invalid one was already rejected by the loader. */
  applyConfig(next: ClusterConfig): void {
    if (!next.members.some((m) => m.id === this.selfId)) {
      this.log.warn(
        { generation: next.generation },
        "this node is no longer a member; it keeps serving its data until stopped",
      );
    }
    this.cfg = next;
    this.syncMembership(next);
    this.log.info({ generation: next.generation, members: next.members.length }, "config applied");
  }

  async purgeTombstones(): Promise<number> {
    const n = await this.tombstones.purgeBefore(this.clock.physicalNow() - this.cfg.tombstones.gracePeriodMs);
    if (n > 0) this.metrics.tombstonesPurged.inc(n);
    return n;
  }

  /** Stops background work, waits for peer traffic in flight, and closes storage (which flushes). */
  async close(): Promise<void> {
    this.ready = false;
    this.replayer.stop();
    clearInterval(this.purgeTimer);
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
    this.hashRing = new HashRing(
      cfg.members.map((m) => m.id),
      cfg.ring.vnodes,
    );
  }
}

function assertMember(id: string, cfg: ClusterConfig): void {
  if (!cfg.members.some((m) => m.id === id)) {
    const ids = cfg.members.map((m) => m.id).join(", ");
    throw new Error(
      `node id '${id}' is not a member of store '${cfg.store.name}' (members: ${ids}); check --id or the config file`,
    );
  }
}
