/** Messages between the bench orchestrator (quorum.ts) and its load generator child (loadgen.ts). */

export interface PhaseRequest {
  kind: "phase";
  phase: "warmup" | "write" | "read";
  urls: string[];
  /** the store's CA, for https URLs */
  ca?: string;
  durationMs: number;
  concurrency: number;
  valueBytes: number;
  /** Pace requests to this many per second in total; unset: as fast as the clients go. */
  ratePerSec?: number;
  /** What the URLs are: replistore nodes (the default) or etcd members (gRPC, see etcd-connection.ts). */
  system?: "replistore" | "etcd";
  /**
   * Read phases read random keys among this many bulk-loaded ones (repair-data.ts's keyOf(0..n-1))
   * instead of the keys earlier phases wrote: a read load spread over a large store.
   */
  preloadedKeys?: number;
  /** etcd reads: serializable (the member's own state) or linearizable (through the leader's quorum). */
  etcdReads?: "serializable" | "linearizable";
}

export interface PhaseResult {
  kind: "result";
  phase: PhaseRequest["phase"];
  ops: number;
  errors: number;
  /** count of replies by HTTP status, and "network" for failed connections */
  outcomes: Record<string, number>;
  /** first few error descriptions */
  errorSamples: string[];
  elapsedMs: number;
  opsPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** The name of the i-th bulk-loaded key (repair-data.ts); hack/loadgen's preloadedKey spells it the same. */
export const preloadedKey = (i: number) => `bench-${i.toString(36).padStart(5, "0")}`;
