/**
 * The multi-leader part of `npm run bench`: 3 leaders, all-to-all, W=1, under the same clients
 * and values as the leaderless phases. First as fast as the clients go, then paced at a fixed
 * rate (5,000 writes/s by default) where the floor applies: p99 replication lag under 100 ms.
 * Lag is the store's own replistore_replication_delay_seconds histogram (a write's acceptance on
 * its leader to its application on another leader), summed over the nodes for each phase.
 */
import { metricValue, parseMetrics, type Sample } from "../support/metrics.ts";
import { startStore } from "../support/store.ts";
import { buckets, delta, quantile } from "./histogram.ts";
import { fixed, PhaseRunner, phaseRow } from "./phase-runner.ts";
import { cpuSecondsOf, memoryOf } from "./proc-stats.ts";
import type { PhaseResult } from "./protocol.ts";

export const ML_FLOORS = { lagP99Ms: 100 };
const LAG = "replistore_replication_delay_seconds";

export interface MultiLeaderBenchOptions {
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  valueBytes: number;
  ratePerSec: number;
}

export interface LagPhase {
  load: PhaseResult;
  lagP50Ms: number | undefined;
  lagP99Ms: number | undefined;
  updatesApplied: number;
}

export interface MultiLeaderBenchResult {
  max: LagPhase;
  paced: LagPhase;
  nodesStats: Array<{ id: string; peakRssBytes: number; cpuSeconds: number; outbox: number }>;
  pass: { lagP99: boolean };
  errors: number;
}

async function scrape(urls: readonly string[]): Promise<Sample[][]> {
  return Promise.all(
    urls.map(async (url) => {
      const res = await fetch(`${url}/metrics`);
      return parseMetrics(await res.text());
    }),
  );
}

const applied = (scrapes: Sample[][]) =>
  scrapes.reduce((n, s) => n + (metricValue(s, `${LAG}_count`) ?? 0), 0);

export async function runMultiLeaderBench(o: MultiLeaderBenchOptions): Promise<MultiLeaderBenchResult> {
  console.log("");
  console.log(
    `multi-leader: 3 leaders, AllToAll, W=1, ${o.concurrency} clients spread over the leaders, then paced at ${o.ratePerSec} writes/s`,
  );
  const store = await startStore({
    nodes: 3,
    writeQuorum: 1,
    readQuorum: 1,
    proxy: false,
    config: {
      mode: "MultiLeader",
      multiLeader: { leaders: 3, topology: "AllToAll", hub: 0 },
      limits: { maxValueBytes: Math.max(1024 * 1024, o.valueBytes) },
    },
  });
  const runner = new PhaseRunner();
  const pids = store.ids.map((_, i) => store.node(i).pid ?? 0);
  const cpuAtStart = pids.map((pid) => cpuSecondsOf(pid) ?? 0);
  const base = { urls: store.urls, concurrency: o.concurrency, valueBytes: o.valueBytes };
  const measured = async (ratePerSec?: number): Promise<LagPhase> => {
    const before = await scrape(store.urls);
    const load = await runner.run({
      ...base,
      phase: "write",
      durationMs: o.durationMs,
      ...(ratePerSec ? { ratePerSec } : {}),
    });
    // Let the last writes of the phase arrive, so they are counted too.
    await waitCaughtUp(store.urls);
    const after = await scrape(store.urls);
    const d = delta(buckets(after, LAG), buckets(before, LAG));
    const ms = (q: number) => {
      const s = quantile(q, d);
      return s === undefined ? undefined : s * 1000;
    };
    return { load, lagP50Ms: ms(0.5), lagP99Ms: ms(0.99), updatesApplied: applied(after) - applied(before) };
  };
  try {
    if (o.warmupMs > 0) await runner.run({ ...base, phase: "warmup", durationMs: o.warmupMs });
    const max = await measured();
    const paced = await measured(o.ratePerSec);
    runner.exit();
    const statuses = await Promise.all(
      store.urls.map(
        async (url) =>
          (await (await fetch(`${url}/v1/status`)).json()) as { multiLeader: { outbox: number } },
      ),
    );
    const nodesStats = store.ids.map((id, i) => ({
      id,
      peakRssBytes: memoryOf(pids[i] ?? 0)?.peakRssBytes ?? 0,
      cpuSeconds: (cpuSecondsOf(pids[i] ?? 0) ?? 0) - (cpuAtStart[i] ?? 0),
      outbox: statuses[i]?.multiLeader.outbox ?? 0,
    }));
    const lagText = (p: LagPhase) =>
      `replication lag p50 ${p.lagP50Ms === undefined ? "-" : fixed(p.lagP50Ms)} ms  p99 ${p.lagP99Ms === undefined ? "-" : fixed(p.lagP99Ms)} ms  (${p.updatesApplied} updates applied on other leaders)`;
    console.log("");
    console.log(phaseRow(max.load, "ml-max"));
    console.log(`         ${lagText(max)}`);
    console.log(phaseRow(paced.load, `ml-${Math.round(o.ratePerSec / 1000)}k`));
    console.log(`         ${lagText(paced)}`);
    for (const r of [max.load, paced.load]) {
      if (r.errors > 0)
        console.log(`outcomes ${JSON.stringify(r.outcomes)}; e.g.\n  ${r.errorSamples.join("\n  ")}`);
    }
    for (const n of nodesStats) {
      console.log(
        `${n.id.padEnd(8)} peak RSS ${(n.peakRssBytes / 1024 / 1024).toFixed(1).padStart(7)} MiB  CPU ${fixed(n.cpuSeconds, 1)} s  outbox ${n.outbox}`,
      );
    }
    const pass = { lagP99: paced.lagP99Ms !== undefined && paced.lagP99Ms < ML_FLOORS.lagP99Ms };
    const rateOk = paced.load.opsPerSec >= o.ratePerSec * 0.95;
    console.log("");
    console.log(
      `${pass.lagP99 ? "PASS " : "BELOW"} replication lag p99 ${paced.lagP99Ms === undefined ? "-" : fixed(paced.lagP99Ms)} ms at ${fixed(paced.load.opsPerSec, 0)} writes/s (floor < ${ML_FLOORS.lagP99Ms} ms at ${o.ratePerSec}/s${rateOk ? "" : "; the paced rate was not reached"})`,
    );
    return { max, paced, nodesStats, pass, errors: max.load.errors + paced.load.errors };
  } catch (error) {
    runner.kill();
    console.error(store.dumpLogs(30));
    throw error;
  } finally {
    await store.cleanup();
  }
}

/** Until no leader has updates another leader lacks (bounded: a stuck store shows in the figures). */
async function waitCaughtUp(urls: readonly string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const lagging = await Promise.all(
      urls.map(async (url) => {
        const s = (await (await fetch(`${url}/v1/status`)).json()) as {
          multiLeader: { sendsTo: Array<{ updates: number }> };
        };
        return s.multiLeader.sendsTo.some((l) => l.updates > 0);
      }),
    );
    if (!lagging.includes(true)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
