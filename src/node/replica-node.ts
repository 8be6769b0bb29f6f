import type { Logger } from "pino";
import type { ClusterConfig } from "../config/cluster-config.ts";
import { RepairSide } from "./antientropy/repair-side.ts";
import type { ClientTokens } from "./client-tokens.ts";
import { HybridClock } from "./clock/hlc.ts";
import { ConflictQueue } from "./conflicts/conflict-queue.ts";
import { ConflictStore } from "./conflicts/conflict-store.ts";
import { HintReplayer } from "./hints/hint-replayer.ts";
import { HintStore } from "./hints/hint-store.ts";
import { Membership } from "./membership/membership.ts";
import { PeerSet } from "./membership/peer-set.ts";
import { NodeMetrics } from "./metrics/node-metrics.ts";
import { NodeState } from "./node-state.ts";
import type { NodeParts } from "./parts.ts";
import { modelFor } from "./replication/model-for.ts";
import type { StrategyParts } from "./replication/replica-context.ts";
import type { ReplicationModel, ReplicationStrategy } from "./replication/strategy.ts";
import { openDatabase } from "./storage/database.ts";
import { LocalReplica } from "./storage/local-replica.ts";
import type { PeerCredentials } from "./tls/peer-credentials.ts";

export interface ReplicaNodeOptions {
  id: string;
  dataDir: string;
  config: ClusterConfig;
  token: string | undefined;
  /** how this node authenticates to its peers */
  peerCredentials: PeerCredentials;
  /** Client tokens of one role each (read, write, admin); `token` has every role. */
  roleTokens?: Omit<ClientTokens, "all">;
  /** Fault injection: shifts this node's wall clock, to test clock-offset refusal for real. */
  clockSkewMs: number;
  log: Logger;
}

/**
 * The assembly: makes one replica's parts, wires them to each other, owns their lifetimes and
 * applies config changes to them. The replication model is picked here, once, from the config's
 * mode (which a reload may not change). The HTTP layer gets the parts, not this class.
 */
export class ReplicaNode extends NodeState implements NodeParts {
  readonly clock: HybridClock;
  readonly storage: LocalReplica;
  readonly membership: Membership;
  readonly replication: ReplicationStrategy;
  readonly conflicts: ConflictQueue;
  readonly hints: HintStore;
  readonly metrics: NodeMetrics;
  readonly repair: RepairSide;
  readonly peerCredentials: PeerCredentials;
  private readonly replayer: HintReplayer;

  constructor(opts: ReplicaNodeOptions) {
    assertMember(opts.id, opts.config);
    super(opts.id, opts.log, opts.token, opts.config, opts.roleTokens);
    const config = () => this.config();
    this.peerCredentials = opts.peerCredentials;
    const model: ReplicationModel = modelFor(opts.config.mode);
    this.clock = new HybridClock(opts.id, opts.clockSkewMs ? () => Date.now() + opts.clockSkewMs : Date.now);
    // Storage tells membership about each stored version; membership exists before any write.
    this.storage = new LocalReplica(openDatabase(opts.dataDir), (key, prev, version) =>
      this.membership.onStored(key, prev, version),
    );
    this.hints = new HintStore(this.storage.root);
    this.metrics = new NodeMetrics(opts.id, {
      storage: () => this.storage.stats(),
      hints: () => this.hints.pending(),
      hintLimits: () => config().hintedHandoff,
      maxOffsetMs: () => config().clock.maxOffsetMs,
      generation: () => config().generation,
      trees: () => {
        const { trees } = this.membership;
        const sets = trees.summaries();
        return { bytes: trees.bytes(), sets: sets.length, keys: sets.reduce((n, s) => n + s.keys, 0) };
      },
      lastRepair: () => this.repair.lastReport,
      conflicts: () => this.conflicts.store.stats(),
    });
    const peers = new PeerSet({
      selfId: opts.id,
      clock: this.clock,
      credentials: opts.peerCredentials,
      metrics: this.metrics,
      log: opts.log,
      config,
      ready: () => this.ready,
      onPeerUp: (peer) => {
        this.replayer.kick(peer);
        this.replication.peerUp(peer);
      },
    });
    this.conflicts = new ConflictQueue(new ConflictStore(this.storage.root), {
      selfId: opts.id,
      log: opts.log,
      metrics: this.metrics,
      clock: this.clock,
      config,
      peers: () => peers.list(),
    });
    this.replayer = new HintReplayer(
      this.hints,
      {
        peer: (id) => peers.get(id),
        windowMs: () => config().hintedHandoff.windowMs,
        onReplayed: (peer, n) => this.metrics.hintsReplayed.inc({ peer }, n),
        onExpired: (n) => this.metrics.hintsDropped.inc({ reason: "expired" }, n),
      },
      opts.log,
    );
    this.membership = new Membership({
      selfId: opts.id,
      log: opts.log,
      peers,
      storage: this.storage,
      config,
      ownersPerKey: (factor, members) => model.ownersPerKey(factor, members),
    });
    this.repair = new RepairSide({
      trees: this.membership.trees,
      storage: this.storage,
      clock: this.clock,
      metrics: this.metrics,
      config,
    });
    this.replication = model.create(this.strategyParts());
  }

  start(): void {
    this.membership.peers.start();
    this.replayer.start();
    this.conflicts.start();
    this.replication.start();
    this.ready = true;
  }

  /** Applies a changed config file; an invalid one was already rejected by the loader. */
  applyConfig(next: ClusterConfig): boolean {
    const running = this.config();
    if (next.mode !== running.mode) {
      this.log.error(
        { running: running.mode, requested: next.mode, generation: next.generation },
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
    this.replaceConfig(next);
    this.membership.sync(next);
    this.replication.configChanged();
    this.log.info({ generation: next.generation, members: next.members.length }, "config applied");
    return true;
  }

  /** Stops background work, waits for peer traffic in flight, and closes storage (which flushes). */
  async close(): Promise<void> {
    this.ready = false;
    this.membership.close();
    this.replayer.stop();
    this.conflicts.stop();
    this.replication.stop();
    await this.membership.peers.close();
    await this.storage.close();
  }

  /** What a replication model is given: the parts it uses, as narrow functions. */
  private strategyParts(): StrategyParts {
    const { storage, membership } = this;
    return {
      selfId: this.selfId,
      clock: this.clock,
      hints: this.hints,
      conflicts: this.conflicts,
      metrics: this.metrics,
      log: this.log,
      root: storage.root,
      config: () => this.config(),
      ring: () => membership.ring(),
      ownersPerKey: () => membership.ownersPerKey(),
      peer: (id) => membership.peers.get(id),
      readLocal: (key) => storage.read(key),
      applyLocal: (key, rec) => storage.apply(key, rec),
      applyWith: (key, rec, alongside) => storage.apply(key, rec, alongside),
    };
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
