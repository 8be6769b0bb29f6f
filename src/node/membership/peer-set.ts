import type { Logger } from "pino";
import type { ClusterConfig } from "../../config/cluster-config.ts";
import type { HybridClock } from "../clock/hlc.ts";
import type { NodeMetrics } from "../metrics/node-metrics.ts";
import { PeerClient, type PeerContext } from "../peers/peer-client.ts";
import type { PeerCredentials } from "../tls/peer-credentials.ts";

export interface PeerSetDeps {
  readonly selfId: string;
  readonly clock: HybridClock;
  readonly credentials: PeerCredentials;
  readonly metrics: NodeMetrics;
  readonly log: Logger;
  config(): ClusterConfig;
  /** Whether the node is serving: a member added then gets its heartbeat at once. */
  ready(): boolean;
  /** A peer answered again after being down (hint replay, the replication model). */
  onPeerUp(peer: string): void;
}

/**
 * One client per other member, their health and clock offsets. Members come and go with the
 * config (sync); heartbeats run from start() until close().
 */
export class PeerSet {
  private readonly peers = new Map<string, PeerClient>();
  private readonly deps: PeerSetDeps;
  private readonly context: PeerContext;

  constructor(deps: PeerSetDeps) {
    this.deps = deps;
    const { metrics, log } = deps;
    this.context = {
      selfId: deps.selfId,
      clock: deps.clock,
      credentials: deps.credentials,
      maxOffsetMs: () => deps.config().clock.maxOffsetMs,
      timeoutMs: () => deps.config().limits.requestTimeoutMs,
      onOffset: (peer, ms) => this.recordOffset(peer, ms),
      onRefused: (peer, offsetMs, byPeer, record) => {
        metrics.clockRefused.inc({ peer, direction: byPeer ? "out" : "in" });
        log.warn(
          { peer, offsetMs, ...(record ? { refused: record } : {}) },
          record
            ? "peer refused a record: its version is ahead of the peer's clock"
            : byPeer
              ? "peer refused our clock"
              : "refused peer answer: clock ahead",
        );
      },
      onHealthChange: (peer, up) => {
        metrics.peerUp.set({ peer }, up ? 1 : 0);
        log.info({ peer }, up ? "peer is up" : "peer is down");
        if (up) deps.onPeerUp(peer);
      },
    };
  }

  get(id: string): PeerClient | undefined {
    return this.peers.get(id);
  }

  list(): PeerClient[] {
    return [...this.peers.values()];
  }

  /** The one place a peer's clock offset is recorded: the metric and what /v1/status shows. */
  recordOffset(peer: string, offsetMs: number): void {
    this.deps.metrics.clockOffset.set({ peer }, offsetMs / 1000);
    const health = this.peers.get(peer)?.health;
    if (health) health.offsetMs = offsetMs;
  }

  /** Clients for the members of `cfg` other than this node: new ones made, gone or moved ones closed. */
  sync(cfg: ClusterConfig): void {
    const { selfId, metrics } = this.deps;
    const wanted = new Map(cfg.members.filter((m) => m.id !== selfId).map((m) => [m.id, m.peerUrl ?? m.url]));
    for (const [id, client] of this.peers) {
      if (wanted.get(id) !== client.url) {
        this.peers.delete(id);
        metrics.peerUp.remove({ peer: id });
        void client.close();
      }
    }
    for (const [id, url] of wanted) {
      if (!this.peers.has(id)) {
        const client = new PeerClient(id, url, this.context);
        this.peers.set(id, client);
        metrics.peerUp.set({ peer: id }, 1);
        if (this.deps.ready()) client.startHeartbeat();
      }
    }
  }

  start(): void {
    for (const p of this.peers.values()) p.startHeartbeat();
  }

  /** Waits for peer traffic in flight, then closes every connection. */
  async close(): Promise<void> {
    await Promise.all(this.list().map((p) => p.close()));
  }
}
