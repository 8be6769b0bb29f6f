/**
 * The operator against a real control plane: a store's objects appear, follow the spec, report pod
 * readiness in status, and go with the store; an unchanged store costs no writes.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ClusterConfig } from "../../../src/config/cluster-config.ts";
import { eventually } from "../../support/eventually.ts";
import { createNamespace, setPodReady } from "../../support/k8s/index.ts";
import {
  conditionOf,
  createStore,
  deleteStore,
  patchSpec,
  readStore,
  type StoreObject,
  storeEvents,
  useOperatorPlane,
  waitForEvent,
  waitForStatus,
} from "./harness.ts";

const env = useOperatorPlane();

async function ownedObjects(namespace: string, name: string): Promise<Record<string, KubernetesObject>> {
  const [sts, peers, client, config, pdb, cron, policy] = await Promise.all([
    env.clients.apps.readNamespacedStatefulSet({ namespace, name }),
    env.clients.core.readNamespacedService({ namespace, name: `${name}-peers` }),
    env.clients.core.readNamespacedService({ namespace, name }),
    env.clients.core.readNamespacedConfigMap({ namespace, name: `${name}-config` }),
    env.clients.policy.readNamespacedPodDisruptionBudget({ namespace, name }),
    env.clients.batch.readNamespacedCronJob({ namespace, name: `${name}-repair` }),
    env.clients.networking.readNamespacedNetworkPolicy({ namespace, name }),
  ]);
  return {
    StatefulSet: sts,
    "peers Service": peers,
    "client Service": client,
    ConfigMap: config,
    PodDisruptionBudget: pdb,
    CronJob: cron,
    NetworkPolicy: policy,
  };
}

async function waitForObjects(namespace: string, name: string): Promise<Record<string, KubernetesObject>> {
  return eventually(() => ownedObjects(namespace, name), { timeoutMs: 30_000, what: "owned objects" });
}

function clusterConfig(objects: Record<string, KubernetesObject>): ClusterConfig {
  const map = objects.ConfigMap as { data?: Record<string, string> };
  return JSON.parse(map.data?.["cluster.json"] ?? "{}") as ClusterConfig;
}

async function podNames(namespace: string, name: string): Promise<string[]> {
  const list = await env.clients.core.listNamespacedPod({
    namespace,
    labelSelector: `app.kubernetes.io/instance=${name},app.kubernetes.io/component=node`,
  });
  return list.items.map((p) => p.metadata?.name ?? "").sort();
}

describe("operator: a store's lifecycle", () => {
  it("creates the StatefulSet, Services, ConfigMap, PDB, CronJob and NetworkPolicy, owned by the store", async () => {
    const namespace = await createNamespace(env.clients, "create");
    const created = await createStore(env.clients, namespace, "orders", { replicas: 3 });
    const objects = await waitForObjects(namespace, "orders");
    for (const [what, object] of Object.entries(objects)) {
      expect(object.metadata?.ownerReferences, what).toEqual([
        expect.objectContaining({
          kind: "ReplicatedStore",
          name: "orders",
          uid: created.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        }),
      ]);
      expect(object.metadata?.labels?.["app.kubernetes.io/managed-by"], what).toBe("replistore-operator");
      expect(
        object.metadata?.managedFields?.some((f) => f.manager === "replistore-operator"),
        what,
      ).toBe(true);
    }
    expect(clusterConfig(objects).members.map((m) => [m.url, m.peerUrl])).toEqual(
      [0, 1, 2].map((i) => [
        `https://orders-${i}.orders-peers.${namespace}.svc:7070`,
        `https://orders-${i}.orders-peers.${namespace}.svc:7071`,
      ]),
    );
    const store = await waitForStatus(
      env.clients,
      namespace,
      "orders",
      (s) => s.status?.observedGeneration === 1 && s.status.replicas === 3,
      "status for generation 1 with 3 pods",
    );
    expect(store.status).toMatchObject({ phase: "Pending", readyReplicas: 0, quorum: "N=3 W=2 R=2" });
    expect(conditionOf(store, "Ready")).toMatchObject({ status: "False" });
    expect(conditionOf(store, "QuorumAvailable")).toMatchObject({
      status: "False",
      reason: "WaitingForReplicas",
    });
    const event = await waitForEvent(env.clients, namespace, "orders", "Created");
    expect(event.message).toContain("StatefulSet orders");
    expect(event.type).toBe("Normal");
  });

  it("status follows pod readiness as the kubelet reports it", async () => {
    const namespace = await createNamespace(env.clients, "ready");
    await createStore(env.clients, namespace, "orders", { replicas: 3 });
    await eventually(async () => (await podNames(namespace, "orders")).length === 3, {
      timeoutMs: 30_000,
      what: "3 pods",
    });
    for (const pod of ["orders-0", "orders-1", "orders-2"])
      await setPodReady(env.clients, namespace, pod, true);
    const ready = await waitForStatus(
      env.clients,
      namespace,
      "orders",
      (s) => s.status?.phase === "Ready",
      "Ready",
    );
    expect(ready.status?.readyReplicas).toBe(3);
    expect(conditionOf(ready, "Ready")).toMatchObject({ status: "True", reason: "AllReplicasReady" });
    expect(conditionOf(ready, "QuorumAvailable")?.status).toBe("True");
    expect(conditionOf(ready, "Progressing")?.status).toBe("False");
    await waitForEvent(env.clients, namespace, "orders", "Ready");

    // One pod down: N=3 W=2 R=2 still has a quorum for every key.
    await setPodReady(env.clients, namespace, "orders-2", false);
    const oneDown = await waitForStatus(
      env.clients,
      namespace,
      "orders",
      (s) => s.status?.readyReplicas === 2,
      "2 ready",
    );
    expect(oneDown.status?.phase).toBe("Progressing");
    expect(conditionOf(oneDown, "QuorumAvailable")?.status).toBe("True");
    expect(conditionOf(oneDown, "Degraded")?.status).toBe("False");

    // Two down: W=2 is out of reach.
    await setPodReady(env.clients, namespace, "orders-1", false);
    const lost = await waitForStatus(
      env.clients,
      namespace,
      "orders",
      (s) => s.status?.readyReplicas === 1,
      "1 ready",
    );
    expect(lost.status?.phase).toBe("Degraded");
    expect(conditionOf(lost, "QuorumAvailable")).toMatchObject({ status: "False", reason: "QuorumLost" });
    expect(conditionOf(lost, "Degraded")).toMatchObject({ status: "True", reason: "QuorumLost" });
    const warning = await waitForEvent(env.clients, namespace, "orders", "QuorumLost");
    expect(warning.type).toBe("Warning");

    await setPodReady(env.clients, namespace, "orders-1", true);
    await setPodReady(env.clients, namespace, "orders-2", true);
    await waitForStatus(env.clients, namespace, "orders", (s) => s.status?.phase === "Ready", "Ready again");
    await waitForEvent(env.clients, namespace, "orders", "Recovered");
  });

  it("scaling updates the StatefulSet, the members in the ConfigMap and the PDB", async () => {
    const namespace = await createNamespace(env.clients, "scale");
    await createStore(env.clients, namespace, "orders", { replicas: 3 });
    await waitForObjects(namespace, "orders");
    await patchSpec(env.clients, namespace, "orders", { replicas: 5 });
    const objects = await eventually(
      async () => {
        const current = await ownedObjects(namespace, "orders");
        const sts = current.StatefulSet as { spec?: { replicas?: number } };
        if (sts.spec?.replicas !== 5) throw new Error(`StatefulSet replicas ${sts.spec?.replicas}`);
        // The objects are read in parallel, and applied one concern after another: one read may
        // land before the reconcile, another after it.
        if (clusterConfig(current).generation !== 2) throw new Error("ConfigMap not yet at generation 2");
        const pdb = current.PodDisruptionBudget as { spec?: { maxUnavailable?: number } };
        if (pdb.spec?.maxUnavailable !== 2) throw new Error(`PDB maxUnavailable ${pdb.spec?.maxUnavailable}`);
        return current;
      },
      { timeoutMs: 30_000, what: "StatefulSet, ConfigMap and PDB for 5 replicas" },
    );
    const config = clusterConfig(objects);
    expect(config.members.map((m) => m.id)).toEqual([
      "orders-0",
      "orders-1",
      "orders-2",
      "orders-3",
      "orders-4",
    ]);
    expect(config.generation).toBe(2);
    expect(config.replication).toMatchObject({ factor: 5, writeQuorum: 3, readQuorum: 3 });
    expect((objects.PodDisruptionBudget as { spec?: { maxUnavailable?: number } }).spec?.maxUnavailable).toBe(
      2,
    );
    await eventually(async () => (await podNames(namespace, "orders")).length === 5, {
      timeoutMs: 30_000,
      what: "5 pods",
    });
    const store = await waitForStatus(
      env.clients,
      namespace,
      "orders",
      (s) => s.status?.observedGeneration === 2 && s.status.replicas === 5,
      "status for generation 2",
    );
    expect(store.status?.quorum).toBe("N=5 W=3 R=3");
    const updated = await waitForEvent(env.clients, namespace, "orders", "Updated");
    expect(updated.message).toContain("StatefulSet orders");
  });

  it("a resync of an unchanged store writes nothing", async () => {
    const namespace = await createNamespace(env.clients, "steady");
    await createStore(env.clients, namespace, "orders", { replicas: 3 });
    await waitForObjects(namespace, "orders");
    await waitForStatus(
      env.clients,
      namespace,
      "orders",
      (s) => s.status?.replicas === 3,
      "3 pods in status",
    );
    // Let the trailing watch events (pods created, StatefulSet status) settle.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await env.operator.idle();

    const versions = async () => {
      const objects = await ownedObjects(namespace, "orders");
      const store: StoreObject = await readStore(env.clients, namespace, "orders");
      return {
        store: store.metadata.resourceVersion,
        ...Object.fromEntries(Object.entries(objects).map(([k, o]) => [k, o.metadata?.resourceVersion])),
        events: (await storeEvents(env.clients, namespace, "orders")).length,
      };
    };
    const before = await versions();
    const statsBefore = env.operator.apiStats();
    env.operator.resync();
    await env.operator.idle();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await env.operator.idle();
    const statsAfter = env.operator.apiStats();
    expect(statsAfter.queue.processed).toBeGreaterThan(statsBefore.queue.processed);
    expect(statsAfter.api.writes).toBe(statsBefore.api.writes);
    expect(await versions()).toEqual(before);
  });

  it("deleting the store garbage-collects its objects; claims follow storage.retainOnDelete", async () => {
    const namespace = await createNamespace(env.clients, "delete");
    await createStore(env.clients, namespace, "kept", { replicas: 1, storage: { retainOnDelete: true } });
    await createStore(env.clients, namespace, "dropped", { replicas: 1, storage: { retainOnDelete: false } });
    await waitForObjects(namespace, "kept");
    await waitForObjects(namespace, "dropped");
    const claims = async () =>
      (await env.clients.core.listNamespacedPersistentVolumeClaim({ namespace })).items
        .map((c) => c.metadata?.name)
        .sort();
    await eventually(async () => (await claims()).length === 2, { timeoutMs: 30_000, what: "2 claims" });

    await deleteStore(env.clients, namespace, "kept");
    await deleteStore(env.clients, namespace, "dropped");
    await eventually(
      async () => {
        const left = [
          ...(await env.clients.apps.listNamespacedStatefulSet({ namespace })).items,
          ...(await env.clients.core.listNamespacedService({ namespace })).items,
          ...(
            await env.clients.core.listNamespacedConfigMap({
              namespace,
              labelSelector: "replistore.io/store",
            })
          ).items,
          ...(await env.clients.policy.listNamespacedPodDisruptionBudget({ namespace })).items,
          ...(await env.clients.batch.listNamespacedCronJob({ namespace })).items,
          ...(await env.clients.networking.listNamespacedNetworkPolicy({ namespace })).items,
          ...(await env.clients.core.listNamespacedPod({ namespace })).items,
        ].map((o) => `${o.kind ?? ""} ${o.metadata?.name}`);
        if (left.length > 0) throw new Error(`left: ${left.join(", ")}`);
      },
      { timeoutMs: 60_000, what: "owned objects garbage-collected" },
    );
    await eventually(
      async () => {
        const left = await claims();
        if (left.join() !== "data-kept-0") throw new Error(`claims: ${left.join(", ")}`);
      },
      { timeoutMs: 60_000, what: "only the retained claim left" },
    );
  });

  it("keeps working after the apiserver restarts (watches are re-established)", async () => {
    await env.plane.restartApiserver();
    const namespace = await createNamespace(env.clients, "restart");
    await createStore(env.clients, namespace, "orders", { replicas: 1 });
    await eventually(() => ownedObjects(namespace, "orders"), {
      timeoutMs: 60_000,
      what: "objects after restart",
    });
    await waitForStatus(
      env.clients,
      namespace,
      "orders",
      (s) => s.status?.observedGeneration === 1,
      "status after restart",
    );
  });
});
