/**
 * Multi-leader failover driven by pod readiness, on a real control plane (the test plays kubelet):
 * a Star hub unready past failoverAfter is replaced in the config by the lowest ready leader, and
 * comes back only when the spec asks; a Circle leader unready past it leaves the ring and goes
 * back in when ready again.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import type { ClusterConfig } from "../../../src/config/cluster-config.ts";
import type { Operator } from "../../../src/operator/operator.ts";
import { eventually } from "../../support/eventually.ts";
import {
  type ControlPlane,
  createNamespace,
  type KubeClients,
  kubeClients,
  setPodReady,
  startControlPlane,
} from "../../support/k8s/index.ts";
import { createStore, patchSpec, startOperator, waitForEvent, waitForStatus } from "./harness.ts";

let plane: ControlPlane;
let clients: KubeClients;
let operator: Operator;

beforeAll(async () => {
  plane = await startControlPlane({
    crdFiles: [fileURLToPath(new URL(`../../../${CRD_FILE}`, import.meta.url))],
  });
  clients = kubeClients(plane.kubeconfigPath);
  operator = await startOperator(clients);
});

afterAll(async () => {
  await operator?.stop();
  await plane?.stop();
});

async function config(namespace: string, name: string): Promise<ClusterConfig> {
  const map = await clients.core.readNamespacedConfigMap({ namespace, name: `${name}-config` });
  return JSON.parse(map.data?.["cluster.json"] ?? "{}") as ClusterConfig;
}

async function podsReady(namespace: string, names: string[]): Promise<void> {
  await eventually(
    async () => {
      const list = await clients.core.listNamespacedPod({ namespace });
      const have = new Set(list.items.map((p) => p.metadata?.name));
      for (const n of names) if (!have.has(n)) throw new Error(`no pod ${n} yet`);
    },
    { timeoutMs: 30_000, what: "pods created" },
  );
  for (const n of names) await setPodReady(clients, namespace, n, true);
}

describe("operator: multi-leader failover", () => {
  it("Star: moves the hub off an unready pod, and back when the spec asks", async () => {
    const namespace = await createNamespace(clients, "star");
    await createStore(clients, namespace, "carts", {
      replicas: 3,
      mode: "MultiLeader",
      multiLeader: { leaders: 3, topology: "Star", hub: 0, failoverAfter: "2s" },
      replication: { writeQuorum: 1, readQuorum: 1, consistency: "Eventual" },
    });
    await podsReady(namespace, ["carts-0", "carts-1", "carts-2"]);
    await waitForStatus(
      clients,
      namespace,
      "carts",
      (s) => s.status?.hub === 0 && s.status.readyReplicas === 3,
      "hub 0",
    );
    expect((await config(namespace, "carts")).multiLeader?.hub).toBe(0);

    await setPodReady(clients, namespace, "carts-0", false);
    const failed = await waitForStatus(
      clients,
      namespace,
      "carts",
      (s) => s.status?.hub === 1,
      "hub 1",
      20_000,
    );
    expect(failed.status?.topology).toBe("Star");
    expect((await config(namespace, "carts")).multiLeader?.hub).toBe(1);
    const event = await waitForEvent(clients, namespace, "carts", "HubFailover");
    expect(event.type).toBe("Warning");
    expect(event.message).toContain("pod 1 is the hub now");

    // The old hub is back: the hub stays put until asked.
    await setPodReady(clients, namespace, "carts-0", true);
    await waitForStatus(clients, namespace, "carts", (s) => s.status?.readyReplicas === 3, "3 ready");
    expect((await config(namespace, "carts")).multiLeader?.hub).toBe(1);

    await patchSpec(clients, namespace, "carts", {
      multiLeader: { leaders: 3, topology: "Star", hub: 0, failoverAfter: "2s" },
      antiEntropy: { suspend: true },
    });
    await waitForStatus(clients, namespace, "carts", (s) => s.status?.hub === 0, "hub 0 again");
    await eventually(async () => expect((await config(namespace, "carts")).multiLeader?.hub).toBe(0));
  });

  it("Circle: takes an unready leader out of the ring and puts it back when ready", async () => {
    const namespace = await createNamespace(clients, "circle");
    await createStore(clients, namespace, "rings", {
      replicas: 4,
      mode: "MultiLeader",
      multiLeader: { leaders: 3, topology: "Circle", failoverAfter: "2s" },
      replication: { writeQuorum: 1, readQuorum: 1, consistency: "Eventual" },
    });
    await podsReady(namespace, ["rings-0", "rings-1", "rings-2", "rings-3"]);
    await waitForStatus(clients, namespace, "rings", (s) => s.status?.readyReplicas === 4, "4 ready");
    expect((await config(namespace, "rings")).multiLeader?.ring).toEqual(["rings-0", "rings-1", "rings-2"]);

    await setPodReady(clients, namespace, "rings-1", false);
    const out = await waitForStatus(
      clients,
      namespace,
      "rings",
      (s) => JSON.stringify(s.status?.leaders) === "[0,2]",
      "ring without rings-1",
      20_000,
    );
    expect(out.status?.topology).toBe("Circle");
    await eventually(async () =>
      expect((await config(namespace, "rings")).multiLeader?.ring).toEqual(["rings-0", "rings-2"]),
    );
    await waitForEvent(clients, namespace, "rings", "RingChanged");

    await setPodReady(clients, namespace, "rings-1", true);
    await waitForStatus(
      clients,
      namespace,
      "rings",
      (s) => JSON.stringify(s.status?.leaders) === "[0,1,2]",
      "ring healed",
    );
    await eventually(async () =>
      expect((await config(namespace, "rings")).multiLeader?.ring).toEqual(["rings-0", "rings-1", "rings-2"]),
    );
    await waitForEvent(clients, namespace, "rings", "RingHealed");
  });
});
