/**
 * `npm run bench:repair`: a local 3-node store (N=3) bulk-loaded with 1,000,000 keys of 100 bytes,
 * then 0.1% and 1% of the keys made newer on one replica. Each divergence is repaired by the real
 * `replistore repair` process, once walking the trees and once (on a fresh divergence of the same
 * size) with --naive full comparison. Prints time, bytes exchanged and keys transferred, tree memory,
 * PASS/BELOW against the floors, and one JSON line.
 *
 *   npm run bench:repair -- --keys 1000000 --value-size 100
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { formatBytes, type RepairSummary } from "../../src/repair/summary.ts";
import { metricValue } from "../support/metrics.ts";
import { CLI, REPO_ROOT } from "../support/node-process.ts";
import { type Store, startStore } from "../support/store.ts";
import { oneOf, parseOrExit, positiveNumber, positiveWhole } from "./flags.ts";
import { type Chart, writeCharts } from "./plot.ts";
import { memoryOf } from "./proc-stats.ts";
import { bulkLoad, type Divergence, diverge, verifySample } from "./repair-data.ts";

const MiB = 1024 * 1024;
const FLOORS = { bytesFactor: 3, treeBytes: MiB, seconds: 30 };

const { values: flags } = parseOrExit(() =>
  parseArgs({
    options: {
      keys: { type: "string", default: "1000000" },
      "value-size": { type: "string", default: "100" },
      batch: { type: "string", default: "10000" },
      divergence: { type: "string", default: "0.0001,0.001,0.01" },
      tls: { type: "string", default: "on" },
      out: { type: "string", default: "docs/performance" },
      help: { type: "boolean", short: "h" },
    },
  }),
);
if (flags.help) {
  console.log(
    "usage: npm run bench:repair -- [--keys N (1000000)] [--value-size BYTES (100)] [--batch N (10000)] [--divergence FRACTIONS (0.0001,0.001,0.01)] [--tls on|off (on)] [--out DIR for the charts (docs/performance)]",
  );
  process.exit(0);
}
const keyCount = positiveWhole("keys", flags.keys);
const valueBytes = positiveWhole("value-size", flags["value-size"]);
const batch = positiveWhole("batch", flags.batch);
const tls = oneOf("tls", flags.tls, ["on", "off"]) === "on";
const fractions = flags.divergence.split(",").map((raw) => {
  const f = positiveNumber("divergence", raw.trim());
  if (f > 1) {
    console.error(`--divergence takes fractions of the keys (0.001 is 0.1%), got ${raw}`);
    process.exit(2);
  }
  return f;
});
const percent = (fraction: number) => `${Number((fraction * 100).toPrecision(3))}%`;

const mib = (bytes: number) => `${(bytes / MiB).toFixed(2)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface RunFigures {
  divergence: number;
  mode: "tree" | "naive";
  keysDivergent: number;
  divergentBytes: number;
  seconds: number;
  jobSeconds: number;
  bytesSent: number;
  bytesReceived: number;
  bytesExchanged: number;
  keysTransferred: number;
  recordsSent: number;
  keysCompared: number;
  segmentsCompared: number;
  treeNodesCompared: number;
  requests: number;
  /** Bytes exchanged per endpoint (level, keys, records, apply, ...). */
  byEndpoint: Record<string, number>;
  verified: boolean;
}

/** Runs the real CLI and returns its JSON summary and wall time (process start to exit). */
function repairProcess(store: Store, extra: string[]): Promise<{ summary: RepairSummary; ms: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      "--disable-warning=ExperimentalWarning",
      CLI,
      "repair",
      "--config",
      store.configPath,
      "-o",
      "json",
      "--no-termination-log",
      ...extra,
    ],
    {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
      // as the repair Job runs: the store's certificate makes it a peer (mutual TLS)
      env: { ...process.env, ...(store.tls ? { REPLISTORE_TLS_DIR: store.tls.dir } : {}) },
    },
  );
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once("close", (code) => {
      const ms = performance.now() - started;
      try {
        resolve({ summary: JSON.parse(stdout) as RepairSummary, ms });
      } catch {
        reject(new Error(`repair exited ${code} without a JSON summary: ${stdout.slice(0, 500)}`));
      }
    });
  });
}

