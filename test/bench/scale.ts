/**
 * `npm run bench:scale`: how cost grows. Each series starts fresh local stores (durable, TLS on by
 * default, W=2 R=2) and drives them from the Go load generator (hack/loadgen), 64 clients:
 *
 * - nodes: 3, 5 and 7 nodes with N=3: writes and reads per second, p99, server CPU per 1,000 ops;
 * - values: 1 KiB, 64 KiB and 1 MiB values on 3 nodes: ops/s, MiB/s, p99;
 * - keys: 3 nodes empty, then with --keys (1,000,000) keys of 1 KiB, once written through the
 *   client API and once bulk-loaded through the repair route: writes, reads spread over every
 *   key, RssAnon and RssFile per node;
 * - topologies: multi-leader lag p99 at --rate (5,000) writes/s for AllToAll, Star and Circle with
 *   3 and 5 leaders (the Node load generator, which paces).
 *
 * Prints each series as a table, writes one SVG chart per figure and scale.json into --out
 * (docs/performance), and one JSON line.
 *
 *   npm run bench:scale -- [--only nodes,values,keys,topologies] [--keys 1000000] [--out DIR]
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Store } from "../support/store.ts";
import { startBenchStore } from "./bench-store.ts";
import { loadOptions, loadSettings, oneOf, parseOrExit, positiveWhole } from "./flags.ts";
import { GoPhaseRunner, goLoadgenBinary } from "./go-phase-runner.ts";
import { type Measured, measure, type Target } from "./measure.ts";
import { runMultiLeaderBench, type Topology } from "./multi-leader.ts";
import { fixed } from "./phase-runner.ts";
import { type Chart, type Point, writeCharts } from "./plot.ts";
import { memoryOf } from "./proc-stats.ts";
import { bulkLoad } from "./repair-data.ts";

const SERIES = ["nodes", "values", "keys", "topologies"] as const;

const { values: flags } = parseOrExit(() =>
  parseArgs({
    options: {
      ...loadOptions("2"),
      only: { type: "string", default: SERIES.join(",") },
      keys: { type: "string", default: "1000000" },
      rate: { type: "string", default: "5000" },
      out: { type: "string", default: "docs/performance" },
      help: { type: "boolean", short: "h" },
    },
  }),
);
if (flags.help) {
  console.log(
    `usage: npm run bench:scale -- [--only ${SERIES.join(",")}] [--duration SECONDS per phase (10)] [--warmup SECONDS (2)] [--concurrency N (64)] [--tls on|off (on)] [--keys N for the keys series (1000000)] [--rate WRITES/S for the topologies series (5000)] [--out DIR for the charts and scale.json (docs/performance)]`,
  );
  process.exit(0);
}
const only = new Set((flags.only ?? "").split(",").map((s) => oneOf("only", s.trim(), SERIES)));
const { tls, durationMs, warmupMs, concurrency } = loadSettings(flags);
const keyCount = positiveWhole("keys", flags.keys);
const ratePerSec = positiveWhole("rate", flags.rate);
const KiB = 1024;
const MiB = 1024 * KiB;

const goBinary = goLoadgenBinary();

interface LoadPoint {
  label: string;
  valueBytes: number;
  write: Measured;
  read: Measured;
  /** per node, after the run */
  memory: Array<{ rssAnonBytes: number; rssFileBytes: number }>;
}

const row = (label: string, phase: string, m: Measured, valueBytes: number) =>
  `  ${label.padEnd(16)} ${phase.padEnd(6)} ${fixed(m.opsPerSec, 0).padStart(7)} ops/s ${fixed((m.opsPerSec * valueBytes) / MiB, 1).padStart(7)} MiB/s  p50 ${fixed(m.p50Ms).padStart(7)}  p99 ${fixed(m.p99Ms).padStart(7)} ms  CPU ${fixed(m.cpuMsPer1000, 0).padStart(5)} ms/1k ops  errors ${m.errors}`;

/**
 * Warm-up, writes of fresh keys, then reads: of `preloadedKeys` bulk-loaded ones when given, else
 * of every key this runner wrote, `fillKeys` written through the client API first among them.
 */
async function drive(
  store: Store,
  label: string,
  valueBytes: number,
  { preloadedKeys = 0, fillKeys = 0 }: { preloadedKeys?: number; fillKeys?: number } = {},
): Promise<LoadPoint> {
  const target: Target = {
    urls: store.urls,
    ...(store.tls ? { ca: store.tls.caPem } : {}),
    pids: store.ids.map((_, i) => store.node(i).pid ?? 0),
  };
  const runner = new GoPhaseRunner(goBinary);
  try {
    const base = { concurrency, valueBytes, ...(preloadedKeys > 0 ? { preloadedKeys } : {}) };
    await fill(runner, target, base, fillKeys);
    if (warmupMs > 0) await measure(runner, target, { ...base, phase: "warmup", durationMs: warmupMs });
    const write = (await measure(runner, target, { ...base, phase: "write", durationMs })).measured;
    console.log(row(label, "writes", write, valueBytes));
    const read = (await measure(runner, target, { ...base, phase: "read", durationMs })).measured;
    console.log(row(label, "reads", read, valueBytes));
    runner.exit();
    const memory = target.pids.map((pid) => {
      const m = memoryOf(pid);
      return { rssAnonBytes: m?.rssAnonBytes ?? 0, rssFileBytes: m?.rssFileBytes ?? 0 };
    });
    return { label, valueBytes, write, read, memory };
  } catch (error) {
    runner.kill();
    throw error;
  }
}

