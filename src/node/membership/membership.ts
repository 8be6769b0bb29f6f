import type { Logger } from "pino";
import type { ClusterConfig } from "../../config/cluster-config.ts";
import { ConflictError } from "../../errors.ts";
import { Handoff } from "../antientropy/handoff.ts";
import { treeShape } from "../antientropy/segment-tree.ts";
import { TreeRegistry } from "../antientropy/tree-registry.ts";
import type { Timestamp } from "../clock/hlc.ts";
import { HashRing } from "../ring/hash-ring.ts";
import type { LocalReplica } from "../storage/local-replica.ts";
import type { PeerSet } from "./peer-set.ts";

/** Tree defaults: 2^18 leaves of 4 bytes (1 MiB per owner set) keep a million keys at ~4 per segment. */
const DEFAULT_TREE_SEGMENTS = 1 << 18;
const DEFAULT_TREE_FANOUT = 16;

export interface MembershipDeps {
  readonly selfId: string;
  readonly log: Logger;
  readonly peers: PeerSet;
  /** Where the keys are, to build trees from and hand off. */
  readonly storage: Pick<LocalReplica, "entries" | "removeIfCurrent">;
  config(): ClusterConfig;
  /** Owners per key with factor N and `members` members: the replication model's answer. */
  ownersPerKey(factor: number, members: number): number;
}

/**
 * Who the members are and who owns which key: the peers, the ring, the anti-entropy trees of the
 * owner sets this node belongs to, and the handoff of keys whose owners changed (rebalance after a
 * config change or a write for a key owned elsewhere; drain before a scale-down).
 */
export class Membership {
  readonly peers: PeerSet;
  readonly trees: TreeRegistry;
  readonly handoff: Handoff;
  private readonly deps: MembershipDeps;
  private hashRing: HashRing;
  /** What the ring and trees were built from; they are rebuilt only when it changes. */
  private ownership: string;
  private handoffTimer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(deps: MembershipDeps) {
    this.deps = deps;
    this.peers = deps.peers;
    const cfg = deps.config();
    this.peers.sync(cfg);
    this.ownership = ownershipOf(cfg, this.ownersPerKey(cfg));
    this.hashRing = ringOf(cfg);
    const ae = cfg.antiEntropy;
    this.trees = new TreeRegistry(
      treeShape(ae?.treeSegments ?? DEFAULT_TREE_SEGMENTS, ae?.treeFanout ?? DEFAULT_TREE_FANOUT),
      deps.selfId,
      this.hashRing,
      this.ownersPerKey(cfg),
    );
    this.handoff = new Handoff({
      selfId: deps.selfId,
      log: deps.log,
      entries: () => deps.storage.entries(),
      peer: (id) => this.peers.get(id),
      removeIfCurrent: (key, rec) => deps.storage.removeIfCurrent(key, rec),
    });
    this.rebuildTrees();
  }

  ring(): HashRing {
    return this.hashRing;
  }

  /** Owners per key under `cfg`: N, or every member where every node holds every key. */
  ownersPerKey(cfg: ClusterConfig = this.deps.config()): number {
    return this.deps.ownersPerKey(cfg.replication.factor, cfg.members.length);
  }

  /** Peers, ring and trees for a config just applied; keys no longer owned are handed off. */
  sync(cfg: ClusterConfig): void {
    this.peers.sync(cfg);
    const ownership = ownershipOf(cfg, this.ownersPerKey(cfg));
    if (ownership === this.ownership) return;
    this.ownership = ownership;
    this.hashRing = ringOf(cfg);
    // Every key may belong to another owner set now.
    this.rebuildTrees();
  }

  /** Builds the trees from storage (at start, and when ownership changes). */
  private rebuildTrees(): void {
    const started = Date.now();
    const notOwned = this.trees.rebuild(this.deps.storage.entries(), this.hashRing, this.ownersPerKey());
    this.deps.log.info(
      { ms: Date.now() - started, sets: this.trees.summaries().length, notOwned },
      "anti-entropy trees built",
    );
    if (notOwned > 0) this.scheduleRebalance(0);
  }

  /** A version was stored here: the trees follow it. */
  onStored(key: string, previous: Timestamp | undefined, version: Timestamp): void {
    // A write for a key we do not own came from a coordinator with an older ring: move it on.
    if (!this.trees.onWrite(key, previous, version)) this.scheduleRebalance(1000);
  }

  /**
   * Starts draining: every key goes to its owners under the ring without `leaving` (default: this
   * node). The copies stay here until the config removes the members; see Handoff.
   */
  drain(leaving: string[]): void {
    const cfg = this.deps.config();
    const remaining = cfg.members.map((m) => m.id).filter((id) => !leaving.includes(id));
    if (remaining.length < cfg.replication.factor) {
      throw new ConflictError(
        "drain_refused",
        `draining ${leaving.join(", ")} would leave ${remaining.length} members, fewer than the replication factor ${cfg.replication.factor}; lower the factor first`,
      );
    }
    const owners = this.deps.ownersPerKey(cfg.replication.factor, remaining.length);
    this.handoff.drain(leaving, new HashRing(remaining, cfg.ring.vnodes), owners);
  }

  /** Stops scheduling handoffs; the peers close with the node. */
  close(): void {
    this.closing = true;
    clearTimeout(this.handoffTimer);
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
}

function ownershipOf(cfg: ClusterConfig, owners: number): string {
  return `${cfg.members.map((m) => m.id).join(",")}#${cfg.ring.vnodes}#${owners}`;
}

function ringOf(cfg: ClusterConfig): HashRing {
  return new HashRing(
    cfg.members.map((m) => m.id),
    cfg.ring.vnodes,
  );
}