/** Repair time and bytes exchanged against divergence, trees against the naive comparison. */
function divergenceCharts(runs: readonly RunFigures[]): Record<string, Chart> {
  const subtitle = `3 nodes (N=3, TLS ${tls ? "on" : "off"}), ${keyCount.toLocaleString("en-US")} keys of ${valueBytes} bytes, divergence on one node`;
  const series = (mode: RunFigures["mode"]) => (mode === "tree" ? "segment trees" : "naive (--naive)");
  const common = {
    subtitle,
    xTitle: "Divergent keys (% of all keys)",
    xScale: "log",
    yScale: "log",
  } as const;
  return {
    "repair-time": {
      ...common,
      title: "Repair time by divergence",
      yTitle: "seconds (process start to exit)",
      points: runs.map((r) => ({ x: r.divergence * 100, y: r.seconds, series: series(r.mode) })),
    },
    "repair-bytes": {
      ...common,
      title: "Bytes exchanged by divergence",
      yTitle: "MiB sent + received",
      points: runs.flatMap((r) => [
        { x: r.divergence * 100, y: r.bytesExchanged / MiB, series: series(r.mode) },
        ...(r.mode === "tree"
          ? [{ x: r.divergence * 100, y: r.divergentBytes / MiB, series: "divergent records" }]
          : []),
      ]),
    },
  };
}

