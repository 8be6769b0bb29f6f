/** N, W and R as the store will use them, with the defaults that depend on other fields. */
import type { ReplicatedStoreSpec } from "./replicated-store.ts";

export interface EffectiveReplication {
  factor: number;
  writeQuorum: number;
  readQuorum: number;
  consistency: "Strong" | "Eventual";
}

/** A majority of N: the smallest W (and R) such that W + R > N. */
export function majority(factor: number): number {
  return Math.floor(factor / 2) + 1;
}

type ReplicationInput = Pick<ReplicatedStoreSpec, "replicas" | "replication">;

export function effectiveReplication(spec: ReplicationInput): EffectiveReplication {
  const { replication } = spec;
  const factor = replication.factor ?? spec.replicas;
  return {
    factor,
    writeQuorum: replication.writeQuorum ?? majority(factor),
    readQuorum: replication.readQuorum ?? majority(factor),
    consistency: replication.consistency,
  };
}
