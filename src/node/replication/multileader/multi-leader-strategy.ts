import type { UpdateTuple, VectorEntry } from "../../../wire/multi-leader.ts";
import type { VersionedRecord } from "../../storage/record.ts";
import { LeaderlessCoordinator } from "../leaderless.ts";
import type { ReplicationModel, ReplicationRole, ReplicationStrategy, WriteOutcome } from "../strategy.ts";
import { MultiLeaderReplicator } from "./multi-leader.ts";
import { Outbox } from "./outbox.ts";

/** Quorum reads of R copies; multi-leader reads every member, since every member holds every key. */
export interface QuorumReads {
  read(key: string, r: number): Promise<VersionedRecord | undefined>;
}

/**
 * Multi-leader replication as the node sees it. The role (leader or follower) is not a separate
 * object: it is recomputed by the replicator's topology from config and peer health (every 250 ms,
 * on a reload, on failover), and both roles share the outbox, the vector, the streams and the
 * writes waiting for copies; a leader that becomes a follower keeps sending what it originated.
 * Swapping objects at a role change would have to hand all of that over mid-flight, so the
 * strategy asks the replicator which role holds at the moment a request needs to know.
 */
export class MultiLeaderStrategy implements ReplicationStrategy {
  private readonly replicator: MultiLeaderReplicator;
  private readonly reads: QuorumReads;

  constructor(replicator: MultiLeaderReplicator, reads: QuorumReads) {
    this.replicator = replicator;
    this.reads = reads;
  }

  /** On a leader; a follower's writes are forwarded (forwardTo) and never get here. */
  write(key: string, value: Uint8Array | null, w: number): Promise<WriteOutcome> {
    return this.replicator.write(key, value, w);
  }

  read(key: string, r: number): Promise<VersionedRecord | undefined> {
    return this.reads.read(key, r);
  }

  /** A follower hands writes to its feeder first, then the other leaders. */
  forwardTo(): readonly string[] | undefined {
    return this.replicator.isLeader() ? undefined : this.replicator.forwardOrder();
  }

  role(): ReplicationRole {
    return this.replicator.topology().role;
  }

  status(now: number): Record<string, unknown> {
    return { multiLeader: this.replicator.status(now) };
  }

  receiveUpdates(from: string, updates: UpdateTuple[]): Promise<VectorEntry[]> {
    return this.replicator.receive(from, updates);
  }

  vector(): VectorEntry[] {
    return this.replicator.vector();
  }

  peerUp(): void {
    this.replicator.peerUp();
  }

  configChanged(): void {
    this.replicator.refreshTopology();
  }

  start(): void {
    this.replicator.start();
  }

  stop(): void {
    this.replicator.stop();
  }
}

/** Every member holds every key; reads are quorum reads over all of them. */
export const multiLeaderModel: ReplicationModel = {
  ownersPerKey: (_factor, members) => members,
  create: (parts) =>
    new MultiLeaderStrategy(
      new MultiLeaderReplicator(new Outbox(parts.root), {
        selfId: parts.selfId,
        clock: parts.clock,
        conflicts: parts.conflicts,
        log: parts.log,
        registry: parts.metrics.registry,
        config: () => parts.config(),
        peer: (id) => parts.peer(id),
        readLocal: (key) => parts.readLocal(key),
        applyWith: (key, rec, alongside) => parts.applyWith(key, rec, alongside),
      }),
      new LeaderlessCoordinator(parts),
    ),
};