console.log(
  `replistore bench:repair: 3 nodes (N=3, TLS ${tls ? "on" : "off"}), ${keyCount.toLocaleString("en-US")} keys of ${valueBytes} bytes, divergence on node-1`,
);
const store = await startStore({
  nodes: 3,
  factor: 3,
  proxy: false,
  tls,
  // as the operator runs nodes: peer routes on a listener of their own
  peerPort: true,
  readyTimeoutMs: 120_000,
  config: { limits: { maxValueBytes: Math.max(MiB, valueBytes) } },
});
let exitCode = 0;
try {
  const loadStart = performance.now();
  let lastPrint = 0;
  await bulkLoad(store, keyCount, valueBytes, batch, (done) => {
    if (process.stdout.isTTY && performance.now() - lastPrint > 1000) {
      lastPrint = performance.now();
      process.stdout.write(`\rloading ${done.toLocaleString("en-US")}/${keyCount.toLocaleString("en-US")}`);
    }
  });
  const loadMs = performance.now() - loadStart;
  if (process.stdout.isTTY) process.stdout.write("\r\x1b[K");
  console.log(
    `load: ${keyCount.toLocaleString("en-US")} keys to each of 3 nodes in ${secs(loadMs)} (${Math.round(keyCount / (loadMs / 1000)).toLocaleString("en-US")} keys/s per node)`,
  );

  const tree = [];
  for (let i = 0; i < store.size; i++) {
    const metrics = await store.client(i).metrics();
    const bytes = metricValue(metrics, "replistore_antientropy_tree_bytes") ?? 0;
    const keys = metricValue(metrics, "replistore_antientropy_tree_keys") ?? 0;
    const rss = memoryOf(store.node(i).pid ?? 0)?.rssBytes ?? 0;
    tree.push({
      node: store.id(i),
      bytes,
      keys,
      perMillionKeys: keys > 0 ? (bytes / keys) * 1e6 : 0,
      rssBytes: rss,
    });
    console.log(
      `${store.id(i)} trees ${mib(bytes)} for ${keys.toLocaleString("en-US")} keys (${mib(keys > 0 ? (bytes / keys) * 1e6 : 0)} per million keys), node RSS ${mib(rss)}`,
    );
  }

  const runs: RunFigures[] = [];
  let generation = 1;
  for (const fraction of fractions) {
    for (const mode of ["tree", "naive"] as const) {
      const n = Math.max(1, Math.round(keyCount * fraction));
      const d: Divergence = await diverge(store, 1, keyCount, n, valueBytes, generation++);
      const { summary, ms } = await repairProcess(store, mode === "naive" ? ["--naive"] : []);
      if (summary.status !== "complete")
        throw new Error(`repair ${mode} ended ${summary.status}: ${summary.error ?? ""}`);
      const problem = await verifySample(store, d);
      if (problem) {
        console.log(`NOT REPAIRED: ${problem}`);
        exitCode = 1;
      }
      const run: RunFigures = {
        divergence: fraction,
        mode,
        keysDivergent: n,
        divergentBytes: d.bytes,
        seconds: ms / 1000,
        jobSeconds: summary.durationMs / 1000,
        bytesSent: summary.bytesSent,
        bytesReceived: summary.bytesReceived,
        bytesExchanged: summary.bytesSent + summary.bytesReceived,
        keysTransferred: summary.keysRepaired,
        recordsSent: summary.recordsSent,
        keysCompared: summary.keysCompared,
        segmentsCompared: summary.segmentsCompared,
        treeNodesCompared: summary.treeNodesCompared,
        requests: summary.requests,
        byEndpoint: Object.fromEntries(
          Object.entries(summary.traffic).map(([name, t]) => [name, t.bytesSent + t.bytesReceived]),
        ),
        verified: problem === undefined,
      };
      runs.push(run);
      console.log(
        `${percent(fraction).padStart(6)} ${mode.padEnd(5)} ${secs(ms).padStart(8)} (job ${secs(summary.durationMs)})  ` +
          `exchanged ${mib(run.bytesExchanged).padStart(11)} (sent ${mib(run.bytesSent)}, received ${mib(run.bytesReceived)})  ` +
          `keys transferred ${run.keysTransferred} of ${n} divergent (${mib(d.bytes)}), ${run.recordsSent} records sent, ` +
          `${run.keysCompared.toLocaleString("en-US")} keys compared, ${run.requests} requests`,
      );
      const where = Object.entries(run.byEndpoint)
        .filter(([, bytes]) => bytes >= 1024)
        .map(([name, bytes]) => `${name} ${formatBytes(bytes)}`)
        .join(", ");
      console.log(`             by endpoint: ${where}`);
    }
  }

  const settle = await repairProcess(store, []);
  console.log(
    `follow-up repair: ${settle.summary.keysRepaired} keys repaired, ${settle.summary.setsClean}/${settle.summary.setsCompared} sets clean, ${secs(settle.ms)}`,
  );
  if (settle.summary.keysRepaired !== 0) exitCode = 1;

  // The floors are set at 0.1% divergence; a run without that point has none to check.
  const floorRun = runs.find((r) => r.divergence === 0.001 && r.mode === "tree");
  const bytesCeiling = FLOORS.bytesFactor * (floorRun?.divergentBytes ?? 0) + FLOORS.treeBytes;
  const floors = floorRun && {
    bytes: floorRun.bytesExchanged <= bytesCeiling,
    seconds: floorRun.seconds < FLOORS.seconds,
  };
  const verdict = (ok: boolean) => (ok ? "PASS " : "BELOW");
  console.log("");
  if (floorRun && floors) {
    console.log(
      `${verdict(floors.bytes)} 0.1% bytes exchanged ${mib(floorRun.bytesExchanged)} (floor <= 3 x ${mib(floorRun.divergentBytes)} + 1 MiB = ${mib(bytesCeiling)})`,
    );
    console.log(
      `${verdict(floors.seconds)} 0.1% repair time ${secs(floorRun.seconds * 1000)} (floor < ${FLOORS.seconds} s)`,
    );
  } else console.log("no 0.1% point in --divergence: the floors are not checked");
  for (const fraction of fractions) {
    const t = runs.find((r) => r.divergence === fraction && r.mode === "tree")!;
    const nv = runs.find((r) => r.divergence === fraction && r.mode === "naive")!;
    console.log(
      `${percent(fraction)}: trees exchange ${(nv.bytesExchanged / Math.max(1, t.bytesExchanged)).toFixed(1)}x fewer bytes than the naive comparison, in ${secs(t.seconds * 1000)} against ${secs(nv.seconds * 1000)}`,
    );
  }
  const written = await writeCharts(flags.out, divergenceCharts(runs));
  console.log(`wrote ${written.join(", ")}`);
  console.log(
    JSON.stringify({
      bench: "repair",
      nodes: 3,
      factor: 3,
      tls,
      keys: keyCount,
      valueBytes,
      loadSeconds: loadMs / 1000,
      tree,
      runs,
      followUpKeysRepaired: settle.summary.keysRepaired,
      floors: { bytesCeiling, seconds: FLOORS.seconds, ...(floors ? { pass: floors } : {}) },
    }),
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  console.error(store.dumpLogs(30));
  exitCode = 1;
} finally {
  await store.cleanup();
}
process.exit(exitCode);
