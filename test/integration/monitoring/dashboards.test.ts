/**
 * The dashboards and the shipped alert rules against a real Prometheus (Debian's package) scraping a
 * real 3-node store and a real operator (on the test control plane), relabelled as the Prometheus
 * Operator labels them (namespace, job = `<store>-peers`, pod). The store is driven through what the
 * panels show: writes, reads, misses, deletes, bad requests, a node down (hints, hints dropped,
 * quorum failures, a partial write, an incomplete repair), repairs, a rejected config, a clock too far
 * ahead; the operator reconciles a healthy store and one whose namespace quota refuses its
 * PodDisruptionBudget (reconcile errors). A second, MultiLeader store (2 leaders, AllToAll) takes
 * writes on both leaders for the replication panels. Then every panel's query must parse and return
 * data, every variable must list the stores, every rule must evaluate without error, and the alerts
 * this caused (and only those) must have been raised.
 */
import { rename, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { ALERT_NAMES } from "../../../src/monitoring/alerts.ts";
import { DASHBOARD_SPECS, panelQueries } from "../../../src/monitoring/dashboards.ts";
import { RULES_FILE } from "../../../src/monitoring/files.ts";
import { startHealthServer } from "../../../src/operator/controller/health-server.ts";
import type { Operator } from "../../../src/operator/operator.ts";
import { runRepair } from "../../support/anti-entropy.ts";
import { eventually, freePort, type Store, startStore, uniqueKey } from "../../support/index.ts";
import {
  type ControlPlane,
  createNamespace,
  type KubeClients,
  kubeClients,
  startControlPlane,
} from "../../support/k8s/index.ts";
import { createStore, startOperator } from "../operator/harness.ts";
import { PrometheusServer, type QueryResult } from "./prometheus-server.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const NAMESPACE = "shop";
const JOB = "orders-peers";
/** The MultiLeader store, scraped as its ServiceMonitor would: job carts-peers. */
const ML_JOB = "carts-peers";
const OPERATOR = { namespace: "replistore-system", job: "replistore-operator" };

/** Panels whose metrics only a MultiLeader node exports: checked with $store set to the MultiLeader store. */
const NEEDS_MULTI_LEADER = [
  "replistore-overview / Replication lag (updates)",
  "replistore-overview / Replication lag (seconds)",
  "replistore-overview / Replication delay p50 and p99",
  "replistore-overview / Outbox and causal buffer",
  "replistore-overview / Updates applied by origin",
];

/** Alerts the scenario raises (pending or firing), and the ones among them that fire at once (for: 0m). */
const RAISED = [
  "ReplistoreNodeDown",
  "ReplistorePeerUnreachable",
  "ReplistoreQuorumFailures",
  "ReplistorePartialWrites",
  "ReplistoreClockSkew",
  "ReplistoreClockOffsetHigh",
  "ReplistoreHintsPilingUp",
  "ReplistoreHintsDropped",
  "ReplistoreConfigRejected",
  "ReplistoreRepairFailing",
  "ReplistoreOperatorReconcileErrors",
];
const FIRING_AT_ONCE = [
  "ReplistorePartialWrites",
  "ReplistoreClockSkew",
  "ReplistoreHintsDropped",
  "ReplistoreConfigRejected",
];

/** What Grafana would send for the variables and its interval macros. */
function substitute(expr: string, dashboard: string, storeJob = JOB): string {
  const vars: Record<string, string> =
    dashboard === "replistore-operator"
      ? { namespace: OPERATOR.namespace, job: OPERATOR.job }
      : { namespace: NAMESPACE, store: storeJob, node: ".*" };
  return expr
    .replaceAll("$__rate_interval", "10m")
    .replaceAll("$__range", "10m")
    .replace(/\$([a-z]+)/g, (whole, name: string) => vars[name] ?? whole);
}

function hasData(result: QueryResult): boolean {
  return (result.data?.result ?? []).some((r) => Number.isFinite(Number(r.value[1])));
}

let plane: ControlPlane;
let clients: KubeClients;
let operator: Operator;
let operatorServer: Server;
let store: Store;
let multiLeader: Store;
let prom: PrometheusServer;

async function alertActive(alert: string, state?: "firing"): Promise<Array<Record<string, string>>> {
  const result = await prom.query(`ALERTS{alertname="${alert}"${state ? `,alertstate="${state}"` : ""}}`);
  return (result.data?.result ?? []).map((r) => r.metric);
}

async function waitForAlert(alert: string, state?: "firing"): Promise<Array<Record<string, string>>> {
  return eventually(
    async () => {
      const active = await alertActive(alert, state);
      if (active.length === 0) throw new Error(`${alert} not ${state ?? "active"} yet`);
      return active;
    },
    { timeoutMs: 30_000, intervalMs: 500, what: `Prometheus raises ${alert}` },
  );
}

/**
 * Background traffic through nodes 0 and 1 (node 2 is killed and skewed during the scenario): a few
 * concurrent clients writing and reading a pool of keys, paced, until stopped (at most 3 minutes).
 */
function backgroundLoad(target: Store): { stop(): Promise<number> } {
  let running = true;
  let requests = 0;
  const deadline = Date.now() + 180_000;
  const pool = Array.from({ length: 200 }, (_, i) => uniqueKey(`load${i}`));
  const worker = async (w: number) => {
    for (let i = 0; running && Date.now() < deadline; i++) {
      const client = target.client((w + i) % 2);
      const key = pool[(w * 37 + i) % pool.length]!;
      await (i % 3 === 0 ? client.put(key, `load-${i}`) : client.get(key)).catch(() => undefined);
      requests++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const workers = [0, 1, 2, 3].map(worker);
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      return requests;
    },
  };
}

async function nodeMetric(index: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const samples = await store.client(index).metrics();
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

beforeAll(async () => {
  // The operator, on the real control plane: a healthy store, and one whose namespace allows no
  // PodDisruptionBudget, so that its reconciles keep failing with 403.
  plane = await startControlPlane({ crdFiles: [join(ROOT, CRD_FILE)] });
  clients = kubeClients(plane.kubeconfigPath);
  const healthy = await createNamespace(clients, "shop");
  const quota = await createNamespace(clients, "quota");
  await clients.core.createNamespacedResourceQuota({
    namespace: quota,
    body: {
      metadata: { name: "no-pdbs" },
      spec: { hard: { "count/poddisruptionbudgets.policy": "0" } },
    },
  });
  operator = await startOperator(clients);
  const operatorPort = await freePort();
  operatorServer = await startHealthServer("127.0.0.1", operatorPort, {
    registry: operator.metrics.registry,
    ready: () => operator.ready(),
  });
  await createStore(clients, healthy, "orders", { replicas: 3 });
  await createStore(clients, quota, "refused", { replicas: 3 });

  store = await startStore({
    nodes: 3,
    factor: 3,
    writeQuorum: 2,
    readQuorum: 2,
    config: {
      store: { name: "orders", namespace: NAMESPACE },
      clock: { maxOffsetMs: 500 },
      hintedHandoff: { maxBytes: 4096 },
      limits: { requestTimeoutMs: 1_000 },
    },
  });

  multiLeader = await startStore({
    nodes: 3,
    writeQuorum: 1,
    readQuorum: 1,
    config: {
      store: { name: "carts", namespace: NAMESPACE },
      mode: "MultiLeader",
      multiLeader: { leaders: 2, topology: "AllToAll", hub: 0 },
    },
  });

  prom = await PrometheusServer.start({
    ruleFiles: [join(ROOT, RULES_FILE)],
    jobs: [
      {
        name: "replistore-nodes",
        targets: store.urls.map((url, i) => ({
          address: url.replace("http://", ""),
          labels: { pod: store.id(i) },
        })),
        labels: { namespace: NAMESPACE, job: JOB },
      },
      {
        name: "replistore-multi-leader-nodes",
        targets: multiLeader.urls.map((url, i) => ({
          address: url.replace("http://", ""),
          labels: { pod: multiLeader.id(i) },
        })),
        labels: { namespace: NAMESPACE, job: ML_JOB },
      },
      {
        name: "replistore-operator",
        targets: [{ address: `127.0.0.1:${operatorPort}`, labels: { pod: "replistore-operator-0" } }],
        labels: OPERATOR,
      },
    ],
  });
  await eventually(
    async () => {
      const targets = await prom.targets();
      expect(targets.map((t) => `${t.labels.job} ${t.health} ${t.lastError}`).sort()).toEqual([
        `${ML_JOB} up `,
        `${ML_JOB} up `,
        `${ML_JOB} up `,
        `${JOB} up `,
        `${JOB} up `,
        `${JOB} up `,
        `${OPERATOR.job} up `,
      ]);
    },
    { timeoutMs: 20_000, intervalMs: 500, what: "Prometheus scrapes both stores' nodes and the operator" },
  );

  // The MultiLeader store: writes on both leaders (and through the follower, which forwards them),
  // over a few scrapes, so that every stream has lag gauges and the delay histogram has samples.
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 30; i++) {
      const put = await multiLeader.client(i % 3).put(uniqueKey(`ml${round}`), `v${i}`);
      expect(put.status, put.text).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  const load = backgroundLoad(store);
  // Steady traffic: writes, reads (and misses), deletes, a bad request, through every node.
  const keys = Array.from({ length: 120 }, (_, i) => uniqueKey(`mon${i}`));
  for (const [i, key] of keys.entries()) {
    expect((await store.client(i % 3).put(key, `value-${i}`.repeat(20))).status).toBe(200);
  }
  for (const [i, key] of keys.entries()) {
    expect((await store.client((i + 1) % 3).get(key)).status).toBe(200);
    if (i % 10 === 0) expect((await store.client(i % 3).get(uniqueKey("missing"))).status).toBe(404);
  }
  for (const key of keys.slice(0, 20)) expect((await store.client(2).del(key)).status).toBe(200);
  expect((await store.client(0).put(uniqueKey("bad"), "x", { w: 9 })).status).toBe(400);
  const first = await runRepair(store);
  expect(first.code, first.stderr).toBe(0);

  // node-2 down: hints (then dropped past 4 KiB), a partial write, quorum failures, an incomplete repair.
  await store.kill(2);
  for (let i = 0; i < 8; i++) {
    expect((await store.client(i % 2).put(uniqueKey("hinted"), "h".repeat(1024))).status).toBe(200);
  }
  const partial = await store.client(0).put(uniqueKey("partial"), "half", { w: 3 });
  expect(partial.status, partial.text).toBe(503);
  // Reads that cannot reach R=3 for a few seconds: failures over several scrapes, as an outage gives.
  for (const deadline = Date.now() + 4_000; Date.now() < deadline; ) {
    expect((await store.client(1).get(keys[50]!, { r: 3 })).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(await nodeMetric(0, "replistore_hints_dropped_total", { reason: "full" })).toBeGreaterThan(0);
  const incomplete = await runRepair(store);
  expect(incomplete.summary.status).toBe("incomplete");
  for (const alert of [
    "ReplistoreNodeDown",
    "ReplistorePeerUnreachable",
    "ReplistoreHintsPilingUp",
    "ReplistoreRepairFailing",
    "ReplistoreQuorumFailures",
  ]) {
    await waitForAlert(alert);
  }

  // node-2 back: hints replayed, a complete repair.
  await store.start(2);
  await store.waitForPeers();
  await eventually(async () => expect(await nodeMetric(0, "replistore_hints_pending")).toBe(0), {
    timeoutMs: 20_000,
    what: "node-0's hints for node-2 are replayed",
  });
  const second = await runRepair(store);
  expect(second.code, second.stderr).toBe(0);

  // A config no node can read, then a good one.
  const broken = `${store.configPath}.broken.tmp`;
  await writeFile(broken, "{ not json");
  await rename(broken, store.configPath);
  await eventually(
    async () =>
      expect(await nodeMetric(0, "replistore_config_reloads_total", { result: "rejected" })).toBe(1),
    { timeoutMs: 10_000, what: "node-0 rejects the broken config" },
  );
  await store.updateConfig(() => {});
  await waitForAlert("ReplistoreConfigRejected", "firing");

  // node-2's clock 2 s ahead (clock.maxOffset 500ms): its peers refuse it.
  await store.stop(2);
  store.node(2).spec.env.REPLISTORE_CLOCK_SKEW_MS = "2000";
  await store.start(2);
  for (const deadline = Date.now() + 3_000; Date.now() < deadline; ) {
    await store.client(2).put(uniqueKey("skewed"), "ahead", { w: 3 });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const skew = await waitForAlert("ReplistoreClockSkew", "firing");
  expect(skew).toContainEqual(expect.objectContaining({ namespace: NAMESPACE, job: JOB, peer: store.id(2) }));
  await waitForAlert("ReplistoreClockOffsetHigh");
  await waitForAlert("ReplistoreOperatorReconcileErrors");
  expect(await load.stop()).toBeGreaterThan(500);
}, 300_000);

afterAll(async () => {
  // Teardown of six parts must not hang the file (it did once in CI, in a step the log could not
  // name): each step gets 20 s, and one that takes longer is named on stderr before moving on.
  const step = async (name: string, fn: () => unknown) => {
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<"slow">((resolve) => {
      timer = setTimeout(() => resolve("slow"), 20_000);
    });
    const outcome = await Promise.race([Promise.resolve(fn()).then(() => "done" as const), slow]);
    clearTimeout(timer);
    if (outcome === "slow") console.error(`teardown: ${name} still running after 20 s; moving on`);
  };
  await step("prometheus", () => prom?.stop());
  await step("store", () => store?.cleanup());
  await step("multi-leader store", () => multiLeader?.cleanup());
  await step("operator metrics server", () => operatorServer?.close());
  await step("operator", () => operator?.stop());
  await step("control plane", () => plane?.stop());
}, 150_000);

describe("dashboards against a real Prometheus", () => {
  it("every panel's query parses and returns data (the replication panels for the MultiLeader store)", async () => {
    const usingReplication = DASHBOARD_SPECS.flatMap(panelQueries)
      .filter((q) => /replistore_replication_/.test(q.expr))
      .map((q) => `${q.dashboard} / ${q.panel}`);
    expect([...new Set(usingReplication)].sort()).toEqual([...NEEDS_MULTI_LEADER].sort());

    const failures: string[] = [];
    let checked = 0;
    for (const spec of DASHBOARD_SPECS) {
      for (const q of panelQueries(spec)) {
        const name = `${spec.uid} / ${q.panel}`;
        const expr = substitute(q.expr, spec.uid, NEEDS_MULTI_LEADER.includes(name) ? ML_JOB : JOB);
        const result = await prom.query(expr);
        checked++;
        if (result.status !== "success") {
          failures.push(`${name}: ${expr}: ${result.errorType}: ${result.error}`);
        } else if (!hasData(result)) {
          failures.push(`${name}: no data: ${expr}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(60);
  });

  it("every template variable lists the store (or the operator) it should", async () => {
    for (const spec of DASHBOARD_SPECS) {
      const expected: Record<string, string[]> =
        spec.uid === "replistore-operator"
          ? { namespace: [OPERATOR.namespace], job: [OPERATOR.job] }
          : { namespace: [NAMESPACE], store: [JOB, ML_JOB], node: store.ids };
      for (const variable of spec.variables) {
        const match = /^label_values\((.+), ([a-z_]+)\)$/.exec(variable.query);
        expect(match, variable.query).not.toBeNull();
        const result = await prom.query(substitute(match![1]!, spec.uid));
        expect(result.status, variable.query).toBe("success");
        const values = new Set((result.data?.result ?? []).map((r) => r.metric[match![2]!]));
        for (const value of expected[variable.name] ?? []) {
          expect([...values], `${spec.uid} $${variable.name}`).toContain(value);
        }
      }
    }
  });
});

describe("the shipped alert rules in a real Prometheus", () => {
  it("every rule evaluates without error", async () => {
    const rules = await prom.rules();
    expect(rules.map((r) => r.name).sort()).toEqual([...ALERT_NAMES].sort());
    for (const rule of rules)
      expect({ rule: rule.name, health: rule.health, error: rule.lastError ?? "" }).toEqual({
        rule: rule.name,
        health: "ok",
        error: "",
      });
  });

  it("raised the alerts the scenario caused, labelled with the store, and no others", async () => {
    for (const alert of RAISED) {
      const { namespace, job } = alert.includes("Operator") ? OPERATOR : { namespace: NAMESPACE, job: JOB };
      const seen = await prom.query(
        `max_over_time(ALERTS{alertname="${alert}",namespace="${namespace}",job="${job}"}[30m])`,
      );
      expect(seen.data?.result.length ?? 0, `${alert} was raised for ${namespace}/${job}`).toBeGreaterThan(0);
    }
    for (const alert of FIRING_AT_ONCE) {
      const fired = await prom.query(`max_over_time(ALERTS{alertname="${alert}",alertstate="firing"}[30m])`);
      expect(fired.data?.result.length ?? 0, `${alert} fired`).toBeGreaterThan(0);
    }
    // Never raised: a repair ran (and the nodes are younger than half the grace period), no conflict
    // waited a day, no multi-leader replication, the operator always led.
    for (const alert of ALERT_NAMES.filter((a) => !RAISED.includes(a))) {
      const seen = await prom.query(`max_over_time(ALERTS{alertname="${alert}"}[30m])`);
      expect(seen.data?.result ?? [], `${alert} was not raised`).toEqual([]);
    }
  });
});
