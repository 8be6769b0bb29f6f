/**
 * The benchmark's load generator: a separate process from the store and from the orchestrator.
 * `concurrency` client loops, each on its own keep-alive connection, spread over the nodes.
 * Write phases put fresh keys with `valueBytes` values; the read phase reads keys written before.
 */
import { randomBytes } from "node:crypto";
import { EtcdConnection } from "./etcd-connection.ts";
import { Http1Connection } from "./http1-connection.ts";
import { type PhaseRequest, type PhaseResult, preloadedKey } from "./protocol.ts";

/** One client's request: the outcome's name (an HTTP or gRPC status), whether it succeeded, a description. */
interface Outcome {
  outcome: string;
  ok: boolean;
  detail: string;
}
type Operation = (key: string, read: boolean) => Promise<Outcome>;

const connections: Array<{ close(): void }> = [];
const written: string[] = [];
let nextKey = 0;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

async function runPhase(request: PhaseRequest): Promise<PhaseResult> {
  for (const c of connections.splice(0)) c.close();
  const value = randomBytes(request.valueBytes);
  const operations =
    request.system === "etcd" ? etcdOperations(request, value) : replistoreOperations(request, value);
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let errors = 0;
  const outcomes: Record<string, number> = {};
  const errorSamples: string[] = [];
  const record = (outcome: string, ok: boolean, ms: number, detail: string) => {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (!ok) {
      errors++;
      if (errorSamples.length < 5) errorSamples.push(detail);
      return;
    }
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count++] = ms;
  };
  const isRead = request.phase === "read";
  const preloaded = request.preloadedKeys ?? 0;
  if (isRead && preloaded === 0 && written.length === 0) throw new Error("read phase before any write");
  const start = performance.now();
  const deadline = start + request.durationMs;
  // Pacing: request n may not start before start + n / rate; clients that are early wait for their slot.
  const interval = request.ratePerSec ? 1000 / request.ratePerSec : 0;
  let issued = 0;

  const client = async (index: number) => {
    const operation = operations[index];
    if (!operation) return;
    while (performance.now() < deadline) {
      if (interval > 0) {
        const slot = start + issued++ * interval;
        const wait = slot - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (performance.now() >= deadline) break;
      }
      const key = !isRead
        ? `bench-${request.phase}-${nextKey++}`
        : preloaded > 0
          ? preloadedKey(Math.floor(Math.random() * preloaded))
          : (written[Math.floor(Math.random() * written.length)] ?? "");
      const began = performance.now();
      try {
        const { outcome, ok, detail } = await operation(key, isRead);
        record(outcome, ok, performance.now() - began, `${request.phase} ${key}: ${detail}`);
        if (ok && !isRead) written.push(key);
      } catch (error) {
        const ms = performance.now() - began;
        record(
          "network",
          false,
          ms,
          `${request.phase} ${key}: ${error instanceof Error ? error.message : error}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: request.concurrency }, (_, i) => client(i)));
  const elapsedMs = performance.now() - start;
  const sorted = latencies.subarray(0, count).sort();
  return {
    kind: "result",
    phase: request.phase,
    ops: count,
    errors,
    outcomes,
    errorSamples,
    elapsedMs,
    opsPerSec: count / (elapsedMs / 1000),
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    p999Ms: percentile(sorted, 99.9),
    maxMs: percentile(sorted, 100),
  };
}

/** One keep-alive HTTP/1.1 connection per client, spread over the nodes. */
function replistoreOperations(request: PhaseRequest, value: Buffer): Operation[] {
  return Array.from({ length: request.concurrency }, (_, i) => {
    const c = new Http1Connection(request.urls[i % request.urls.length] ?? "", request.ca);
    connections.push(c);
    return async (key, read) => {
      const path = `/v1/kv/${key}`;
      const reply = read ? await c.request("GET", path) : await c.request("PUT", path, value);
      return {
        outcome: String(reply.status),
        ok: reply.status === 200 && (!read || reply.body.length === request.valueBytes),
        detail: `${reply.status} ${reply.body.subarray(0, 120)}`,
      };
    };
  });
}

/** One HTTP/2 connection per member, its calls multiplexed (as etcd's clients do), clients spread over the members. */
function etcdOperations(request: PhaseRequest, value: Buffer): Operation[] {
  const members = request.urls.map((url) => new EtcdConnection(url, request.ca));
  connections.push(...members);
  const serializable = request.etcdReads !== "linearizable";
  return Array.from({ length: request.concurrency }, (_, i) => {
    const c = members[i % members.length] as EtcdConnection;
    return async (key, read) => {
      const reply = read ? await c.range(key, serializable) : await c.put(key, value);
      return {
        outcome: `grpc-${reply.status}`,
        // a Range answer holds the key-value (the value and its metadata); an empty one is a miss
        ok: reply.status === 0 && (!read || reply.body.length > request.valueBytes),
        detail: `grpc status ${reply.status} ${reply.message}`,
      };
    };
  });
}

process.on("message", (message: PhaseRequest | { kind: "exit" }) => {
  if (message.kind === "exit") {
    for (const c of connections) c.close();
    process.exit(0);
    return;
  }
  runPhase(message).then(
    (result) => process.send?.(result),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
