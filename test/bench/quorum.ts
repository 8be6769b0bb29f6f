/**
 * `npm run bench`: a local 3-node store (N=3, W=2, R=2, durable LMDB storage) driven by a separate
 * load-generator process: a write phase, then a read phase over the written keys; then the
 * multi-leader phases (multi-leader.ts). Prints ops/s, p50/p99 latency, replication lag, errors and
 * peak RSS per node, PASS/BELOW against the floors, and one JSON line. Exits 1 only if requests failed.
 *
 * The leaderless phases run with TLS on, the default of every store (clients and peers over https,
 * peers with mutual TLS); `--tls off` measures plain HTTP, to see what TLS costs.
 *
 *   npm run bench -- --duration 10 --concurrency 64 --value-size 1024 [--only leaderless|multi-leader] [--tls on|off]
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { startBenchStore } from "./bench-store.ts";
import { loadOptions, loadSettings, oneOf, parseOrExit, positiveNumber } from "./flags.ts";
import { type MultiLeaderBenchResult, runMultiLeaderBench } from "./multi-leader.ts";
import { fixed, PhaseRunner, phaseRow } from "./phase-runner.ts";
import { cpuSecondsOf, memoryOf } from "./proc-stats.ts";
import type { PhaseRequest, PhaseResult } from "./protocol.ts";

const FLOORS = { writesPerSec: 8_000, readsPerSec: 17_000, p99Ms: 20 };

const { values: flags } = parseOrExit(() =>
  parseArgs({
    options: {
      ...loadOptions("2"),
      nodes: { type: "string", default: "3" },
      rate: { type: "string", default: "5000" },
      only: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }),
);
if (flags.help) {
  console.log(
    "usage: npm run bench -- [--duration SECONDS per phase (10)] [--warmup SECONDS (2)] [--concurrency N (64)] [--value-size BYTES (1024)] [--nodes N (3)] [--rate WRITES/S for the paced multi-leader phase (5000)] [--only leaderless|multi-leader] [--tls on|off (on)]",
  );
  process.exit(0);
}
if (flags.only !== undefined) oneOf("only", flags.only, ["leaderless", "multi-leader"]);
const { tls, durationMs, warmupMs, concurrency, valueBytes } = loadSettings(flags);
const nodes = Math.round(positiveNumber("nodes", flags.nodes));
const ratePerSec = Math.round(positiveNumber("rate", flags.rate));

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

let exitCode = 0;
let leaderless: Record<string, unknown> | undefined;
if (flags.only !== "multi-leader") leaderless = await runLeaderless();
let multiLeader: MultiLeaderBenchResult | undefined;
if (flags.only !== "leaderless") {
  try {
    multiLeader = await runMultiLeaderBench({ durationMs, warmupMs, concurrency, valueBytes, ratePerSec });
    if (multiLeader.errors > 0) exitCode = 1;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    exitCode = 1;
  }
}
console.log(
  JSON.stringify({
    bench: "quorum",
    ...(leaderless ? { leaderless } : {}),
    ...(multiLeader
      ? {
          multiLeader: {
            ...(multiLeader.max ? { max: summarize(multiLeader.max) } : {}),
            paced: { ratePerSec, ...summarize(multiLeader.paced) },
            nodesStats: multiLeader.nodesStats,
            floors: { lagP99Ms: 100, pass: multiLeader.pass },
          },
        }
      : {}),
  }),
);
process.exit(exitCode);

function summarize(p: MultiLeaderBenchResult["paced"]) {
  const { load } = p;
  return {
    opsPerSec: load.opsPerSec,
    writeP50Ms: load.p50Ms,
    writeP99Ms: load.p99Ms,
    errors: load.errors,
    lagP50Ms: p.lagP50Ms,
    lagP99Ms: p.lagP99Ms,
    updatesApplied: p.updatesApplied,
  };
}

async function runLeaderless(): Promise<Record<string, unknown> | undefined> {
  console.log(
    `replistore bench: ${nodes} nodes (N=${nodes}, W=2, R=2, durable, TLS ${tls ? "on" : "off"}), ${concurrency} clients, ${valueBytes}-byte values, ${durationMs / 1000} s per phase`,
  );
  const store = await startBenchStore(nodes, tls, valueBytes);
  const pids = store.ids.map((_, i) => store.node(i).pid ?? 0);
  const cpuAtStart = pids.map((pid) => cpuSecondsOf(pid) ?? 0);

  const runner = new PhaseRunner();
  const phase = (name: PhaseRequest["phase"], ms: number): Promise<PhaseResult> =>
    runner.run({
      phase: name,
      urls: store.urls,
      ...(store.tls ? { ca: store.tls.caPem } : {}),
      durationMs: ms,
      concurrency,
      valueBytes,
    });

  let summary: Record<string, unknown> | undefined;
  try {
    if (warmupMs > 0) {
      const warm = await phase("warmup", warmupMs);
      console.log(`warm-up: ${warm.ops} writes, ${warm.errors} errors`);
    }
    const write = await phase("write", durationMs);
    const read = await phase("read", durationMs);
    const loadgenPid = runner.pid;
    const loadgenStats = {
      peakRssBytes: memoryOf(loadgenPid)?.peakRssBytes ?? 0,
      cpuSeconds: cpuSecondsOf(loadgenPid) ?? 0,
    };
    runner.exit();

    const perNode = store.ids.map((id, i) => {
      const pid = pids[i] ?? 0;
      return {
        id,
        pid,
        peakRssBytes: memoryOf(pid)?.peakRssBytes ?? 0,
        cpuSeconds: (cpuSecondsOf(pid) ?? 0) - (cpuAtStart[i] ?? 0),
      };
    });

    const row = (r: PhaseResult) => phaseRow(r);
    console.log("");
    console.log(row(write));
    console.log(row(read));
    for (const r of [write, read]) {
      if (r.errors > 0)
        console.log(
          `${r.phase} outcomes ${JSON.stringify(r.outcomes)}; e.g.\n  ${r.errorSamples.join("\n  ")}`,
        );
    }
    console.log("");
    for (const n of perNode)
      console.log(
        `${n.id.padEnd(8)} peak RSS ${mb(n.peakRssBytes).padStart(7)} MiB  CPU ${fixed(n.cpuSeconds, 1)} s`,
      );
    console.log(
      `loadgen  peak RSS ${mb(loadgenStats.peakRssBytes).padStart(7)} MiB  CPU ${fixed(loadgenStats.cpuSeconds, 1)} s (the machine has ${availableParallelism()} cores)`,
    );

    const verdict = (ok: boolean) => (ok ? "PASS " : "BELOW");
    const floors = {
      writesPerSec: write.opsPerSec >= FLOORS.writesPerSec,
      readsPerSec: read.opsPerSec >= FLOORS.readsPerSec,
      writeP99: write.p99Ms < FLOORS.p99Ms,
      readP99: read.p99Ms < FLOORS.p99Ms,
    };
    console.log("");
    console.log(
      `${verdict(floors.writesPerSec)} writes ${fixed(write.opsPerSec, 0)}/s (floor ${FLOORS.writesPerSec}/s)`,
    );
    console.log(
      `${verdict(floors.readsPerSec)} reads  ${fixed(read.opsPerSec, 0)}/s (floor ${FLOORS.readsPerSec}/s)`,
    );
    console.log(
      `${verdict(floors.writeP99)} write p99 ${fixed(write.p99Ms)} ms (floor < ${FLOORS.p99Ms} ms)`,
    );
    console.log(`${verdict(floors.readP99)} read p99 ${fixed(read.p99Ms)} ms (floor < ${FLOORS.p99Ms} ms)`);

    summary = {
      nodes,
      tls,
      replication: { factor: nodes, writeQuorum: 2, readQuorum: 2 },
      concurrency,
      valueBytes,
      durationSec: durationMs / 1000,
      write: {
        opsPerSec: write.opsPerSec,
        p50Ms: write.p50Ms,
        p90Ms: write.p90Ms,
        p99Ms: write.p99Ms,
        maxMs: write.maxMs,
        ops: write.ops,
        errors: write.errors,
      },
      read: {
        opsPerSec: read.opsPerSec,
        p50Ms: read.p50Ms,
        p90Ms: read.p90Ms,
        p99Ms: read.p99Ms,
        maxMs: read.maxMs,
        ops: read.ops,
        errors: read.errors,
      },
      nodesStats: perNode.map(({ id, peakRssBytes, cpuSeconds }) => ({ id, peakRssBytes, cpuSeconds })),
      loadgen: loadgenStats,
      floors: { ...FLOORS, pass: floors },
    };
    if (write.errors + read.errors > 0) exitCode = 1;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    console.error(store.dumpLogs(30));
    exitCode = 1;
    runner.kill();
  } finally {
    // A graceful stop, so nodes run with --cpu-prof (REPLISTORE_NODE_EXTRA_ARGS) write their profiles.
    await Promise.allSettled(store.ids.map((_, i) => store.stop(i)));
    await store.cleanup();
  }
  return summary;
}