/** Writes at least `keys` keys through the client API, in 10 s phases, showing progress. */
async function fill(
  runner: GoPhaseRunner,
  target: Target,
  base: { concurrency: number; valueBytes: number },
  keys: number,
): Promise<void> {
  if (keys <= 0) return;
  const began = Date.now();
  let written = 0;
  while (written < keys) {
    const { result } = await measure(runner, target, { ...base, phase: "write", durationMs: 10_000 });
    if (result.errors > 0) throw new Error(`filling the store: ${result.errorSamples.join("; ")}`);
    written += result.ops;
    console.log(`  written ${written.toLocaleString("en")} of ${keys.toLocaleString("en")} keys`);
  }
  console.log(`  written through the API: ${fixed((Date.now() - began) / 1000, 1)} s`);
}

async function withStore<T>(
  nodes: number,
  valueBytes: number,
  run: (store: Store) => Promise<T>,
  factor = 3,
): Promise<T> {
  const store = await startBenchStore(nodes, tls, valueBytes, factor);
  try {
    return await run(store);
  } catch (error) {
    console.error(store.dumpLogs(30));
    throw error;
  } finally {
    await store.cleanup();
  }
}

/** Throughput and p99 charts of a series of load points, x taken from each point. */
function loadCharts(
  name: string,
  what: string,
  points: Array<{ x: number | string; point: LoadPoint }>,
  xTitle: string,
  xScale: Chart["xScale"],
  perSecond: "ops" | "MiB",
): Record<string, Chart> {
  const rate = (m: Measured, valueBytes: number) =>
    perSecond === "ops" ? m.opsPerSec : (m.opsPerSec * valueBytes) / MiB;
  const throughput: Point[] = [];
  const p99: Point[] = [];
  for (const { x, point } of points) {
    throughput.push({ x, y: rate(point.write, point.valueBytes), series: "writes" });
    throughput.push({ x, y: rate(point.read, point.valueBytes), series: "reads (R=2)" });
    p99.push({ x, y: point.write.p99Ms, series: "writes" });
    p99.push({ x, y: point.read.p99Ms, series: "reads (R=2)" });
  }
  const subtitle = `${what}; W=2 R=2, TLS ${tls ? "on" : "off"}, ${concurrency} clients, ${durationMs / 1000} s per phase`;
  return {
    [`${name}-throughput`]: {
      title: `Throughput by ${xTitle.toLowerCase()}`,
      subtitle,
      xTitle,
      yTitle: perSecond === "ops" ? "operations/s" : "MiB/s",
      points: throughput,
      ...(xScale ? { xScale } : {}),
    },
    [`${name}-p99`]: {
      title: `p99 latency by ${xTitle.toLowerCase()}`,
      subtitle,
      xTitle,
      yTitle: "p99 (ms)",
      points: p99,
      ...(xScale ? { xScale } : {}),
    },
  };
}

const results: Record<string, unknown> = {};
const charts: Record<string, Chart> = {};
const started = Date.now();
const step = (what: string) => console.log(`\n[${((Date.now() - started) / 1000).toFixed(0)} s] ${what}`);

if (only.has("nodes")) {
  step("nodes: 3, 5 and 7 nodes, N=3, 1 KiB values");
  const points: Array<{ x: number; point: LoadPoint }> = [];
  for (const nodes of [3, 5, 7]) {
    points.push({
      x: nodes,
      point: await withStore(nodes, KiB, (store) => drive(store, `${nodes} nodes`, KiB)),
    });
  }
  results.nodes = points.map(({ x, point }) => ({ nodes: x, ...point }));
  Object.assign(charts, loadCharts("nodes", "N=3, 1 KiB values", points, "Nodes", "linear", "ops"));
}

if (only.has("values")) {
  step("values: 1 KiB, 64 KiB and 1 MiB on 3 nodes");
  const points: Array<{ x: string; point: LoadPoint }> = [];
  for (const [label, size] of [
    ["1 KiB", KiB],
    ["64 KiB", 64 * KiB],
    ["1 MiB", MiB],
  ] as const) {
    points.push({ x: label, point: await withStore(3, size, (store) => drive(store, label, size)) });
  }
  results.values = points.map(({ point }) => point);
  Object.assign(charts, loadCharts("values", "3 nodes, N=3", points, "Value size", "ordinal", "MiB"));
}

