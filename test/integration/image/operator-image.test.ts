/**
 * The operator as it runs in a cluster: the image's `replistore operator` (read-only root, uid 10001)
 * with the chart's RBAC from deploy/01-rbac.yaml (generated from charts/replistore), authenticated as
 * its service account, against the real test control plane. This is what proves the chart's
 * least-privilege rules are enough: a store with auth, monitoring and multi-leader pods is reconciled
 * with no forbidden request; turning monitoring off deletes the ServiceMonitor; SIGTERM releases
 * the Lease. Also: deploy/02-operator.yaml's pods pass the namespace's restricted Pod Security level.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KubernetesObject, KubernetesObjectApi, loadAllYaml } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { eventually, freePort, metricValue, parseMetrics } from "../../support/index.ts";
import {
  type ControlPlane,
  createNamespace,
  type KubeClients,
  kubeClients,
  startControlPlane,
  writeMonitoringCrds,
} from "../../support/k8s/index.ts";
import { createStore, patchSpec, waitForEvent, waitForStatus } from "../operator/harness.ts";
import { IMAGE, podman, podmanOk, ROOT, requireImage } from "./podman.ts";

const OPERATOR_NAMESPACE = "replistore-system";
const NODE_IMAGE = "registry.invalid/replistore:nodes";

let plane: ControlPlane;
let clients: KubeClients;
let dir: string;
const container = `replistore-test-operator-${process.pid}`;

async function createAll(file: string): Promise<KubernetesObject[]> {
  const objects = KubernetesObjectApi.makeApiClient(clients.config);
  const manifests = loadAllYaml(await readFile(join(ROOT, file), "utf8")) as KubernetesObject[];
  for (const manifest of manifests) await objects.create(manifest);
  return manifests;
}

beforeAll(async () => {
  requireImage();
  dir = await mkdtemp(join(tmpdir(), "replistore-operator-image-"));
  plane = await startControlPlane({
    crdFiles: [join(ROOT, CRD_FILE), ...(await writeMonitoringCrds(dir))],
  });
  clients = kubeClients(plane.kubeconfigPath);
});

afterAll(async () => {
  await podman(["rm", "--force", "--time", "2", container]);
  await plane?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("replistore operator in the image, with the chart's RBAC", () => {
  it("deploy/01-rbac.yaml and 02-operator.yaml apply, and the operator's pods pass restricted Pod Security", async () => {
    const rbac = await createAll("deploy/01-rbac.yaml");
    expect(rbac.map((o) => o.kind)).toContain("Namespace");
    await createAll("deploy/02-operator.yaml");
    await eventually(
      async () => {
        const pods = await clients.core.listNamespacedPod({
          namespace: OPERATOR_NAMESPACE,
          labelSelector: "app.kubernetes.io/name=replistore-operator",
        });
        if (pods.items.length !== 2) throw new Error(`${pods.items.length} operator pods`);
      },
      { timeoutMs: 30_000, what: "the operator Deployment's 2 pods admitted" },
    );
  });

  it("reconciles a store with auth, monitoring and multi-leader pods as its service account, then releases the Lease on SIGTERM", async () => {
    const token = await clients.core.createNamespacedServiceAccountToken({
      namespace: OPERATOR_NAMESPACE,
      name: "replistore-operator",
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const kubeDir = join(dir, "kube");
    await mkdir(kubeDir, { mode: 0o755 });
    await writeFile(
      join(kubeDir, "config"),
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          {
            name: "test",
            cluster: { server: plane.server, "certificate-authority-data": plane.tls.ca.toString("base64") },
          },
        ],
        users: [{ name: "operator", user: { token: token.status?.token } }],
        contexts: [{ name: "operator", context: { cluster: "test", user: "operator" } }],
        "current-context": "operator",
      }),
      { mode: 0o644 },
    );

    const namespace = await createNamespace(clients, "image");
    const metricsPort = await freePort();
    await podmanOk([
      "run",
      "--detach",
      "--name",
      container,
      "--read-only",
      "--network",
      "host",
      "--volume",
      `${kubeDir}:/kube:ro`,
      "--env",
      `POD_NAMESPACE=${OPERATOR_NAMESPACE}`,
      "--env",
      "POD_NAME=operator-in-podman",
      IMAGE,
      "operator",
      "--kubeconfig",
      "/kube/config",
      "--namespace",
      namespace,
      "--image",
      NODE_IMAGE,
      "--metrics-listen",
      `127.0.0.1:${metricsPort}`,
      "--lease-duration",
      "3s",
      "--renew-deadline",
      "2s",
      "--retry-period",
      "500ms",
    ]);
    const metrics = async () =>
      parseMetrics(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    const logs = async () => {
      const result = await podman(["logs", container]);
      return result.stdout + result.stderr;
    };
    await eventually(
      async () => {
        const state = (await podmanOk(["inspect", "--format", "{{.State.Status}}", container])).trim();
        if (state !== "running") throw new Error(`container ${state}:\n${await logs()}`);
        if (metricValue(await metrics(), "replistore_operator_leader") !== 1) {
          throw new Error(`not leading yet; its log:\n${(await logs()).slice(-3000)}`);
        }
      },
      { timeoutMs: 30_000, what: "the operator in the container leads, with the role's Lease rights" },
    );

    await createStore(clients, namespace, "guarded", {
      replicas: 3,
      mode: "MultiLeader",
      multiLeader: { leaders: 2, topology: "Star" },
      auth: { secretName: "guarded-token" },
      monitoring: { serviceMonitor: true, prometheusRule: true },
    });
    await waitForStatus(clients, namespace, "guarded", (s) => s.status?.observedGeneration === 1, "status");
    const set = await clients.apps.readNamespacedStatefulSet({ namespace, name: "guarded" });
    expect(set.spec?.template.spec?.containers[0]?.image).toBe(NODE_IMAGE);
    await clients.core.readNamespacedSecret({ namespace, name: "guarded-token" });
    const objects = KubernetesObjectApi.makeApiClient(clients.config);
    for (const kind of ["ServiceMonitor", "PrometheusRule"]) {
      await objects.read({
        apiVersion: "monitoring.coreos.com/v1",
        kind,
        metadata: { name: "guarded", namespace },
      });
    }
    await waitForEvent(clients, namespace, "guarded", "Created");

    // Turning the ServiceMonitor off deletes it, which needs the delete verb.
    await patchSpec(clients, namespace, "guarded", { monitoring: { serviceMonitor: false } });
    await waitForEvent(clients, namespace, "guarded", "Deleted");
    await eventually(
      async () => {
        const samples = await metrics();
        if (metricValue(samples, "replistore_operator_queue_depth") !== 0) throw new Error("queue not empty");
        return samples;
      },
      { timeoutMs: 20_000, what: "the operator idle" },
    );
    const samples = await metrics();
    expect(metricValue(samples, "replistore_operator_api_errors_total") ?? 0).toBe(0);
    expect(metricValue(samples, "replistore_operator_reconciles_total", { result: "error" }) ?? 0).toBe(0);
    const log = await logs();
    expect(log).not.toMatch(/forbidden/i);
    expect(log).not.toMatch(/EROFS|read-only file system/i);

    // SIGTERM: the operator stops, exits 0 and gives the Lease up for a standby to take at once.
    await podmanOk(["stop", "--time", "20", container], 30_000);
    expect(
      (await podmanOk(["inspect", "--format", "{{.State.ExitCode}}", container])).trim(),
      await logs(),
    ).toBe("0");
    const lease = await clients.coordination.readNamespacedLease({
      namespace: OPERATOR_NAMESPACE,
      name: "replistore-operator",
    });
    expect(lease.spec?.holderIdentity ?? "").toBe("");
  });
});
