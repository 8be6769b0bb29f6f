/**
 * What on-call sees of a store on the real cluster: the leaderless sample with spec.monitoring on,
 * scraped by a real Prometheus through the ServiceMonitor the operator builds for it and evaluating
 * the chart's and the store's alert rules; `kubectl replistore status/conflicts` through the
 * apiserver's pod proxy; and the operator's review page in headless Chromium. A partial write (a
 * w=3 write while one owner's container is frozen) goes through all three: Prometheus raises
 * ReplistorePartialWrites for the store, the plugin lists it, and the page shows it and resolves it.
 *
 * This cluster has no Prometheus Operator (the store's Ready condition says its ServiceMonitor and
 * PrometheusRule are skipped), so Prometheus runs on the host with the scrape job and rules the
 * Prometheus Operator would make of the objects the operator's builders return for this store (see
 * support/prometheus.ts). The host reaches pod IPs on the node's bridge. The cluster enforces
 * NetworkPolicy, but traffic from the node itself is admitted (kubelet probes need it, and
 * kube-network-policies, like most implementations, lets it through), so the store's rule for an
 * in-cluster Prometheus (namespaces labelled replistore.io/monitoring) is checked as an object here.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump, load } from "js-yaml";
import type { Browser, Page } from "playwright-core";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrometheusRule } from "../../src/builders/prometheus-rule.ts";
import { buildServiceMonitor } from "../../src/builders/service-monitor.ts";
import { ALERT_NAMES, OPERATOR_ALERT_NAMES } from "../../src/monitoring/alerts.ts";
import { parseStore, type RawStore } from "../../src/operator/store-input.ts";
import { launchChromium } from "../integration/review/helpers.ts";
import { eventually } from "../support/eventually.ts";
import { freePort } from "../support/ports.ts";
import { apply, helm, kubectlJson, ROOT, run } from "./support/commands.ts";
import {
  EndpointsDiscovery,
  PROMTOOL,
  PrometheusProcess,
  type ServiceMonitor,
  serviceMonitorScrapeConfigs,
} from "./support/prometheus.ts";
import {
  condition,
  createNamespace,
  deleteNamespace,
  sample,
  storeCaBundle,
  storeStatus,
  waitStoreReady,
} from "./support/stores.ts";

const NS = `e2e-observability-${process.pid}`;
const STORE = "orders";
const JOB = `${STORE}-peers`;
const PODS = [0, 1, 2].map((i) => `${STORE}-${i}`);
const CLUSTER_DIR = process.env.REPLISTORE_CLUSTER_DIR ?? "/var/lib/replistore-cluster";
/** Held by nobody that renews it: the review page's operator replica stays a standby (see below). */
const LEASE_HOLDER = "e2e-observability-holder";

interface PodJson {
  metadata: { name: string };
  status: { podIP?: string; containerStatuses?: { containerID?: string }[] };
}

interface NetworkPolicyJson {
  spec: {
    ingress: Array<{
      from: Array<{ namespaceSelector?: { matchLabels?: Record<string, string> } }>;
      ports: Array<{ port: number | string; protocol: string }>;
    }>;
  };
}

interface ConflictItem {
  id: string;
  key: string;
  kind: string;
  status: string;
  versions: Array<{ version: string; role: string; value?: string }>;
  ownersFailed?: string[];
  resolution: { by: string; kept: string | null } | null;
}

interface PluginStatus {
  namespace: string;
  name: string;
  status: { phase?: string; replicas?: number; readyReplicas?: number };
  pods: Array<{ name: string; ip?: string; ready: boolean; phase: string }>;
  node: {
    pod: string;
    status?: { members: Array<{ id: string; healthy: boolean }> };
    conflicts?: { pending: number };
  };
}

let dir: string;
let discovery: EndpointsDiscovery | undefined;
let prometheus: PrometheusProcess | undefined;
let monitor: ServiceMonitor;
let storeRuleGroup: string;
let ruleFiles: string[];
let podIps: Map<string, string>;
let conflict: { id: string; key: string; partial: string; replaced: string };
let operator: ChildProcess | undefined;
let operatorLog = "";
let browser: Browser | undefined;
/** trusts the store's CA, checking the name its certificate gives the client Service */
let storeAgent: Agent;

