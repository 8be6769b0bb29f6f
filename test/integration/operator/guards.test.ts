/**
 * What the operator refuses or handles with care: a mode change on a live store, a storage change a
 * StatefulSet cannot make, monitoring objects that come and go with the spec, the auth Secret it
 * creates once and never overwrites, and only the namespaces it was told to watch. Also the
 * `replistore operator` command as a process.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig, type KubernetesObject, KubernetesObjectApi, loadAllYaml } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import type { ClusterConfig } from "../../../src/config/cluster-config.ts";
import { startCli } from "../../support/cli.ts";
import { eventually } from "../../support/eventually.ts";
import { createNamespace, writeMonitoringCrds } from "../../support/k8s/index.ts";
import { freePort } from "../../support/ports.ts";
import {
  conditionOf,
  createStore,
  patchSpec,
  startOperator,
  useOperatorPlane,
  waitForEvent,
  waitForStatus,
} from "./harness.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

let crdDir: string;
/** The namespace the in-process operator watches; the others are out of its sight. */
let watched: string;

const env = useOperatorPlane({
  crds: [CRD_FILE],
  moreCrdFiles: async () => {
    crdDir = await mkdtemp(join(tmpdir(), "replistore-crds-"));
    return writeMonitoringCrds(crdDir);
  },
  operator: async (clients) => {
    watched = await createNamespace(clients, "watched");
    return { namespaces: [watched] };
  },
});

afterAll(async () => {
  if (crdDir) await rm(crdDir, { recursive: true, force: true });
});

async function configOf(namespace: string, name: string): Promise<ClusterConfig> {
  const map = await env.clients.core.readNamespacedConfigMap({ namespace, name: `${name}-config` });
  return JSON.parse(map.data?.["cluster.json"] ?? "{}") as ClusterConfig;
}