if (only.has("keys")) {
  step(`keys: 3 nodes, empty and then with ${keyCount.toLocaleString("en")} keys of 1 KiB`);
  const points: Array<{ x: string; point: LoadPoint }> = [];
  const count = keyCount % 1_000_000 === 0 ? `${keyCount / 1_000_000}M` : keyCount.toLocaleString("en");
  const written = `${count} written`;
  const loaded = `${count} bulk-loaded`;
  await withStore(3, KiB, async (store) => {
    points.push({ x: "empty", point: await drive(store, "empty", KiB) });
  });
  // The same count through the client API, as an application would write it: memory as keys grow.
  await withStore(3, KiB, async (store) => {
    points.push({ x: written, point: await drive(store, written, KiB, { fillKeys: keyCount }) });
  });
  let loadSeconds = 0;
  await withStore(3, KiB, async (store) => {
    const began = Date.now();
    let shown = 0;
    await bulkLoad(store, keyCount, KiB, 5_000, (done) => {
      if (done - shown >= keyCount / 10 || done === keyCount) {
        shown = done;
        console.log(`  loaded ${done.toLocaleString("en")} of ${keyCount.toLocaleString("en")} keys`);
      }
    });
    loadSeconds = (Date.now() - began) / 1000;
    console.log(`  bulk load: ${fixed(loadSeconds, 1)} s`);
    points.push({ x: loaded, point: await drive(store, loaded, KiB, { preloadedKeys: keyCount }) });
  });
  for (const { point } of points) {
    const anon = Math.max(...point.memory.map((m) => m.rssAnonBytes)) / MiB;
    const file = Math.max(...point.memory.map((m) => m.rssFileBytes)) / MiB;
    console.log(
      `  ${point.label.padEnd(16)} RssAnon at most ${fixed(anon, 0)} MiB, RssFile ${fixed(file, 0)} MiB per node`,
    );
  }
  results.keys = { keyCount, bulkLoadSeconds: loadSeconds, points: points.map(({ point }) => point) };
  Object.assign(
    charts,
    loadCharts(
      "keys",
      `3 nodes, N=3, 1 KiB values; reads spread over every loaded key`,
      points,
      "Keys in the store",
      "ordinal",
      "ops",
    ),
  );
  charts["keys-memory"] = {
    title: "Memory per node by keys in the store",
    subtitle: "largest of 3 nodes after the run; RssFile: LMDB pages in the page cache",
    xTitle: "Keys in the store",
    yTitle: "MiB",
    xScale: "ordinal",
    points: points.flatMap(({ x, point }) => [
      { x, y: Math.max(...point.memory.map((m) => m.rssAnonBytes)) / MiB, series: "RssAnon" },
      { x, y: Math.max(...point.memory.map((m) => m.rssFileBytes)) / MiB, series: "RssFile" },
    ]),
  };
}

if (only.has("topologies")) {
  step(`topologies: multi-leader lag at ${ratePerSec} writes/s`);
  const lag: Array<{
    topology: Topology;
    leaders: number;
    lagP50Ms?: number;
    lagP99Ms?: number;
    opsPerSec: number;
    writeP99Ms: number;
  }> = [];
  for (const leaders of [3, 5]) {
    for (const topology of ["AllToAll", "Star", "Circle"] as const) {
      const r = await runMultiLeaderBench({
        leaders,
        topology,
        tls,
        maxPhase: false,
        durationMs,
        warmupMs,
        concurrency,
        valueBytes: KiB,
        ratePerSec,
      });
      lag.push({
        topology,
        leaders,
        ...(r.paced.lagP50Ms === undefined ? {} : { lagP50Ms: r.paced.lagP50Ms }),
        ...(r.paced.lagP99Ms === undefined ? {} : { lagP99Ms: r.paced.lagP99Ms }),
        opsPerSec: r.paced.load.opsPerSec,
        writeP99Ms: r.paced.load.p99Ms,
      });
    }
  }
  results.topologies = { ratePerSec, lag };
  charts["multileader-lag"] = {
    title: `Multi-leader replication lag p99 at ${ratePerSec.toLocaleString("en")} writes/s`,
    subtitle: `accepted on a leader to applied on another; W=1, TLS ${tls ? "on" : "off"}, 1 KiB values`,
    xTitle: "Topology",
    yTitle: "lag p99 (ms)",
    xScale: "ordinal",
    points: lag.map((l) => ({ x: l.topology, y: l.lagP99Ms ?? 0, series: `${l.leaders} leaders` })),
  };
}

const figures = {
  bench: "scale",
  date: new Date().toISOString(),
  tls,
  concurrency,
  durationSec: durationMs / 1000,
  ...results,
};
const written = await writeCharts(flags.out, charts);
await writeFile(join(flags.out, "scale.json"), `${JSON.stringify(figures, null, 2)}\n`);
console.log(
  `\n[${((Date.now() - started) / 1000).toFixed(0)} s] wrote ${[...written, join(flags.out, "scale.json")].join(", ")}`,
);
console.log(JSON.stringify(figures));
process.exit(0);