/** `kubectl replistore ...` as a user types it: the plugin from the cluster's PATH (bin/kubectl-replistore). */
function plugin(args: string[]) {
  return run("kubectl", ["replistore", ...args, "-n", NS], { allowFailure: true, timeoutMs: 60_000 });
}

async function pod(name: string): Promise<PodJson> {
  return kubectlJson<PodJson>(["get", "pod", name, "-n", NS]);
}

/** The pod's container frozen (cgroup freezer, through containerd) while `during` runs. */
async function frozen<T>(name: string, during: () => Promise<T>): Promise<T> {
  const id = (await pod(name)).status.containerStatuses?.[0]?.containerID?.replace(/^containerd:\/\//, "");
  expect(id, `${name} has a container`).toBeTruthy();
  const ctr = ["--address", `${CLUSTER_DIR}/containerd/containerd.sock`, "-n", "k8s.io", "tasks"];
  await run("ctr", [...ctr, "pause", String(id)]);
  try {
    return await during();
  } finally {
    await run("ctr", [...ctr, "resume", String(id)]);
  }
}

/** A request to one node at its pod IP, from the host: https, trusting the store's CA. */
function node(ordinal: number, method: string, path: string, body?: string) {
  return undiciFetch(`https://${podIps.get(PODS[ordinal] ?? "")}:7070${path}`, {
    method,
    ...(body !== undefined ? { body, headers: { "content-type": "application/octet-stream" } } : {}),
    signal: AbortSignal.timeout(15_000),
    dispatcher: storeAgent,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "replistore-e2e-observability-"));
  await createNamespace(NS);
  // The sample as shipped, with the Prometheus Operator objects asked for.
  const manifest = (await sample("leaderless.yaml"))
    .replace("serviceMonitor: false", "serviceMonitor: true")
    .replace("prometheusRule: false", "prometheusRule: true");
  expect(manifest).toContain("serviceMonitor: true");
  expect(manifest).toContain("prometheusRule: true");
  await apply(manifest, NS);
  await waitStoreReady(NS, STORE, 3);
  podIps = new Map(
    await Promise.all(
      PODS.map(async (name): Promise<[string, string]> => [name, (await pod(name)).status.podIP ?? ""]),
    ),
  );

  // What the operator would apply with the Prometheus Operator installed: its builders on the store
  // as the apiserver returns it (defaults filled in), parsed as the operator parses it.
  const parsed = parseStore(await kubectlJson<RawStore>(["get", "rstore", STORE, "-n", NS]));
  if (!parsed.ok) throw new Error(`the store does not parse: ${parsed.errors.join("; ")}`);
  const serviceMonitor = buildServiceMonitor(parsed.store);
  const prometheusRule = buildPrometheusRule(parsed.store);
  expect(serviceMonitor?.kind).toBe("ServiceMonitor");
  expect(prometheusRule?.kind).toBe("PrometheusRule");
  monitor = serviceMonitor as unknown as ServiceMonitor;
  const storeRules = prometheusRule?.spec as { groups: Array<{ name: string }> };
  storeRuleGroup = storeRules.groups[0]?.name ?? "";

  // The chart's PrometheusRule (prometheusRule.enabled) as helm renders it: its spec is a rule file.
  const rendered = await helm([
    "template",
    "replistore",
    "charts/replistore",
    "-n",
    "replistore-system",
    "--set",
    "prometheusRule.enabled=true",
    "--show-only",
    "templates/prometheusrule.yaml",
  ]);
  const chartRule = load(rendered) as { kind: string; spec: { groups: unknown[] } };
  expect(chartRule.kind).toBe("PrometheusRule");
  ruleFiles = [join(dir, "chart-rules.yaml"), join(dir, "store-rules.yaml")];
  await writeFile(ruleFiles[0] ?? "", dump(chartRule.spec, { lineWidth: -1 }));
  await writeFile(ruleFiles[1] ?? "", dump(storeRules, { lineWidth: -1 }));

  // The store's CA, as the Prometheus Operator mounts the ConfigMap the ServiceMonitor names.
  const caBundle = await storeCaBundle(NS);
  expect(caBundle).toContain("BEGIN CERTIFICATE");
  const caFile = join(dir, "store-ca.crt");
  await writeFile(caFile, caBundle);
  storeAgent = new Agent({ connect: { ca: caBundle, servername: `${STORE}.${NS}.svc` } });

  discovery = await EndpointsDiscovery.start();
  prometheus = await PrometheusProcess.start({
    // 2 s rather than the ServiceMonitor's 30 s, so the test sees samples within seconds.
    scrapeConfigs: serviceMonitorScrapeConfigs(monitor, discovery, "2s", (ref) => {
      expect(ref).toEqual({ name: `${STORE}-ca`, key: "ca.crt" });
      return caFile;
    }),
    ruleFiles,
    evaluationInterval: "2s",
  });
});

