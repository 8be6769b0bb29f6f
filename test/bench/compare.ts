/**
 * `npm run bench:compare`: replistore and etcd side by side under the same load, in one run.
 *
 * Both run 3 members on loopback with durable acknowledgement (replistore N=3 W=2 R=2 with LMDB
 * synced; etcd with its default fsync per commit), both with TLS on by default (clients over https,
 * members authenticating each other with certificates). One load generator process per system
 * (hack/loadgen in Go by default, loadgen.ts with --loadgen node) drives `concurrency` clients: a warm-up, writes of fresh keys, then reads of the keys
 * written (etcd: serializable, then linearizable). For each phase it prints ops/s, p50/p99/p99.9,
 * the servers' CPU per 1,000 operations (all members together), the machine's busy share, and after
 * the run RssAnon and RssFile per member; then the ratios, the issue's goals met or not, and one
 * JSON line with everything.
 *
 * The machine's speed drifts between runs (the same run gave 5,500 and 9,100 replistore writes/s an
 * hour apart), so `--rounds N` alternates the two systems N times and reports each figure's median.
 *
 *   npm run bench:compare -- [--duration 10] [--warmup 3] [--concurrency 64] [--value-size 1024] [--tls on|off] [--rounds 1] [--loadgen go|node]
 */
import { execFileSync } from "node:child_process";
import { availableParallelism, cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { type EtcdCluster, startEtcdCluster } from "../support/etcd-cluster.ts";
import { startBenchStore } from "./bench-store.ts";
import { loadOptions, loadSettings, oneOf, parseOrExit, positiveWhole } from "./flags.ts";
import { GoPhaseRunner, goLoadgenBinary } from "./go-phase-runner.ts";
import { type Measured, measure, type Target } from "./measure.ts";
import { fixed, type LoadRunner, PhaseRunner } from "./phase-runner.ts";
import { cpuSecondsOf, memoryOf } from "./proc-stats.ts";
import type { PhaseResult } from "./protocol.ts";

const { values: flags } = parseOrExit(() =>
  parseArgs({
    options: {
      ...loadOptions("3"),
      rounds: { type: "string", default: "1" },
      loadgen: { type: "string", default: "go" },
      help: { type: "boolean", short: "h" },
    },
  }),
);
if (flags.help) {
  console.log(
    "usage: npm run bench:compare -- [--duration SECONDS per phase (10)] [--warmup SECONDS (3)] [--concurrency N (64)] [--value-size BYTES (1024)] [--tls on|off (on)] [--rounds N (1): alternate the systems N times and report the median of each figure] [--loadgen go|node (go)]",
  );
  process.exit(0);
}
const loadgen = oneOf("loadgen", flags.loadgen, ["go", "node"]);
/** The Go generator (hack/loadgen): net/http and etcd's own clientv3, each about as cheap as the other. */
const goBinary = loadgen === "go" ? goLoadgenBinary() : undefined;
const newRunner = (): LoadRunner => (goBinary ? new GoPhaseRunner(goBinary) : new PhaseRunner());
const { tls, durationMs, warmupMs, concurrency, valueBytes } = loadSettings(flags);
const rounds = positiveWhole("rounds", flags.rounds);
const MEMBERS = 3;

interface SystemRun {
  system: string;
  write: Measured;
  reads: Record<string, Measured>;
  members: Array<{ rssAnonBytes: number; rssFileBytes: number; peakRssBytes: number }>;
  loadgenCpuSeconds: number;
  /** the load generator's own CPU per 1,000 operations: what the client costs, taken from the servers */
  loadgenCpuMsPer1000: number;
}

function report(system: string, phase: string, r: PhaseResult, m: Measured): void {
  console.log(
    `  ${phase.padEnd(22)} ${fixed(m.opsPerSec, 0).padStart(7)} ops/s  p50 ${fixed(m.p50Ms).padStart(6)}  p99 ${fixed(m.p99Ms).padStart(6)}  p99.9 ${fixed(m.p999Ms).padStart(7)} ms  CPU ${fixed(m.cpuMsPer1000, 0).padStart(4)} ms/1k ops  busy ${fixed(m.machineBusyPct, 0)}%  errors ${m.errors}`,
  );
  if (r.errors > 0)
    console.log(
      `    ${system} ${phase} outcomes ${JSON.stringify(r.outcomes)}: ${r.errorSamples.join("; ")}`,
    );
}

async function drive(
  system: "replistore" | "etcd",
  target: Target,
  readModes: Array<{ label: string; etcdReads?: "serializable" | "linearizable" }>,
): Promise<SystemRun> {
  const runner = newRunner();
  try {
    const base = { system, concurrency, valueBytes } as const;
    let ops = 0;
    if (warmupMs > 0) {
      const warm = await runner.run({
        ...base,
        phase: "warmup",
        urls: target.urls,
        ...(target.ca ? { ca: target.ca } : {}),
        durationMs: warmupMs,
      });
      ops += warm.ops;
    }
    const write = await measure(runner, target, { ...base, phase: "write", durationMs });
    ops += write.result.ops;
    report(system, "writes", write.result, write.measured);
    const reads: Record<string, Measured> = {};
    for (const mode of readModes) {
      const read = await measure(runner, target, {
        ...base,
        phase: "read",
        durationMs,
        ...(mode.etcdReads ? { etcdReads: mode.etcdReads } : {}),
      });
      report(system, `reads (${mode.label})`, read.result, read.measured);
      reads[mode.label] = read.measured;
      ops += read.result.ops;
    }
    const loadgenCpuSeconds = cpuSecondsOf(runner.pid) ?? 0;
    runner.exit();
    const members = target.pids.map((pid) => {
      const m = memoryOf(pid);
      return {
        rssAnonBytes: m?.rssAnonBytes ?? 0,
        rssFileBytes: m?.rssFileBytes ?? 0,
        peakRssBytes: m?.peakRssBytes ?? 0,
      };
    });
    const mib = (b: number) => fixed(b / 1024 / 1024, 0);
    console.log(
      `  load generator CPU ${fixed(loadgenCpuSeconds, 1)} s, ${fixed((loadgenCpuSeconds * 1e6) / Math.max(1, ops), 0)} ms per 1k ops (taken from the same cores as the servers)`,
    );
    console.log(
      `  memory per member: ${members.map((m) => `RssAnon ${mib(m.rssAnonBytes)} MiB, RssFile ${mib(m.rssFileBytes)} MiB`).join(" | ")}`,
    );
    const loadgenCpuMsPer1000 = ops > 0 ? (loadgenCpuSeconds * 1e6) / ops : 0;
    return { system, write: write.measured, reads, members, loadgenCpuSeconds, loadgenCpuMsPer1000 };
  } catch (error) {
    runner.kill();
    throw error;
  }
}

async function runReplistore(): Promise<SystemRun> {
  console.log(`replistore: ${MEMBERS} nodes, N=3 W=2 R=2, durable, TLS ${tls ? "on" : "off"}`);
  const store = await startBenchStore(MEMBERS, tls, valueBytes);
  try {
    const target: Target = {
      urls: store.urls,
      ...(store.tls ? { ca: store.tls.caPem } : {}),
      pids: store.ids.map((_, i) => store.node(i).pid ?? 0),
    };
    return await drive("replistore", target, [{ label: "R=2" }]);
  } catch (error) {
    console.error(store.dumpLogs(30));
    throw error;
  } finally {
    await store.cleanup();
  }
}

async function runEtcd(): Promise<SystemRun & { version: string }> {
  let cluster: EtcdCluster | undefined;
  try {
    cluster = await startEtcdCluster({ members: MEMBERS, tls });
    console.log(`etcd ${cluster.version}: ${MEMBERS} members, fsync per commit, TLS ${tls ? "on" : "off"}`);
    const target: Target = {
      urls: cluster.clientUrls,
      ...(cluster.caPem ? { ca: cluster.caPem } : {}),
      pids: cluster.pids,
    };
    const run = await drive("etcd", target, [
      { label: "serializable", etcdReads: "serializable" },
      { label: "linearizable", etcdReads: "linearizable" },
    ]);
    return { ...run, version: cluster.version };
  } finally {
    await cluster?.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function medianMeasured(list: Measured[]): Measured {
  const pick = (f: keyof Measured) => median(list.map((m) => m[f]));
  return {
    opsPerSec: pick("opsPerSec"),
    p50Ms: pick("p50Ms"),
    p99Ms: pick("p99Ms"),
    p999Ms: pick("p999Ms"),
    errors: list.reduce((n, m) => n + m.errors, 0),
    cpuMsPer1000: pick("cpuMsPer1000"),
    machineBusyPct: pick("machineBusyPct"),
  };
}

/** Each figure's median over the rounds (memory: the highest seen, as a limit is about the worst). */
function medianRun(list: SystemRun[]): SystemRun {
  const first = list[0] as SystemRun;
  const labels = Object.keys(first.reads);
  return {
    system: first.system,
    write: medianMeasured(list.map((x) => x.write)),
    reads: Object.fromEntries(
      labels.map((l) => [l, medianMeasured(list.map((x) => x.reads[l] as Measured))]),
    ),
    members: first.members.map((_, i) => ({
      rssAnonBytes: Math.max(...list.map((x) => x.members[i]?.rssAnonBytes ?? 0)),
      rssFileBytes: Math.max(...list.map((x) => x.members[i]?.rssFileBytes ?? 0)),
      peakRssBytes: Math.max(...list.map((x) => x.members[i]?.peakRssBytes ?? 0)),
    })),
    loadgenCpuSeconds: median(list.map((x) => x.loadgenCpuSeconds)),
    loadgenCpuMsPer1000: median(list.map((x) => x.loadgenCpuMsPer1000)),
  };
}

function commit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

const machine = `${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? "?"}), ${fixed(totalmem() / 2 ** 30, 0)} GiB`;
console.log(
  `bench:compare on ${machine}, commit ${commit()}, ${new Date().toISOString().slice(0, 10)}: ${concurrency} clients, ${valueBytes}-byte values, ${durationMs / 1000} s per phase\n`,
);

const runs: Array<{ replistore: SystemRun; etcd: SystemRun & { version: string } }> = [];
for (let round = 1; round <= rounds; round++) {
  if (rounds > 1) console.log(`round ${round} of ${rounds}`);
  const replistore = await runReplistore();
  console.log("");
  const etcd = await runEtcd();
  console.log("");
  runs.push({ replistore, etcd });
}
if (rounds > 1) console.log(`medians of ${rounds} rounds:`);
const replistore = medianRun(runs.map((x) => x.replistore));
const etcd = { ...medianRun(runs.map((x) => x.etcd)), version: runs[0]?.etcd.version ?? "" };

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
const r = replistore;
const e = etcd;
const rRead = r.reads["R=2"] as Measured;
const eSer = e.reads.serializable as Measured;
const eLin = e.reads.linearizable as Measured;
const maxAnon = Math.max(...r.members.map((m) => m.rssAnonBytes));
const rows: Array<[string, number, number, string]> = [
  ["writes/s", r.write.opsPerSec, e.write.opsPerSec, "0"],
  ["write p99 ms", r.write.p99Ms, e.write.p99Ms, "1"],
  ["write p99.9 ms", r.write.p999Ms, e.write.p999Ms, "1"],
  ["CPU ms per 1k writes", r.write.cpuMsPer1000, e.write.cpuMsPer1000, "0"],
  ["reads/s vs serializable", rRead.opsPerSec, eSer.opsPerSec, "0"],
  ["reads/s vs linearizable", rRead.opsPerSec, eLin.opsPerSec, "0"],
  ["read p99 ms vs serializable", rRead.p99Ms, eSer.p99Ms, "1"],
  ["CPU ms per 1k reads vs linearizable", rRead.cpuMsPer1000, eLin.cpuMsPer1000, "0"],
  ["load generator CPU ms per 1k ops", r.loadgenCpuMsPer1000, e.loadgenCpuMsPer1000, "0"],
  [
    "RssAnon per member, max MiB",
    maxAnon / 2 ** 20,
    Math.max(...e.members.map((m) => m.rssAnonBytes)) / 2 ** 20,
    "0",
  ],
];
console.log(`\n${"".padEnd(36)} ${"replistore".padStart(10)} ${"etcd".padStart(10)}  ratio`);
for (const [label, a, b, digits] of rows)
  console.log(
    `${label.padEnd(36)} ${fixed(a, Number(digits)).padStart(10)} ${fixed(b, Number(digits)).padStart(10)}  ${fixed(ratio(a, b))}x`,
  );

if (e.loadgenCpuMsPer1000 > 1.2 * r.loadgenCpuMsPer1000)
  console.log(
    `note: per operation the etcd client (${goBinary ? "clientv3" : "gRPC over node:http2"}) costs the load generator ${fixed(ratio(e.loadgenCpuMsPer1000, r.loadgenCpuMsPer1000), 1)}x what the replistore client (HTTP/1.1) does, on the cores the servers share: this leans the ratios towards replistore; server CPU per 1k ops does not depend on it`,
  );

const goals = [
  ["writes/s at least 2x etcd's", r.write.opsPerSec >= 2 * e.write.opsPerSec],
  ["CPU per write at most half etcd's", r.write.cpuMsPer1000 <= 0.5 * e.write.cpuMsPer1000],
  ["write p99 at most half etcd's", r.write.p99Ms <= 0.5 * e.write.p99Ms],
  ["reads/s at least etcd's serializable", rRead.opsPerSec >= eSer.opsPerSec],
  ["CPU per read at most etcd's linearizable", rRead.cpuMsPer1000 <= eLin.cpuMsPer1000],
  ["RssAnon per node at most 256 MiB", maxAnon <= 256 * 2 ** 20],
] as const;
console.log("");
for (const [goal, met] of goals) console.log(`${met ? "MET    " : "NOT MET"} ${goal}`);

console.log(
  JSON.stringify({
    bench: "compare",
    commit: commit(),
    machine,
    date: new Date().toISOString(),
    tls,
    concurrency,
    valueBytes,
    durationSec: durationMs / 1000,
    rounds: runs,
    replistore,
    etcd,
    goals: Object.fromEntries(goals),
  }),
);
const errors = r.write.errors + rRead.errors + e.write.errors + eSer.errors + eLin.errors;
process.exit(errors > 0 ? 1 : 0);