describe("operator: refusals and optional objects", () => {
  it("refuses a mode change on a live store with a condition and an event, and recovers when reverted", async () => {
    await createStore(env.clients, watched, "modes", { replicas: 3 });
    await eventually(
      () => env.clients.apps.readNamespacedStatefulSet({ namespace: watched, name: "modes" }),
      {
        timeoutMs: 30_000,
        what: "StatefulSet",
      },
    );
    await patchSpec(env.clients, watched, "modes", {
      replicas: 4,
      mode: "MultiLeader",
      multiLeader: { leaders: 2 },
    });
    const refused = await waitForStatus(
      env.clients,
      watched,
      "modes",
      (s) => conditionOf(s, "Degraded")?.reason === "ModeChangeRefused",
      "ModeChangeRefused",
    );
    expect(conditionOf(refused, "Ready")).toMatchObject({ status: "False", reason: "ModeChangeRefused" });
    expect(conditionOf(refused, "Degraded")?.message).toContain("set spec.mode back to Leaderless");
    expect(refused.status?.observedGeneration).toBe(2);
    const event = await waitForEvent(env.clients, watched, "modes", "ModeChangeRefused");
    expect(event.type).toBe("Warning");
    // Nothing of the refused generation was applied, not even the replica count.
    const sts = await env.clients.apps.readNamespacedStatefulSet({ namespace: watched, name: "modes" });
    expect(sts.spec?.replicas).toBe(3);
    expect(sts.metadata?.annotations?.["replistore.io/mode"]).toBe("Leaderless");
    expect((await configOf(watched, "modes")).mode).toBe("Leaderless");

    await patchSpec(env.clients, watched, "modes", { mode: "Leaderless", multiLeader: null });
    await waitForStatus(
      env.clients,
      watched,
      "modes",
      (s) => conditionOf(s, "Degraded")?.status === "False" && s.status?.observedGeneration === 3,
      "no longer degraded",
    );
    await waitForEvent(env.clients, watched, "modes", "Recovered");
    await eventually(
      async () =>
        (await env.clients.apps.readNamespacedStatefulSet({ namespace: watched, name: "modes" })).spec
          ?.replicas === 4,
      { timeoutMs: 20_000, what: "replicas 4 applied" },
    );
  });

  it("keeps the running claim template when spec.storage changes, and says what to do", async () => {
    await createStore(env.clients, watched, "disks", { replicas: 1, storage: { size: "1Gi" } });
    await eventually(
      () => env.clients.apps.readNamespacedStatefulSet({ namespace: watched, name: "disks" }),
      {
        timeoutMs: 30_000,
        what: "StatefulSet",
      },
    );
    await patchSpec(env.clients, watched, "disks", {
      storage: { size: "5Gi" },
      antiEntropy: { suspend: true },
    });
    const store = await waitForStatus(
      env.clients,
      watched,
      "disks",
      (s) => conditionOf(s, "Degraded")?.reason === "StorageChangeNotApplied",
      "StorageChangeNotApplied",
    );
    expect(conditionOf(store, "Degraded")?.message).toContain("resize each PersistentVolumeClaim");
    const sts = await env.clients.apps.readNamespacedStatefulSet({ namespace: watched, name: "disks" });
    expect(sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage).toBe("1Gi");
    // The rest of the change did apply.
    const cron = await env.clients.batch.readNamespacedCronJob({ namespace: watched, name: "disks-repair" });
    expect(cron.spec?.suspend).toBe(true);
  });

  it("creates and deletes the ServiceMonitor, PrometheusRule and dashboards with spec.monitoring", async () => {
    const objects = KubernetesObjectApi.makeApiClient(env.clients.config);
    const list = async (kind: string) =>
      (await objects.list("monitoring.coreos.com/v1", kind, watched)).items.map((o) => o.metadata?.name);
    const dashboards = async () =>
      (
        await env.clients.core.listNamespacedConfigMap({
          namespace: watched,
          labelSelector: "grafana_dashboard=1",
        })
      ).items.map((m) => m.metadata?.name);
    const store = await createStore(env.clients, watched, "watchme", {
      replicas: 1,
      monitoring: { serviceMonitor: true, prometheusRule: true, dashboard: true },
    });
    await eventually(
      async () =>
        (await list("ServiceMonitor")).includes("watchme") &&
        (await list("PrometheusRule")).includes("watchme") &&
        (await dashboards()).includes("watchme-dashboards"),
      { timeoutMs: 30_000, what: "monitoring objects created" },
    );
    const monitor = await objects.read({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "watchme", namespace: watched },
    });
    expect(monitor.metadata?.ownerReferences?.[0]?.uid).toBe(store.metadata.uid);

    await patchSpec(env.clients, watched, "watchme", {
      monitoring: { serviceMonitor: false, prometheusRule: false, dashboard: false },
    });
    await eventually(
      async () =>
        !(await list("ServiceMonitor")).includes("watchme") &&
        !(await list("PrometheusRule")).includes("watchme") &&
        !(await dashboards()).includes("watchme-dashboards"),
      { timeoutMs: 30_000, what: "monitoring objects deleted" },
    );
    const deleted = await waitForEvent(env.clients, watched, "watchme", "Deleted");
    expect(deleted.message).toContain("ServiceMonitor watchme");
  });

  it("creates the auth Secret with a random token once, and never overwrites one that exists", async () => {
    await createStore(env.clients, watched, "locked", { replicas: 1, auth: { secretName: "locked-token" } });
    const secret = await eventually(
      () => env.clients.core.readNamespacedSecret({ namespace: watched, name: "locked-token" }),
      {
        timeoutMs: 30_000,
        what: "Secret",
      },
    );
    const token = Buffer.from(secret.data?.token ?? "", "base64").toString();
    expect(token.length).toBeGreaterThanOrEqual(32);
    const sts = await eventually(
      () => env.clients.apps.readNamespacedStatefulSet({ namespace: watched, name: "locked" }),
      {
        timeoutMs: 30_000,
      },
    );
    const containerEnv = sts.spec?.template.spec?.containers[0]?.env ?? [];
    expect(containerEnv.find((e) => e.name === "REPLISTORE_TOKEN")?.valueFrom?.secretKeyRef).toMatchObject({
      name: "locked-token",
      key: "token",
    });

    await env.clients.core.createNamespacedSecret({
      namespace: watched,
      body: { metadata: { name: "mine" }, stringData: { token: "chosen-by-me" } },
    });
    await createStore(env.clients, watched, "own", { replicas: 1, auth: { secretName: "mine" } });
    await eventually(() => env.clients.apps.readNamespacedStatefulSet({ namespace: watched, name: "own" }), {
      timeoutMs: 30_000,
    });
    const kept = await env.clients.core.readNamespacedSecret({ namespace: watched, name: "mine" });
    expect(Buffer.from(kept.data?.token ?? "", "base64").toString()).toBe("chosen-by-me");
    expect(kept.metadata?.ownerReferences).toBeUndefined();
  });

  it("with role Secrets, creates the missing ones (a token each), keeps the user's, and hands each role its variable", async () => {
    await env.clients.core.createNamespacedSecret({
      namespace: watched,
      body: { metadata: { name: "roles-admin" }, stringData: { token: "admin-chosen-by-me" } },
    });
    await createStore(env.clients, watched, "roles", {
      replicas: 1,
      auth: {
        read: { secretName: "roles-read" },
        write: { secretName: "roles-write" },
        admin: { secretName: "roles-admin" },
      },
    });
    const tokenOf = async (name: string) => {
      const secret = await eventually(
        () => env.clients.core.readNamespacedSecret({ namespace: watched, name }),
        {
          timeoutMs: 30_000,
          what: `Secret ${name}`,
        },
      );
      return Buffer.from(secret.data?.token ?? "", "base64").toString();
    };
    const read = await tokenOf("roles-read");
    const write = await tokenOf("roles-write");
    expect(read.length).toBeGreaterThanOrEqual(32);
    expect(write).not.toBe(read);
    expect(await tokenOf("roles-admin")).toBe("admin-chosen-by-me");
    const sts = await eventually(
      () => env.clients.apps.readNamespacedStatefulSet({ namespace: watched, name: "roles" }),
      { timeoutMs: 30_000 },
    );
    const tokenVars = (env: { name: string; valueFrom?: { secretKeyRef?: { name?: string } } }[]) =>
      Object.fromEntries(
        env.filter((e) => e.name.endsWith("TOKEN")).map((e) => [e.name, e.valueFrom?.secretKeyRef?.name]),
      );
    expect(tokenVars(sts.spec?.template.spec?.containers[0]?.env ?? [])).toEqual({
      REPLISTORE_READ_TOKEN: "roles-read",
      REPLISTORE_WRITE_TOKEN: "roles-write",
      REPLISTORE_ADMIN_TOKEN: "roles-admin",
    });
    const job = await eventually(
      () => env.clients.batch.readNamespacedCronJob({ namespace: watched, name: "roles-repair" }),
      { timeoutMs: 30_000 },
    );
    expect(tokenVars(job.spec?.jobTemplate.spec?.template.spec?.containers[0]?.env ?? [])).toEqual({
      REPLISTORE_TOKEN: "roles-admin",
    });
  });

  it("the apiserver refuses an auth that names no Secret, with the rule's message", async () => {
    await expect(createStore(env.clients, watched, "no-secret", { replicas: 1, auth: {} })).rejects.toThrow(
      /spec.auth must name at least one Secret/,
    );
  });

  it("leaves stores in namespaces it does not watch alone", async () => {
    const elsewhere = await createNamespace(env.clients, "unwatched");
    await createStore(env.clients, elsewhere, "ignored", { replicas: 1 });
    await createStore(env.clients, watched, "noticed", { replicas: 1 });
    await eventually(
      () => env.clients.apps.readNamespacedStatefulSet({ namespace: watched, name: "noticed" }),
      {
        timeoutMs: 30_000,
      },
    );
    await env.operator.idle();
    const sets = await env.clients.apps.listNamespacedStatefulSet({ namespace: elsewhere });
    expect(sets.items).toEqual([]);
  });
});

