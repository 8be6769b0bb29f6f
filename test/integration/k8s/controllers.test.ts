/**
 * The harness runs the real kube-controller-manager: the StatefulSet controller creates pods (they
 * stay Pending: no scheduler or kubelet) and the garbage collector deletes what an owner leaves
 * behind, including objects owned by a ReplicatedStore, as the operator's will be.
 */
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../../../src/api/names.ts";
import { eventually } from "../../support/eventually.ts";
import { useControlPlane } from "../../support/k8s/fixture.ts";
import { createNamespace, setPodReady } from "../../support/k8s/index.ts";

// Installed before the controller manager starts, so its garbage collector watches stores at once.
const env = useControlPlane({ crds: [CRD_FILE] });

async function podsOf(namespace: string, app: string): Promise<V1Pod[]> {
  const list = await env.clients.core.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
  return list.items;
}

describe("kube-controller-manager in the test control plane", () => {
  it("creates a StatefulSet's pods and garbage-collects them when it is deleted", async () => {
    const namespace = await createNamespace(env.clients, "sts");
    await createStatefulSet(namespace, "web", "Parallel");
    const pods = await eventually(
      async () => {
        const all = await podsOf(namespace, "web");
        if (all.length !== 2) throw new Error(`${all.length} pods`);
        return all;
      },
      { timeoutMs: 30_000, what: "2 pods created" },
    );
    expect(pods.map((pod) => pod.metadata?.name).sort()).toEqual(["web-0", "web-1"]);
    for (const pod of pods) {
      // No scheduler or kubelet: created, owned, and Pending for good.
      expect(pod.status?.phase).toBe("Pending");
      expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "StatefulSet", name: "web" });
    }

    await env.clients.apps.deleteNamespacedStatefulSet({ namespace, name: "web" });
    // Unscheduled pods need no kubelet to confirm their deletion: they disappear outright.
    await eventually(
      async () => {
        const left = await podsOf(namespace, "web");
        if (left.length > 0) throw new Error(`${left.length} pods left`);
      },
      { timeoutMs: 60_000, what: "pods garbage-collected" },
    );
  });

  it("lets a test play kubelet: web-1 comes only after web-0 is marked ready", async () => {
    const namespace = await createNamespace(env.clients, "ordered");
    await createStatefulSet(namespace, "db", "OrderedReady");
    await eventually(async () => (await podsOf(namespace, "db")).length === 1, {
      timeoutMs: 30_000,
      what: "db-0 created",
    });
    await setPodReady(env.clients, namespace, "db-0", true);
    const pods = await eventually(
      async () => {
        const all = await podsOf(namespace, "db");
        if (all.length !== 2) throw new Error(`${all.length} pods`);
        return all;
      },
      { timeoutMs: 30_000, what: "db-1 created after db-0 is ready" },
    );
    expect(pods.map((pod) => pod.metadata?.name).sort()).toEqual(["db-0", "db-1"]);
    const statefulSet = await env.clients.apps.readNamespacedStatefulSet({ namespace, name: "db" });
    await eventually(async () => {
      const current = await env.clients.apps.readNamespacedStatefulSet({ namespace, name: "db" });
      return current.status?.readyReplicas === 1;
    });
    expect(statefulSet.spec?.replicas).toBe(2);
  });

  it("garbage-collects objects owned by a ReplicatedStore when the store is deleted", async () => {
    const namespace = await createNamespace(env.clients, "owned");
    const created = (await env.clients.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      body: { apiVersion: API_VERSION, kind: KIND, metadata: { name: "orders" }, spec: {} },
    })) as { metadata: { uid: string } };
    await env.clients.core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: "orders-config",
          ownerReferences: [
            {
              apiVersion: API_VERSION,
              kind: KIND,
              name: "orders",
              uid: created.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        data: { "config.yaml": "replicas: 3\n" },
      },
    });

    await env.clients.custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      name: "orders",
    });
    await eventually(
      async () => {
        const list = await env.clients.core.listNamespacedConfigMap({ namespace });
        const names = list.items.map((item) => item.metadata?.name);
        if (names.includes("orders-config")) throw new Error("orders-config still exists");
      },
      { timeoutMs: 20_000, what: "owned ConfigMap garbage-collected" },
    );
  });
});

async function createStatefulSet(
  namespace: string,
  name: string,
  podManagementPolicy: "Parallel" | "OrderedReady",
): Promise<void> {
  const labels = { app: name };
  await env.clients.apps.createNamespacedStatefulSet({
    namespace,
    body: {
      metadata: { name },
      spec: {
        replicas: 2,
        serviceName: name,
        podManagementPolicy,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name, image: "registry.invalid/replistore:test" }] },
        },
      },
    },
  });
}