afterAll(async () => {
  await browser?.close();
  if (operator && operator.exitCode === null && operator.signalCode === null) {
    const exited = new Promise((resolve) => operator?.once("exit", resolve));
    operator.kill("SIGTERM");
    await exited;
  }
  await prometheus?.stop();
  await discovery?.close();
  await storeAgent?.close();
  await deleteNamespace(NS);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("observability of a store on a real node", () => {
  it("is scraped by Prometheus through the ServiceMonitor the operator builds: up == 1 for each of its 3 pods", async () => {
    // No Prometheus Operator here: the operator says so instead of failing.
    const ready = condition(await storeStatus(NS, STORE), "Ready");
    expect(ready?.status).toBe("True");
    expect(ready?.message).toContain("spec.monitoring.serviceMonitor skipped: the ServiceMonitor CRD");
    expect(ready?.message).toContain("spec.monitoring.prometheusRule skipped: the PrometheusRule CRD");

    const server = prometheus as PrometheusProcess;
    const up = await eventually(
      async () => {
        const samples = await server.query(`up{namespace="${NS}"}`);
        const pods = samples.map((s) => `${s.metric.pod}=${s.value[1]}`).sort();
        if (pods.join(",") !== PODS.map((p) => `${p}=1`).join(",")) {
          const targets = await server.targets();
          throw new Error(`up: ${pods.join(", ")}; targets ${JSON.stringify(targets)}`);
        }
        return samples;
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: `up == 1 for ${PODS.join(", ")}` },
    );
    // Labelled as the alert rules expect: job is the peers Service; each target is its pod's IP.
    for (const sample of up) {
      expect(sample.metric).toMatchObject({
        job: JOB,
        namespace: NS,
        service: JOB,
        endpoint: "http",
        container: "node",
        instance: `${podIps.get(sample.metric.pod ?? "")}:7070`,
      });
    }
    // Discovery found both Services over the pods; the ServiceMonitor's selector kept the peers one,
    // and its port kept the client port (https), not the peer port.
    const targets = await server.targets();
    expect(targets.active.map((t) => `${t.labels.service}/${t.labels.pod}`).sort()).toEqual(
      PODS.map((p) => `${JOB}/${p}`),
    );
    expect(targets.active.every((t) => t.scrapeUrl.startsWith("https://"))).toBe(true);
    const where = (labels: Record<string, string>) =>
      `${labels.__meta_kubernetes_service_name}/${labels.__meta_kubernetes_pod_name}:${labels.__meta_kubernetes_endpoint_port_name}`;
    expect(targets.dropped.map((t) => where(t.discoveredLabels)).sort()).toEqual(
      [...PODS.map((p) => `${STORE}/${p}:http`), ...PODS.map((p) => `${JOB}/${p}:peer`)].sort(),
    );
    // /metrics is the node's own: each pod reports its node name, and sees both peers up.
    const peers = await server.query(`replistore_peer_up{namespace="${NS}",job="${JOB}"}`);
    expect(
      peers.map((s) => `${s.metric.pod}:${s.metric.node}->${s.metric.peer}=${s.value[1]}`).sort(),
    ).toEqual(PODS.flatMap((p) => PODS.filter((q) => q !== p).map((q) => `${p}:${p}->${q}=1`)).sort());

    // An in-cluster Prometheus must run in a namespace labelled replistore.io/monitoring=true: the
    // store's policy admits those on the scraped port.
    const policy = await kubectlJson<NetworkPolicyJson>(["get", "networkpolicy", STORE, "-n", NS]);
    const forPrometheus = policy.spec.ingress.filter((rule) =>
      rule.from.some((peer) => peer.namespaceSelector?.matchLabels?.["replistore.io/monitoring"] === "true"),
    );
    expect(forPrometheus.flatMap((rule) => rule.ports)).toContainEqual({ port: 7070, protocol: "TCP" });
  });

  it("loads the chart's and the store's alert rules: promtool accepts them and every rule evaluates", async () => {
    const check = await run(PROMTOOL, ["check", "rules", ...ruleFiles], { allowFailure: true });
    const output = `${check.stdout}${check.stderr}`;
    expect(check.code, output).toBe(0);
    const storeAlerts = ALERT_NAMES.filter((a) => !OPERATOR_ALERT_NAMES.includes(a));
    expect(output).toContain(`SUCCESS: ${ALERT_NAMES.length} rules found`);
    expect(output).toContain(`SUCCESS: ${storeAlerts.length} rules found`);

    const server = prometheus as PrometheusProcess;
    const groups = await eventually(
      async () => {
        const all = await server.ruleGroups();
        const unhealthy = all.flatMap((g) => g.rules).filter((r) => r.health !== "ok");
        if (unhealthy.length > 0) {
          throw new Error(unhealthy.map((r) => `${r.name}: ${r.health} ${r.lastError ?? ""}`).join("\n"));
        }
        return all;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: "every rule evaluated without error" },
    );
    const names = (group: string) =>
      groups.find((g) => g.name === group)?.rules.map((r) => r.name) ?? `no group ${group}`;
    expect(groups.map((g) => g.name).sort()).toEqual(
      ["replistore.operator", "replistore.stores", storeRuleGroup].sort(),
    );
    expect(storeRuleGroup).toBe(`replistore.${NS}.${STORE}`);
    expect(names("replistore.stores")).toEqual(storeAlerts);
    expect(names("replistore.operator")).toEqual(OPERATOR_ALERT_NAMES);
    expect(names(storeRuleGroup)).toEqual(storeAlerts);
    // A healthy store raises nothing.
    expect(
      groups
        .flatMap((g) => g.rules)
        .filter((r) => r.state === "firing")
        .map((r) => r.name),
    ).toEqual([]);
  });

  it("kubectl replistore status prints the store's real state; an empty queue and a wrong store name are said plainly", async () => {
    const text = await plugin(["status", STORE]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^Store: +${NS}/${STORE}$`, "m"));
    expect(text.stdout).toMatch(/^Mode: +Leaderless, N=3 W=2 R=2 \(Strong\)$/m);
    expect(text.stdout).toMatch(/^Replicas: +3 wanted, 3\/3 ready$/m);
    expect(text.stdout).toMatch(/^Phase: +Ready /m);
    expect(text.stdout).toMatch(/^Conflicts: +0 pending \(policy Review\)$/m);
    for (const name of PODS) {
      expect(text.stdout).toMatch(
        new RegExp(
          `^ +${name} +true +Running +\\d+ +${podIps.get(name)?.replaceAll(".", "\\.")} +yes +0 `,
          "m",
        ),
      );
    }

    const json = await plugin(["status", STORE, "-o", "json"]);
    expect(json.code, json.stderr).toBe(0);
    const status = JSON.parse(json.stdout) as PluginStatus;
    expect(status).toMatchObject({
      namespace: NS,
      name: STORE,
      status: { phase: "Ready", replicas: 3, readyReplicas: 3 },
    });
    expect(status.pods.map((p) => [p.name, p.ip, p.ready, p.phase])).toEqual(
      PODS.map((name) => [name, podIps.get(name), true, "Running"]),
    );
    expect(PODS).toContain(status.node.pod);
    expect(status.node.status?.members.map((m) => [m.id, m.healthy])).toEqual(PODS.map((p) => [p, true]));
    expect(status.node.conflicts?.pending).toBe(0);

    const empty = await plugin(["conflicts", "list", STORE]);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toBe("no conflicts\n");
    const emptyJson = await plugin(["conflicts", "list", STORE, "-o", "json"]);
    expect(JSON.parse(emptyJson.stdout)).toEqual({ items: [], next: null });

    for (const args of [
      ["status", "nope"],
      ["conflicts", "list", "nope"],
    ]) {
      const wrong = await plugin(args);
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toBe("");
      expect(wrong.stderr).toBe(
        `error: no ReplicatedStore nope in namespace ${NS}: see kubectl get rstore -A, and pass -n NAMESPACE\n`,
      );
    }
  });

  it("a partial write shows in kubectl replistore conflicts and raises ReplistorePartialWrites in Prometheus", async () => {
    const key = "observed/pw";
    const first = await node(0, "PUT", `/v1/kv/${encodeURIComponent(key)}?w=3`, "the value before");
    expect(first.status, await first.clone().text()).toBe(200);
    // orders-2 frozen: it neither answers nor refuses, so orders-0 stores the write, orders-1 too,
    // and after the request timeout (2 s) answers 503 with a partial write to review.
    const failed = await frozen(PODS[2] ?? "", () =>
      node(0, "PUT", `/v1/kv/${encodeURIComponent(key)}?w=3`, "the partial value"),
    );
    const failure = (await failed.json()) as { error: string; reached: number; needed: number };
    expect(failed.status).toBe(503);
    expect(failure).toMatchObject({ error: "quorum_unavailable", reached: 2, needed: 3 });

    const listed = await eventually(
      async () => {
        const res = await plugin(["conflicts", "list", STORE, "-o", "json"]);
        const items = (JSON.parse(res.stdout) as { items: ConflictItem[] }).items;
        expect(items).toHaveLength(1);
        return items[0] as ConflictItem;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: "the partial write in kubectl replistore conflicts" },
    );
    expect(listed).toMatchObject({ key, kind: "partial_write", status: "pending", ownersFailed: [PODS[2]] });
    const partial = listed.versions.find((v) => v.role === "partial");
    const replaced = listed.versions.find((v) => v.role === "replaced");
    expect([partial?.value, replaced?.value]).toEqual(["the partial value", "the value before"]);
    conflict = { id: listed.id, key, partial: partial?.version ?? "", replaced: replaced?.version ?? "" };

    const table = await plugin(["conflicts", "list", STORE]);
    expect(table.stdout).toMatch(new RegExp(`^${listed.id} +${key} +partial_write +pending +2 `, "m"));
    const status = await plugin(["status", STORE]);
    expect(status.stdout).toMatch(/^Conflicts: +1 pending, oldest .+ ago \(policy Review\)$/m);

    // Both renderings of the alert (the chart's for every store, the store's own) fire for this
    // store, and the chart's recovers the store's name from the job label.
    const server = prometheus as PrometheusProcess;
    await eventually(
      async () => {
        const groups = await server.ruleGroups();
        for (const group of ["replistore.stores", storeRuleGroup]) {
          const rule = groups
            .find((g) => g.name === group)
            ?.rules.find((r) => r.name === "ReplistorePartialWrites");
          expect(rule?.state, `${group}: ${JSON.stringify(rule)}`).toBe("firing");
          expect(rule?.alerts?.map((a) => a.labels)).toEqual([
            { alertname: "ReplistorePartialWrites", namespace: NS, job: JOB, severity: "warning" },
          ]);
          expect(rule?.alerts?.[0]?.annotations.summary).toBe(
            `${NS}/${STORE} has new partial writes to review`,
          );
        }
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: "ReplistorePartialWrites firing for the store" },
    );
  });

  it("the operator's review page lists the store, its nodes' conflict, and resolves it in Chromium", async () => {
    // The installed release serves no review page (review.enabled is false) and the shared release
    // must not be upgraded, so one more operator replica runs here as a user would run it from a
    // workstation, watching only this namespace. Every replica serves the page, standbys too; its
    // Lease (in this namespace, held by nobody that renews it, for longer than the test) keeps this
    // one a standby, so it never reconciles alongside the installed operator.
    await apply(
      JSON.stringify({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: "replistore-operator", namespace: NS },
        spec: {
          holderIdentity: LEASE_HOLDER,
          leaseDurationSeconds: 3600,
          renewTime: new Date().toISOString().replace("Z", "000Z"),
        },
      }),
      NS,
    );
    const port = await freePort();
    operator = spawn(
      process.execPath,
      [
        "--disable-warning=ExperimentalWarning",
        join(ROOT, "src", "cli", "main.ts"),
        "operator",
        "-n",
        NS,
        "--leader-election-namespace",
        NS,
        "--identity",
        "e2e-observability-review",
        "--lease-duration",
        "1h",
        "--renew-deadline",
        "50m",
        "--review-listen",
        `127.0.0.1:${port}`,
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    for (const stream of [operator.stdout, operator.stderr]) {
      stream?.setEncoding("utf8").on("data", (chunk: string) => {
        operatorLog += chunk;
      });
    }
    const url = `http://127.0.0.1:${port}/`;
    await eventually(
      async () => {
        if (operator?.exitCode !== null) throw new Error(`the operator exited:\n${operatorLog}`);
        const res = await fetch(`${url}api/stores`, { headers: { "x-replistore-review": "1" } });
        const body = (await res.json()) as { stores: Array<Record<string, unknown>> };
        expect(body.stores).toEqual([
          expect.objectContaining({ id: `${NS}/${STORE}`, mode: "Leaderless", phase: "Ready", ready: "3/3" }),
        ]);
      },
      { timeoutMs: 60_000, intervalMs: 500, what: "the review page lists the store" },
    );

    browser = await launchChromium();
    const page: Page = await browser.newPage();
    await page.goto(url);
    const section = page.locator(`section.store[data-store="${NS}/${STORE}"]`);
    await expect.poll(() => section.locator(".count").textContent(), { timeout: 30_000 }).toBe("1 pending");
    expect(await section.locator("header").textContent()).toContain("Leaderless · Ready · 3/3 ready");
    expect(await page.locator("#via").textContent()).toBe(
      "the operator reaches store nodes at their pod IPs",
    );
    const row = section.locator(`tr.conflict[data-conflict="${conflict.id}"]`);
    expect(await row.locator("td.key").textContent()).toBe(conflict.key);
    expect(await row.textContent()).toContain("partial write");

    await row.click();
    const detail = page.locator("#detail");
    await detail.locator(`article.version[data-version="${conflict.partial}"]`).waitFor();
    expect(
      await detail.locator(`article.version[data-version="${conflict.partial}"] pre.value`).textContent(),
    ).toBe("the partial value");
    expect(
      await detail.locator(`article.version[data-version="${conflict.replaced}"] pre.value`).textContent(),
    ).toBe("the value before");
    // The page names the node pod that answered, reached at its pod IP.
    expect(PODS).toContain(await detail.locator(".answered-by").textContent());

    await page.locator("#who").fill("oncall@example.com");
    await detail.locator(`input.choice-keep[value="keep:${conflict.replaced}"]`).check();
    await detail.locator("textarea.note").fill("the w=3 write was retried elsewhere");
    await detail.locator("button.resolve").click();
    const dialog = page.locator("dialog#confirm");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.locator("#confirm-ok").click();
    await expect
      .poll(() => detail.locator(".notice").textContent(), { timeout: 30_000 })
      .toContain("Resolved");
    await expect.poll(() => section.locator(".body").textContent()).toContain("No pending conflicts");

    // Written as a new version on every node: the owner that missed both writes has the kept value,
    // and the queue is empty again for the plugin too.
    await eventually(
      async () => {
        const res = await node(2, "GET", `/v1/kv/${encodeURIComponent(conflict.key)}?local=true`);
        expect(await res.text()).toBe("the value before");
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: `${PODS[2]} has the kept value` },
    );
    const pending = await plugin(["conflicts", "list", STORE]);
    expect(pending.stdout).toBe("no conflicts\n");
    const resolved = await plugin(["conflicts", "list", STORE, "--status", "resolved", "-o", "json"]);
    expect((JSON.parse(resolved.stdout) as { items: ConflictItem[] }).items).toMatchObject([
      {
        id: conflict.id,
        status: "resolved",
        resolution: { by: "oncall@example.com", kept: conflict.replaced },
      },
    ]);

    // The page's replica stayed a standby throughout.
    const lease = await kubectlJson<{ spec: { holderIdentity?: string } }>([
      "get",
      "lease",
      "replistore-operator",
      "-n",
      NS,
    ]);
    expect(lease.spec.holderIdentity).toBe(LEASE_HOLDER);
    expect(operatorLog).not.toContain("became leader");
  });
});
