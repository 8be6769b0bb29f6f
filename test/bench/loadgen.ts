/**
 * The benchmark's load generator: a separate process from the store and from the orchestrator.
 * Holds one keep-alive undici Pool per node; `concurrency` client loops spread over the nodes.
 * Write phases put fresh keys with `valueBytes` values; the read phase reads keys written before.
 */
import { randomBytes } from "node:crypto";
import { Pool } from "undici";
import type { PhaseRequest, PhaseResult } from "./protocol.ts";

const pools = new Map<string, Pool>();
const written: string[] = [];
let nextKey = 0;

function pool(url: string, connections: number): Pool {
  let p = pools.get(url);
  if (!p) {
    p = new Pool(url, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    pools.set(url, p);
  }
  return p;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

async function runPhase(request: PhaseRequest): Promise<PhaseResult> {
  const perNode = Math.ceil(request.concurrency / request.urls.length);
  const targets = request.urls.map((url) => pool(url, perNode));
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

  const client = async (index: number) => {
    const target = targets[index % targets.length];
    if (!target) return;
    while (performance.now() < deadline) {
      const key = isRead
        ? (written[Math.floor(Math.random() * written.length)] ?? "")
        : `bench-${request.phase}-${nextKey++}`;
      const path = `/v1/kv/${key}`;
      const began = performance.now();
      try {
        const reply = isRead
          ? await target.request({ method: "GET", path })
          : await target.request({
              method: "PUT",
              path,
              body: value,
              headers: { "content-type": "application/octet-stream" },
            });
        const body = Buffer.from(await reply.body.arrayBuffer());
        const ms = performance.now() - began;
        const ok = reply.statusCode === 200 && (!isRead || body.length === request.valueBytes);
        record(
          String(reply.statusCode),
          ok,
          ms,
          `${request.phase} ${key}: ${reply.statusCode} ${body.subarray(0, 120)}`,
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
    void Promise.all([...pools.values()].map((p) => p.close())).then(() => process.exit(0));
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
