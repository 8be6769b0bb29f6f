/** The quorum in force, as status.quorum shows it and as condition messages name it. */
import { effectiveReplication } from "../../api/quorum.ts";
import type { ReplicatedStoreSpec } from "../../api/replicated-store.ts";

export function quorumString(spec: ReplicatedStoreSpec): string {
  if (spec.mode === "MultiLeader" && spec.multiLeader) {
    const { leaders, topology, hub } = spec.multiLeader;
    return `leaders=${leaders} ${topology}${topology === "Star" ? ` hub=${hub}` : ""}`;
  }
  const q = effectiveReplication(spec);
  const eventual = q.consistency === "Eventual" ? " (Eventual)" : "";
  return `N=${q.factor} W=${q.writeQuorum} R=${q.readQuorum}${eventual}`;
}
