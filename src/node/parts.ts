import type { RepairSide } from "./antientropy/repair-side.ts";
import type { HybridClock } from "./clock/hlc.ts";
import type { ConflictQueue } from "./conflicts/conflict-queue.ts";
import type { HintStore } from "./hints/hint-store.ts";
import type { Membership } from "./membership/membership.ts";
import type { NodeMetrics } from "./metrics/node-metrics.ts";
import type { NodeIdentity } from "./node-state.ts";
import type { ReplicationStrategy } from "./replication/strategy.ts";
import type { LocalReplica } from "./storage/local-replica.ts";
import type { PeerCredentials } from "./tls/peer-credentials.ts";

/**
 * The parts a node is made of, with its identity, as the HTTP layer receives them. Each route
 * plugin names the few it uses (Pick<NodeParts, ...>); only the assembly (replica-node.ts) makes
 * them and knows them all.
 */
export interface NodeParts extends NodeIdentity {
  readonly clock: HybridClock;
  /** This node's copy of the data. */
  readonly storage: LocalReplica;
  /** Peers, ring, trees, handoff. */
  readonly membership: Membership;
  /** The replication model, chosen at start. */
  readonly replication: ReplicationStrategy;
  readonly conflicts: ConflictQueue;
  readonly hints: HintStore;
  readonly metrics: NodeMetrics;
  /** The node's side of the repair Job: lease, report, segment keys, tombstone purge. */
  readonly repair: RepairSide;
  /** how this node authenticates to peers (also used to reach a leader's client port) */
  readonly peerCredentials: PeerCredentials;
}
