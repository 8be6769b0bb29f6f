import type { ClusterConfig } from "../../config/cluster-config.ts";
import { leaderlessModel } from "./leaderless-strategy.ts";
import { multiLeaderModel } from "./multileader/multi-leader-strategy.ts";
import type { ReplicationModel } from "./strategy.ts";

/** The one place the config's mode picks a replication model; the node asks once, at start. */
export function modelFor(mode: ClusterConfig["mode"]): ReplicationModel {
  return mode === "MultiLeader" ? multiLeaderModel : leaderlessModel;
}
