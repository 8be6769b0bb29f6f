/** The local store the benches measure: durable, W=2 R=2, peers on their own port as the operator runs them. */
import { type Store, startStore } from "../support/store.ts";

/** `factor` (N) defaults to every node. */
export function startBenchStore(
  nodes: number,
  tls: boolean,
  valueBytes: number,
  factor = nodes,
): Promise<Store> {
  return startStore({
    nodes,
    factor,
    writeQuorum: 2,
    readQuorum: 2,
    proxy: false,
    tls,
    // as the operator runs nodes: peer routes on a listener of their own
    peerPort: true,
    config: { limits: { maxValueBytes: Math.max(1024 * 1024, valueBytes) } },
  });
}
