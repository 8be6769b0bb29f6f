import type { RootDatabase } from "lmdb";
import type { Logger } from "pino";
import type { ClusterConfig } from "../../config/cluster-config.ts";
import type { HybridClock } from "../clock/hlc.ts";
import type { ConflictQueue } from "../conflicts/conflict-queue.ts";
import type { HintStore } from "../hints/hint-store.ts";
import type { NodeMetrics } from "../metrics/node-metrics.ts";
import type { PeerClient } from "../peers/peer-client.ts";
import type { HashRing } from "../ring/hash-ring.ts";
import type { ApplyResult } from "../storage/kv-store.ts";
import type { VersionedRecord } from "../storage/record.ts";

/**
 * What a replication model uses of the node's parts (clock, storage, membership, hints, conflicts,
 * metrics), as the assembly (replica-node.ts) hands them over; it owns their lifetimes.
 */
export interface ReplicaContext {
  readonly selfId: string;
  readonly clock: HybridClock;
  readonly hints: HintStore;
  readonly conflicts: ConflictQueue;
  readonly metrics: NodeMetrics;
  readonly log: Logger;
  config(): ClusterConfig;
  ring(): HashRing;
  /** How many owners each key has on the ring (N, or every member in multi-leader mode). */
  ownersPerKey(): number;
  peer(id: string): PeerClient | undefined;
  /** Reads this node's copy. */
  readLocal(key: string): VersionedRecord | undefined;
  /** Stores a version on this node if newer; resolves once durable. */
  applyLocal(key: string, rec: VersionedRecord): Promise<ApplyResult>;
}

/** What a replication model is made from: the context, plus what multi-leader keeps of its own. */
export interface StrategyParts extends ReplicaContext {
  /** The LMDB environment, for a model's own durable state (the multi-leader outbox). */
  readonly root: RootDatabase;
  /** applyLocal, with writes that must commit in the same transaction (see KvStore.apply). */
  applyWith(key: string, rec: VersionedRecord, alongside: () => Promise<unknown>): Promise<ApplyResult>;
}
