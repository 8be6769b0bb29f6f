/**
 * `npm run bench:operator`: N ReplicatedStores (300) created at once against the real test control
 * plane, reconciled by a `replistore operator` process. Prints the time until every store has all its
 * objects and a status, the operator's API requests per store and its peak memory, then watches a
 * steady-state window (60 s, with a resync every 20 s) in which the operator must write nothing.
 * PASS/BELOW against the floors, and one JSON line.
 *
 *   npm run bench:operator -- --stores 300 --steady 60 --concurrency 4
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BACKUP_CRD_FILE, CRD_FILE } from "../../src/api/crd-yaml.ts";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../../src/api/names.ts";
import { OPERATOR_NODE_OPTIONS } from "../../src/operator/runtime-flags.ts";
import { eventually } from "../support/eventually.ts";
import { createNamespace, kubeClients, startControlPlane } from "../support/k8s/index.ts";
import { metricValue, parseMetrics } from "../support/metrics.ts";
import { CLI, REPO_ROOT } from "../support/node-process.ts";
import { freePort } from "../support/ports.ts";
import { parseOrExit, positiveWhole } from "./flags.ts";
import { type Chart, writeCharts } from "./plot.ts";
import { memoryOf } from "./proc-stats.ts";

const MiB = 1024 * 1024;
const FLOORS = { seconds: 60, peakBytes: 250 * MiB, steadyWrites: 0 };

const { values: flags } = parseOrExit(() =>
  parseArgs({
    options: {
      stores: { type: "string", default: "300" },
      steady: { type: "string", default: "60" },
      concurrency: { type: "string", default: "4" },
      out: { type: "string", default: "docs/performance" },
      help: { type: "boolean", short: "h" },
    },
  }),
);
if (flags.help) {
  console.log(
    "usage: npm run bench:operator -- [--stores N (300)] [--steady SECONDS (60)] [--concurrency N (4)] [--out DIR for the charts (docs/performance)]",
  );
  process.exit(0);
}
const storeCount = positiveWhole("stores", flags.stores);
const steadySeconds = positiveWhole("steady", flags.steady);
const concurrency = positiveWhole("concurrency", flags.concurrency);

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

// Both CRDs, as the chart installs them.
const plane = await startControlPlane({
  crdFiles: [CRD_FILE, BACKUP_CRD_FILE].map((file) => join(REPO_ROOT, file)),
});
const clients = kubeClients(plane.kubeconfigPath);
const metricsPort = await freePort();
const operator = spawn(
  process.execPath,
  [
    CLI,
    "operator",
    "--kubeconfig",
    plane.kubeconfigPath,
    "--no-leader-elect",
    "--concurrency",
    String(concurrency),
    "--metrics-listen",
    `127.0.0.1:${metricsPort}`,
    "--resync",
    "20s",
    "--log-level",
    "warn",
  ],
  // The flags the Deployment runs it with (NODE_OPTIONS in charts/replistore, deploy/02-operator.yaml).
  {
    stdio: ["ignore", "inherit", "inherit"],
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: OPERATOR_NODE_OPTIONS },
  },
);
let peakRss = 0;
/** Once the stores are created: the operator's memory (MiB) each second, for the chart. */
let clock: number | undefined;
const memorySeries: Array<{ seconds: number; rssMiB: number }> = [];
const sampler = setInterval(() => {
  const m = memoryOf(operator.pid ?? 0);
  peakRss = Math.max(peakRss, m?.peakRssBytes ?? 0);
  const seconds = clock === undefined ? undefined : (performance.now() - clock) / 1000;
  if (m && seconds !== undefined && seconds >= (memorySeries.at(-1)?.seconds ?? -1) + 1)
    memorySeries.push({ seconds, rssMiB: m.rssBytes / MiB });
}, 250);
/** Stores with a status and StatefulSets over time, for the chart. */
const progress: Array<{ seconds: number; statuses: number; statefulSets: number }> = [];

async function operatorMetrics() {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const samples = parseMetrics(text);
  const sum = (name: string) => samples.filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);
  const byLabel = (name: string) =>
    samples
      .filter((x) => x.name === name && x.value > 0)
      .map((x) => `${Object.values(x.labels).join(" ")}=${x.value}`)
      .join(", ");
  return {
    heapUsed: sum("replistore_operator_nodejs_heap_size_used_bytes"),
    heapTotal: sum("replistore_operator_nodejs_heap_size_total_bytes"),
    writesBy: byLabel("replistore_operator_api_writes_total"),
    writes: sum("replistore_operator_api_writes_total"),
    reads: sum("replistore_operator_api_reads_total"),
    reconciles: sum("replistore_operator_reconciles_total"),
    errors: metricValue(samples, "replistore_operator_reconciles_total", { result: "error" }) ?? 0,
    depth: sum("replistore_operator_queue_depth"),
  };
}

