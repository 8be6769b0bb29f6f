import type { Logger } from "pino";
import type { ClusterConfig } from "../../config/cluster-config.ts";
import type { NodeMetrics } from "../metrics/node-metrics.ts";
import type { PeerClient } from "../peers/peer-client.ts";
import { OP_CONFLICT_DIGEST, OP_CONFLICT_FETCH, OP_CONFLICT_PUT } from "../peers/protocol.ts";
import type { ConflictStore } from "./conflict-store.ts";
import type { ConflictRecord } from "./record.ts";

export interface ConflictQueueHost {
  readonly selfId: string;
  readonly log: Logger;
  readonly metrics: NodeMetrics;
  config(): ClusterConfig;
  peers(): PeerClient[];
}

const GOSSIP_MS = 5_000;
const PRUNE_MS = 60_000;

/**
 * The replicated conflict queue. A new or changed record is stored durably here, then pushed to
 * every peer; a gossip round every few seconds pulls from one peer whatever this node lacks, so a
 * node that was down, or a push that was lost, still converges. With `conflicts.policy: Automatic`
 * conflicts are only counted.
 */
export class ConflictQueue {
  readonly store: ConflictStore;
  private readonly host: ConflictQueueHost;
  private gossipTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private nextPeer = 0;

  constructor(store: ConflictStore, host: ConflictQueueHost) {
    this.store = store;
    this.host = host;
  }

  start(): void {
    this.gossipTimer = setInterval(() => void this.gossip(), GOSSIP_MS);
    this.gossipTimer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_MS);
    this.pruneTimer.unref();
  }

  stop(): void {
    clearInterval(this.gossipTimer);
    clearInterval(this.pruneTimer);
  }

  /** A conflict this node detected. Resolves once the record is durable here (or only counted). */
  async detected(rec: ConflictRecord): Promise<void> {
    this.host.metrics.conflictsDetected.inc({ kind: rec.kind });
    if (this.host.config().conflicts.policy === "Automatic") return;
    const stored = await this.store.upsert(rec);
    if (stored) this.push(stored);
  }

  /** A record changed here by a person (a resolution): store, then push. */
  async changed(rec: ConflictRecord): Promise<void> {
    const stored = await this.store.upsert(rec);
    if (stored) this.push(stored);
  }

  /** A record pushed by a peer. */
  async receive(rec: ConflictRecord): Promise<boolean> {
    return (await this.store.upsert(rec)) !== undefined;
  }

  digest(): Array<[string, string]> {
    return this.store.digest();
  }

  fetch(ids: readonly string[]): ConflictRecord[] {
    return ids.map((id) => this.store.get(id)).filter((r): r is ConflictRecord => r !== undefined);
  }

  private push(rec: ConflictRecord): void {
    for (const peer of this.host.peers()) {
      peer.send([OP_CONFLICT_PUT, rec.id, rec]).catch(() => {
        // the peer's gossip pulls it later
      });
    }
  }

  /** Pull from one peer (round robin) every record whose revision differs from ours. */
  private async gossip(): Promise<void> {
    const peers = this.host.peers().filter((p) => p.health.up);
    if (peers.length === 0) return;
    const peer = peers[this.nextPeer++ % peers.length]!;
    try {
      const theirs = (await peer.send([OP_CONFLICT_DIGEST, ""])) as Array<[string, string]>;
      const ours = new Map(this.store.digest());
      const wanted = theirs.filter(([id, rev]) => ours.get(id) !== rev).map(([id]) => id);
      if (wanted.length === 0) return;
      const records = (await peer.send([OP_CONFLICT_FETCH, "", wanted])) as ConflictRecord[];
      let changed = 0;
      for (const r of records) if (await this.store.upsert(r)) changed++;
      if (changed > 0) this.host.log.info({ peer: peer.id, changed }, "conflict queue caught up from peer");
    } catch (err) {
      this.host.log.debug({ peer: peer.id, err: (err as Error).message }, "conflict gossip skipped");
    }
  }

  private async prune(): Promise<void> {
    const n = await this.store.prune(this.host.config().conflicts.retentionMs);
    if (n > 0) this.host.log.info({ pruned: n }, "pruned resolved conflicts past conflicts.retention");
  }
}
