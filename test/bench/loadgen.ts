/**
 * The benchmark's load generator: a separate process from the store and from the orchestrator.
 * `concurrency` client loops, each on its own keep-alive connection, spread over the nodes.
 * Write phases put fresh keys with `valueBytes` values; the read phase reads keys written before.
 */
import { randomBytes } from "node:crypto";
import { Http1Connection } from "./http1-connection.ts";
import type { PhaseRequest, PhaseResult } from "./protocol.ts";

const connections: Http1Connection[] = [];
const written: string[] = [];
let nextKey = 0;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

async function runPhase(request: PhaseRequest): Promise<PhaseResult> {
  for (const c of connections.splice(0)) c.close();
  const targets = Array.from({ length: request.concurrency }, (_, i) => {
    const c = new Http1Connection(request.urls[i % request.urls.length] ?? "", request.ca);
    connections.push(c);
    return c;
  });
  const value = randomBytes(request.valueBytes);
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
  if (isRead && written.length === 0) throw new Error("read phase before any write");
  const start = performance.now();
  const deadline = start + request.durationMs;
  // Pacing: request n may not start before start + n / rate; clients that are early wait for their slot.
  const interval = request.ratePerSec ? 1000 / request.ratePerSec : 0;
  let issued = 0;

  const client = async (index: number) => {
    const target = targets[index];
    if (!target) return;
    while (performance.now() < deadline) {
      if (interval > 0) {
        const slot = start + issued++ * interval;
        const wait = slot - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (performance.now() >= deadline) break;
      }
      const key = isRead
        ? (written[Math.floor(Math.random() * written.length)] ?? "")
        : `bench-${request.phase}-${nextKey++}`;
      const path = `/v1/kv/${key}`;
      const began = performance.now();
      try {
        const reply = isRead ? await target.request("GET", path) : await target.request("PUT", path, value);
        const ms = performance.now() - began;
        const ok = reply.status === 200 && (!isRead || reply.body.length === request.valueBytes);
        record(
          String(reply.status),
          ok,
          ms,
          `${request.phase} ${key}: ${reply.status} ${reply.body.subarray(0, 120)}`,
        );
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
    maxMs: percentile(sorted, 100),
  };
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
