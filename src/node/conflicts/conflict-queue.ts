import type { Logger } from "pino";
import type { ClusterConfig } from "../../config/cluster-config.ts";
import type { HybridClock } from "../clock/hlc.ts";
import type { NodeMetrics } from "../metrics/node-metrics.ts";
import type { PeerClient } from "../peers/peer-client.ts";
import { OP_CONFLICT_DIGEST, OP_CONFLICT_FETCH, OP_CONFLICT_PUT } from "../peers/protocol.ts";
import type { ConflictStore } from "./conflict-store.ts";
import { checkPeerDigest, checkPeerRecord } from "./peer-records.ts";
import type { ConflictRecord } from "./record.ts";

export interface ConflictQueueHost {
  readonly selfId: string;
  readonly log: Logger;
  readonly metrics: NodeMetrics;
  /** For the max clock offset rule on records a peer's answer carries. */
  readonly clock: HybridClock;
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
      const theirs = checkPeerDigest(await peer.send([OP_CONFLICT_DIGEST, ""]));
      if (typeof theirs === "string") throw new Error(theirs);
      const ours = new Map(this.store.digest());
      const wanted = theirs.filter(([id, rev]) => ours.get(id) !== rev).map(([id]) => id);
      if (wanted.length === 0) return;
      const answer = await peer.send([OP_CONFLICT_FETCH, "", wanted]);
      if (!Array.isArray(answer)) throw new Error("malformed fetch answer: not a list of records");
      let changed = 0;
      for (const value of answer) {
        const checked = checkPeerRecord(value, this.host.clock, this.host.config().clock.maxOffsetMs);
        if (!checked.ok) {
          this.refused(peer.id, checked.problem, checked.future);
          continue;
        }
        if (await this.store.upsert(checked.record)) changed++;
      }
      if (changed > 0) this.host.log.info({ peer: peer.id, changed }, "conflict queue caught up from peer");
    } catch (err) {
      this.host.log.debug({ peer: peer.id, err: (err as Error).message }, "conflict gossip skipped");
    }
  }

  /** A record a peer's answer carried that is not stored: logged, and counted when it is from the future. */
  private refused(peer: string, problem: string, future: boolean): void {
    if (future) this.host.metrics.clockRefused.inc({ peer, direction: "in" });
    this.host.log.warn({ peer, problem }, "refused a conflict record from a peer; not stored");
  }

  private async prune(): Promise<void> {
    const n = await this.store.prune(this.host.config().conflicts.retentionMs);
    if (n > 0) this.host.log.info({ pruned: n }, "pruned resolved conflicts past conflicts.retention");
  }
}