describe("operator RBAC (deploy/01-rbac.yaml, from the chart)", () => {
  it("is enough to reconcile a store with auth and monitoring, as the operator's service account", async () => {
    const objects = KubernetesObjectApi.makeApiClient(env.clients.config);
    const manifests = loadAllYaml(
      await readFile(join(ROOT, "deploy/01-rbac.yaml"), "utf8"),
    ) as KubernetesObject[];
    for (const manifest of manifests) await objects.create(manifest);
    // The Deployment as shipped: its pods pass the namespace's restricted Pod Security level.
    const deployment = loadAllYaml(
      await readFile(join(ROOT, "deploy/02-operator.yaml"), "utf8"),
    ) as KubernetesObject[];
    for (const manifest of deployment) await objects.create(manifest);
    await eventually(
      async () => {
        const pods = await env.clients.core.listNamespacedPod({
          namespace: "replistore-system",
          labelSelector: "app.kubernetes.io/name=replistore-operator",
        });
        if (pods.items.length !== 2) throw new Error(`${pods.items.length} operator pods`);
      },
      { timeoutMs: 30_000, what: "the operator Deployment's 2 pods admitted" },
    );
    const request = await env.clients.core.createNamespacedServiceAccountToken({
      namespace: "replistore-system",
      name: "replistore-operator",
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const token = request.status?.token ?? "";
    const asOperator = new KubeConfig();
    asOperator.loadFromOptions({
      clusters: [
        {
          name: "test",
          server: env.plane.server,
          caData: env.plane.tls.ca.toString("base64"),
          skipTLSVerify: false,
        },
      ],
      users: [{ name: "operator", token }],
      contexts: [{ name: "operator", cluster: "test", user: "operator" }],
      currentContext: "operator",
    });

    const namespace = await createNamespace(env.clients, "rbac");
    const restricted = await startOperator(env.clients, {
      kubeConfig: asOperator,
      namespaces: [namespace],
      // The Lease is part of what the role must allow.
      leaderElection: {
        namespace: "replistore-system",
        name: "replistore-operator",
        identity: "rbac-test",
        leaseDurationMs: 3_000,
        renewDeadlineMs: 2_000,
        retryPeriodMs: 500,
      },
    });
    try {
      await createStore(env.clients, namespace, "guarded", {
        replicas: 1,
        auth: { secretName: "guarded-token" },
        monitoring: { serviceMonitor: true, prometheusRule: true },
      });
      await eventually(() => restricted.isLeader(), {
        timeoutMs: 10_000,
        what: "leading with the role's Lease rights",
      });
      await waitForStatus(
        env.clients,
        namespace,
        "guarded",
        (s) => s.status?.observedGeneration === 1,
        "status",
      );
      await env.clients.core.readNamespacedSecret({ namespace, name: "guarded-token" });
      await objects.read({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "guarded", namespace },
      });
      await waitForEvent(env.clients, namespace, "guarded", "Created");
      await restricted.idle();
      expect(restricted.apiStats().queue.failed).toBe(0);
      // Turning the ServiceMonitor off deletes it, which needs the delete verb.
      await patchSpec(env.clients, namespace, "guarded", { monitoring: { serviceMonitor: false } });
      await waitForEvent(env.clients, namespace, "guarded", "Deleted");
      await restricted.idle();
      expect(restricted.apiStats().queue.failed).toBe(0);
    } finally {
      await restricted.stop();
    }
  });
});

describe("replistore operator (the command)", () => {
  it("reconciles with --kubeconfig and --namespace, serves metrics, logs the store on each line, stops on SIGTERM", async () => {
    const namespace = await createNamespace(env.clients, "cli");
    const metricsPort = await freePort();
    const { child, stdout, stderr, exited } = startCli([
      "operator",
      "--kubeconfig",
      env.plane.kubeconfigPath,
      "--namespace",
      namespace,
      "--concurrency",
      "1",
      "--no-leader-elect",
      "--metrics-listen",
      `127.0.0.1:${metricsPort}`,
    ]);
    try {
      await eventually(() => stdout().includes("caches synced"), {
        timeoutMs: 30_000,
        what: `operator up (${stderr()})`,
      });
      await createStore(env.clients, namespace, "cli", { replicas: 2 });
      await waitForStatus(
        env.clients,
        namespace,
        "cli",
        (s) => s.status?.observedGeneration === 1,
        "status from the CLI",
      );
      const sts = await env.clients.apps.readNamespacedStatefulSet({ namespace, name: "cli" });
      expect(sts.spec?.replicas).toBe(2);
      const base = `http://127.0.0.1:${metricsPort}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/replistore_operator_reconciles_total\{result="success"\} [1-9]/);
      expect(metrics).toMatch(/replistore_operator_api_writes_total\{verb="apply",kind="StatefulSet"\} 1/);
      expect(metrics).toMatch(/replistore_operator_stores\{phase="Pending"\} 1/);
      expect(metrics).toContain("replistore_operator_leader 1");
      expect(metrics).toContain("replistore_operator_queue_depth 0");
      expect(metrics).toContain("replistore_operator_reconcile_duration_seconds_bucket");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    const lines = stdout()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const storeLines = lines.filter((l) => l.msg === "applied" || l.msg === "status updated");
    expect(storeLines.length).toBeGreaterThan(0);
    for (const line of storeLines) expect(line).toMatchObject({ namespace, name: "cli" });
    expect(lines.at(-1)?.msg).toBe("operator stopped");
  });
});
