/**
 * The multi-leader part of `npm run bench`: 3 leaders, all-to-all, W=1, under the same clients
 * and values as the leaderless phases. First as fast as the clients go, then paced at a fixed
 * rate (5,000 writes/s by default) where the floor applies: p99 replication lag under 100 ms.
 * Lag is the store's own replistore_replication_delay_seconds histogram (a write's acceptance on
 * its leader to its application on another leader), summed over the nodes for each phase.
 */

import { type Reply, send } from "../support/client.ts";
import { metricValue, parseMetrics, type Sample } from "../support/metrics.ts";
import { type Store, startStore } from "../support/store.ts";
import { buckets, delta, quantile } from "./histogram.ts";
import { fixed, PhaseRunner, phaseRow } from "./phase-runner.ts";
import { cpuSecondsOf, memoryOf } from "./proc-stats.ts";
import type { PhaseResult } from "./protocol.ts";

export const ML_FLOORS = { lagP99Ms: 100 };
const LAG = "replistore_replication_delay_seconds";

export type Topology = "AllToAll" | "Star" | "Circle";

export interface MultiLeaderBenchOptions {
  /** default 3 leaders, AllToAll, TLS off, both phases */
  leaders?: number;
  topology?: Topology;
  tls?: boolean;
  /** run the as-fast-as-the-clients-go phase too (default true); the paced phase always runs */
  maxPhase?: boolean;
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
  max: LagPhase | undefined;
  paced: LagPhase;
  nodesStats: Array<{ id: string; peakRssBytes: number; cpuSeconds: number; outbox: number }>;
  pass: { lagP99: boolean };
  errors: number;
}

/** GETs a node's route, over https with the store's CA when it has one. */
async function get(store: Store, url: string, path: string): Promise<Reply> {
  const reply = await send(url, "GET", path, store.tls ? { ca: store.tls.caPem } : {});
  if (reply.status !== 200) throw new Error(`GET ${url}${path}: ${reply.status} ${reply.text}`);
  return reply;
}

async function scrape(store: Store): Promise<Sample[][]> {
  return Promise.all(store.urls.map(async (url) => parseMetrics((await get(store, url, "/metrics")).text)));
}

interface MultiLeaderStatus {
  multiLeader: { outbox: number; sendsTo: Array<{ updates: number }> };
}
const statusOf = async (store: Store, url: string) =>
  (await get(store, url, "/v1/status")).body as unknown as MultiLeaderStatus;

const applied = (scrapes: Sample[][]) =>
  scrapes.reduce((n, s) => n + (metricValue(s, `${LAG}_count`) ?? 0), 0);

export async function runMultiLeaderBench(o: MultiLeaderBenchOptions): Promise<MultiLeaderBenchResult> {
  const leaders = o.leaders ?? 3;
  const topology = o.topology ?? "AllToAll";
  const maxPhase = o.maxPhase ?? true;
  console.log("");
  console.log(
    `multi-leader: ${leaders} leaders, ${topology}, W=1, TLS ${o.tls ? "on" : "off"}, ${o.concurrency} clients spread over the leaders, ${maxPhase ? "then " : ""}paced at ${o.ratePerSec} writes/s`,
  );
  const store = await startStore({
    nodes: leaders,
    writeQuorum: 1,
    readQuorum: 1,
    proxy: false,
    tls: o.tls ?? false,
    config: {
      mode: "MultiLeader",
      multiLeader: { leaders, topology, hub: 0 },
      limits: { maxValueBytes: Math.max(1024 * 1024, o.valueBytes) },
    },
  });
  const runner = new PhaseRunner();
  const pids = store.ids.map((_, i) => store.node(i).pid ?? 0);
  const cpuAtStart = pids.map((pid) => cpuSecondsOf(pid) ?? 0);
  const base = {
    urls: store.urls,
    ...(store.tls ? { ca: store.tls.caPem } : {}),
    concurrency: o.concurrency,
    valueBytes: o.valueBytes,
  };
  const measured = async (ratePerSec?: number): Promise<LagPhase> => {
    const before = await scrape(store);
    const load = await runner.run({
      ...base,
      phase: "write",
      durationMs: o.durationMs,
      ...(ratePerSec ? { ratePerSec } : {}),
    });
    // Let the last writes of the phase arrive, so they are counted too.
    await waitCaughtUp(store);
    const after = await scrape(store);
    const d = delta(buckets(after, LAG), buckets(before, LAG));
    const ms = (q: number) => {
      const s = quantile(q, d);
      return s === undefined ? undefined : s * 1000;
    };
    return { load, lagP50Ms: ms(0.5), lagP99Ms: ms(0.99), updatesApplied: applied(after) - applied(before) };
  };
  try {
    if (o.warmupMs > 0) await runner.run({ ...base, phase: "warmup", durationMs: o.warmupMs });
    const max = maxPhase ? await measured() : undefined;
    const paced = await measured(o.ratePerSec);
    runner.exit();
    const statuses = await Promise.all(store.urls.map((url) => statusOf(store, url)));
    const nodesStats = store.ids.map((id, i) => ({
      id,
      peakRssBytes: memoryOf(pids[i] ?? 0)?.peakRssBytes ?? 0,
      cpuSeconds: (cpuSecondsOf(pids[i] ?? 0) ?? 0) - (cpuAtStart[i] ?? 0),
      outbox: statuses[i]?.multiLeader.outbox ?? 0,
    }));
    const lagText = (p: LagPhase) =>
      `replication lag p50 ${p.lagP50Ms === undefined ? "-" : fixed(p.lagP50Ms)} ms  p99 ${p.lagP99Ms === undefined ? "-" : fixed(p.lagP99Ms)} ms  (${p.updatesApplied} updates applied on other leaders)`;
    console.log("");
    if (max) {
      console.log(phaseRow(max.load, "ml-max"));
      console.log(`         ${lagText(max)}`);
    }
    console.log(phaseRow(paced.load, `ml-${Math.round(o.ratePerSec / 1000)}k`));
    console.log(`         ${lagText(paced)}`);
    for (const r of max ? [max.load, paced.load] : [paced.load]) {
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
    return { max, paced, nodesStats, pass, errors: (max?.load.errors ?? 0) + paced.load.errors };
  } catch (error) {
    runner.kill();
    console.error(store.dumpLogs(30));
    throw error;
  } finally {
    await store.cleanup();
  }
}

/** Until no leader has updates another leader lacks (bounded: a stuck store shows in the figures). */
async function waitCaughtUp(store: Store): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const lagging = await Promise.all(
      store.urls.map(async (url) =>
        (await statusOf(store, url)).multiLeader.sendsTo.some((l) => l.updates > 0),
      ),
    );
    if (!lagging.includes(true)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
