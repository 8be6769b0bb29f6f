import type { UpdateTuple, VectorEntry } from "../../wire/multi-leader.ts";
import type { Timestamp } from "../clock/hlc.ts";
import type { VersionedRecord } from "../storage/record.ts";
import type { StrategyParts } from "./replica-context.ts";

/** What a client write answers: its version, the copies it reached, and the leader that took it. */
export interface WriteOutcome {
  version: Timestamp;
  acks: number;
  leader?: string;
}

/** How a write behaves beyond its quorum. */
export interface WriteOptions {
  /**
   * Record a write that failed its quorum but reached some owners as a partial write (default
   * true). A conflict resolution says false: its value is what on-call chose, so a failure leaves
   * the record pending and resolvable instead of adding a second record about the same key.
   */
  readonly recordPartial?: boolean;
}

/** This node's role as /v1/status shows it (before "leaving", which membership decides). */
export type ReplicationRole = "replica" | "leader" | "follower";

/**
 * One replication model: leaderless quorums, or multi-leader streams. The node picks one at start
 * (src/node/assembly.ts) and keeps it for the store's life, as the config keeps the mode; shared
 * code (routes, the batch handler, membership) calls only this and never asks which model runs.
 */
export interface ReplicationStrategy {
  /** A client write this node takes (forwardTo() was undefined); rejects with a QuorumError below W. */
  write(key: string, value: Uint8Array | null, w: number, options?: WriteOptions): Promise<WriteOutcome>;
  /** The newest of R copies; rejects with a QuorumError below R. */
  read(key: string, r: number): Promise<VersionedRecord | undefined>;
  /**
   * The leaders a client write must be forwarded to, best first; undefined when this node takes
   * writes itself (every leaderless node, a multi-leader leader).
   */
  forwardTo(): readonly string[] | undefined;
  role(): ReplicationRole;
  /** What the model adds to /v1/status (its own key, or nothing). */
  status(now: number): Record<string, unknown>;
  /** Peer batch op OP_ML_PUSH: updates pushed by a peer; answers with this node's vector. */
  receiveUpdates(from: string, updates: UpdateTuple[]): Promise<VectorEntry[]> | VectorEntry[];
  /** Peer batch op OP_ML_VECTOR: what this node has applied. */
  vector(): VectorEntry[];
  /** A peer answered again after being down. */
  peerUp(peer: string): void;
  /** A new config was applied (members, topology, hub). */
  configChanged(): void;
  start(): void;
  stop(): void;
}

/**
 * A model before its parts exist: how many owners a key has (membership builds the ring and the
 * trees with it before any strategy is made), and how to make the strategy once they do.
 */
export interface ReplicationModel {
  /** Owners per key with replication factor `factor` and `members` members. */
  ownersPerKey(factor: number, members: number): number;
  create(parts: StrategyParts): ReplicationStrategy;
}
