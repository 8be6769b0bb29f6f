/** The metric names nodes (both modes) and the operator really export, from their registries, for checking queries. */
import { NodeMetrics } from "../../../src/node/metrics/node-metrics.ts";
import { ReplicationMetrics } from "../../../src/node/metrics/replication-metrics.ts";
import { BackupMetrics } from "../../../src/operator/backup/metrics.ts";
import { OperatorMetrics } from "../../../src/operator/controller/operator-metrics.ts";

async function namesOf(registry: {
  getMetricsAsJSON(): Promise<Array<{ name: string; type: unknown }>>;
}): Promise<string[]> {
  const names: string[] = [];
  for (const m of await registry.getMetricsAsJSON()) {
    names.push(m.name);
    if (String(m.type) === "histogram") names.push(`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`);
  }
  return names;
}

export async function exportedMetricNames(): Promise<Set<string>> {
  const node = new NodeMetrics("orders-0", {
    storage: () => ({ keys: 0, bytes: 0 }),
    hints: () => ({ count: 0, bytes: 0 }),
    hintLimits: () => ({ windowMs: 0, maxBytes: 0 }),
    maxOffsetMs: () => 500,
    generation: () => 1,
    trees: () => ({ bytes: 0, sets: 0, keys: 0 }),
    conflicts: () => ({ pending: 0, oldestPendingSeconds: 0 }),
    lastRepair: () => undefined,
  });
  // A MultiLeader node registers these too.
  new ReplicationMetrics(node.registry, {
    lags: () => [],
    outboxEntries: () => 0,
    buffered: () => 0,
    isLeader: () => true,
    hub: () => undefined,
  });
  const operator = new OperatorMetrics({
    queue: () => ({ depth: 0, inFlight: 0, delayed: 0, processed: 0, failed: 0 }),
    storesByPhase: () => new Map(),
    leader: () => true,
  });
  // The backup controller registers its per-store metrics on the operator's registry.
  new BackupMetrics(operator.registry, () => []);
  return new Set([...(await namesOf(node.registry)), ...(await namesOf(operator.registry)), "up"]);
}

/** replistore_* metric names (and `up`) a PromQL expression refers to. */
export function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(replistore_[a-z0-9_]+|up)\b(?!\s*\()/g)].map((m) => m[1] ?? "");
}