function operatorCharts(steps: typeof progress, memory: typeof memorySeries): Record<string, Chart> {
  const subtitle = `${storeCount} ReplicatedStores created at once on the test control plane, --concurrency ${concurrency}`;
  return {
    "operator-reconcile": {
      title: `Reconciling ${storeCount} stores`,
      subtitle,
      xTitle: "seconds since the first create",
      yTitle: "stores",
      points: steps.flatMap((p) => [
        { x: p.seconds, y: p.statuses, series: "with a status" },
        { x: p.seconds, y: p.statefulSets, series: "with a StatefulSet" },
      ]),
    },
    "operator-memory": {
      title: `Operator memory while reconciling ${storeCount} stores`,
      subtitle: `${subtitle}; RSS of the operator process, then the steady state`,
      xTitle: "seconds since the first create",
      yTitle: "RSS (MiB)",
      points: memory.map((m) => ({ x: m.seconds, y: m.rssMiB, series: "operator RSS" })),
    },
  };
}

let exitCode = 0;
try {
  await eventually(async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status === 200, {
    timeoutMs: 60_000,
    what: "operator ready",
  });
  const namespace = await createNamespace(clients, "bench");
  const names = Array.from({ length: storeCount }, (_, i) => `store-${String(i).padStart(4, "0")}`);

  const start = performance.now();
  clock = start;
  await pool(names, 32, async (name) => {
    await clients.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      body: { apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec: { replicas: 3 } },
    });
  });
  const createdMs = performance.now() - start;
  console.log(`created ${storeCount} ReplicatedStores in ${secs(createdMs)}`);

  const selector = "app.kubernetes.io/managed-by=replistore-operator";
  let reconciledMs = 0;
  for (;;) {
    const [stores, sets, maps, services, budgets, crons, policies] = await Promise.all([
      clients.custom.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
      }),
      clients.apps.listNamespacedStatefulSet({ namespace, labelSelector: selector }),
      clients.core.listNamespacedConfigMap({ namespace, labelSelector: selector }),
      clients.core.listNamespacedService({ namespace, labelSelector: selector }),
      clients.policy.listNamespacedPodDisruptionBudget({ namespace, labelSelector: selector }),
      clients.batch.listNamespacedCronJob({ namespace, labelSelector: selector }),
      clients.networking.listNamespacedNetworkPolicy({ namespace, labelSelector: selector }),
    ]);
    const items = (stores as { items: { status?: { observedGeneration?: number } }[] }).items;
    const withStatus = items.filter((s) => s.status?.observedGeneration === 1).length;
    // Per store: its StatefulSet, config and CA-bundle ConfigMaps, client and headless Services,
    // PodDisruptionBudget, repair CronJob and NetworkPolicy (TLS Auto, the default, adds the CA bundle).
    const counts = {
      statefulSets: sets.items.length,
      configMaps: maps.items.length,
      services: services.items.length,
      budgets: budgets.items.length,
      cronJobs: crons.items.length,
      networkPolicies: policies.items.length,
    };
    const expected = {
      statefulSets: 1,
      configMaps: 2,
      services: 2,
      budgets: 1,
      cronJobs: 1,
      networkPolicies: 1,
    };
    const complete =
      withStatus === storeCount &&
      Object.entries(expected).every(([kind, n]) => counts[kind as keyof typeof counts] === n * storeCount);
    const elapsed = performance.now() - start;
    progress.push({ seconds: elapsed / 1000, statuses: withStatus, statefulSets: sets.items.length });
    if (complete) {
      reconciledMs = elapsed;
      break;
    }
    if (process.stdout.isTTY) {
      process.stdout.write(`\r${secs(elapsed)}: ${withStatus} statuses, ${sets.items.length} StatefulSets`);
    }
    if (elapsed > 300_000)
      throw new Error(
        `not reconciled after 300 s: ${withStatus} statuses, ${JSON.stringify(counts)} (want ${storeCount} x ${JSON.stringify(expected)})`,
      );
    await sleep(500);
  }
  if (process.stdout.isTTY) process.stdout.write("\r\x1b[K");
  const atReconciled = await operatorMetrics();
  console.log(
    `all ${storeCount} stores have their 8 objects and a status after ${secs(reconciledMs)} ` +
      `(${atReconciled.reconciles} reconciles, ${atReconciled.errors} failed)`,
  );

  // Quiet before the steady window: the controller manager finishes creating pods, whose counts the
  // operator still writes into status. Wait until every StatefulSet has its pods, every store says so,
  // and the operator has written nothing for 10 s.
  await eventually(
    async () => {
      const [sets, stores] = await Promise.all([
        clients.apps.listNamespacedStatefulSet({ namespace, labelSelector: selector }),
        clients.custom.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL,
        }),
      ]);
      const podsDone = sets.items.filter((s) => s.status?.replicas === 3).length;
      const items = (stores as { items: { status?: { replicas?: number } }[] }).items;
      const statusDone = items.filter((s) => s.status?.replicas === 3).length;
      if (podsDone < storeCount || statusDone < storeCount) {
        throw new Error(`${podsDone} StatefulSets with 3 pods, ${statusDone} statuses saying so`);
      }
    },
    { timeoutMs: 600_000, intervalMs: 1_000, what: "every pod created and counted" },
  );
  let lastWrites = (await operatorMetrics()).writes;
  let quietSince = performance.now();
  while (performance.now() - quietSince < 10_000) {
    await sleep(1_000);
    const m = await operatorMetrics();
    if (m.writes !== lastWrites || m.depth > 0) {
      lastWrites = m.writes;
      quietSince = performance.now();
    }
    if (performance.now() - start > 600_000) throw new Error("the operator never went quiet");
  }
  const settled = await operatorMetrics();
  const settledMs = performance.now() - start;
  console.log(
    `settled after ${secs(settledMs)}: ${settled.writes} writes (${(settled.writes / storeCount).toFixed(1)}/store), ` +
      `${settled.reads} reads (${(settled.reads / storeCount).toFixed(2)}/store) outside the informers`,
  );

  console.log(`steady state: ${steadySeconds} s with a resync every 20 s`);
  await sleep(steadySeconds * 1000);
  const steady = await operatorMetrics();
  const steadyWrites = steady.writes - settled.writes;
  const steadyReads = steady.reads - settled.reads;
  const resyncReconciles = steady.reconciles - settled.reconciles;
  console.log(
    `steady state: ${resyncReconciles} reconciles, ${steadyWrites} writes, ${steadyReads} reads in ${steadySeconds} s`,
  );
  if (steadyWrites > 0)
    console.log(`  writes before: ${settled.writesBy}\n  writes after:  ${steady.writesBy}`);
  peakRss = Math.max(peakRss, memoryOf(operator.pid ?? 0)?.peakRssBytes ?? 0);
  const rss = memoryOf(operator.pid ?? 0)?.rssBytes ?? 0;
  console.log(
    `operator memory: peak ${mib(peakRss)}, now ${mib(rss)} (V8 heap ${mib(steady.heapUsed)} used of ${mib(steady.heapTotal)})`,
  );

  const floors = {
    seconds: reconciledMs / 1000 <= FLOORS.seconds,
    memory: peakRss > 0 && peakRss < FLOORS.peakBytes,
    steady: steadyWrites === FLOORS.steadyWrites && resyncReconciles >= storeCount,
  };
  const verdict = (ok: boolean) => (ok ? "PASS " : "BELOW");
  console.log("");
  console.log(
    `${verdict(floors.seconds)} all ${storeCount} reconciled in ${secs(reconciledMs)} (floor <= 60 s)`,
  );
  console.log(`${verdict(floors.memory)} operator peak memory ${mib(peakRss)} (floor < 250 MiB)`);
  console.log(
    `${verdict(floors.steady)} ${steadyWrites} writes in the steady state over ${resyncReconciles} resync reconciles (floor: 0 writes, every store resynced)`,
  );
  if (!floors.seconds || !floors.memory || !floors.steady) exitCode = 1;
  const written = await writeCharts(flags.out, operatorCharts(progress, memorySeries));
  console.log(`wrote ${written.join(", ")}`);
  console.log(
    JSON.stringify({
      bench: "operator",
      stores: storeCount,
      concurrency,
      createSeconds: createdMs / 1000,
      reconciledSeconds: reconciledMs / 1000,
      settledSeconds: settledMs / 1000,
      writesPerStore: settled.writes / storeCount,
      readsPerStore: settled.reads / storeCount,
      steadySeconds,
      steadyReconciles: resyncReconciles,
      steadyWrites,
      steadyReads,
      peakRssBytes: peakRss,
      floors,
    }),
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  exitCode = 1;
} finally {
  clearInterval(sampler);
  operator.kill("SIGTERM");
  await new Promise((resolve) => operator.once("exit", resolve));
  await plane.stop();
}
process.exit(exitCode);
