/**
 * Multi-leader failover driven by pod readiness, on a real control plane (the test plays kubelet):
 * a Star hub unready past failoverAfter is replaced in the config by the lowest ready leader, and
 * comes back only when the spec asks; a Circle leader unready past it leaves the ring and goes
 * back in when ready again.
 */
import { describe, expect, it } from "vitest";
import type { ClusterConfig } from "../../../src/config/cluster-config.ts";
import { eventually } from "../../support/eventually.ts";
import { createNamespace, setPodReady } from "../../support/k8s/index.ts";
import { createStore, patchSpec, useOperatorPlane, waitForEvent, waitForStatus } from "./harness.ts";

const env = useOperatorPlane();

async function config(namespace: string, name: string): Promise<ClusterConfig> {
  const map = await env.clients.core.readNamespacedConfigMap({ namespace, name: `${name}-config` });
  return JSON.parse(map.data?.["cluster.json"] ?? "{}") as ClusterConfig;
}

async function podsReady(namespace: string, names: string[]): Promise<void> {
  await eventually(
    async () => {
      const list = await env.clients.core.listNamespacedPod({ namespace });
      const have = new Set(list.items.map((p) => p.metadata?.name));
      for (const n of names) if (!have.has(n)) throw new Error(`no pod ${n} yet`);
    },
    { timeoutMs: 30_000, what: "pods created" },
  );
  for (const n of names) await setPodReady(env.clients, namespace, n, true);
}

describe("operator: multi-leader failover", () => {
  it("Star: moves the hub off an unready pod, and back when the spec asks", async () => {
    const namespace = await createNamespace(env.clients, "star");
    await createStore(env.clients, namespace, "carts", {
      replicas: 3,
      mode: "MultiLeader",
      multiLeader: { leaders: 3, topology: "Star", hub: 0, failoverAfter: "2s" },
      replication: { writeQuorum: 1, readQuorum: 1, consistency: "Eventual" },
    });
    await podsReady(namespace, ["carts-0", "carts-1", "carts-2"]);
    await waitForStatus(
      env.clients,
      namespace,
      "carts",
      (s) => s.status?.hub === 0 && s.status.readyReplicas === 3,
      "hub 0",
    );
    expect((await config(namespace, "carts")).multiLeader?.hub).toBe(0);

    await setPodReady(env.clients, namespace, "carts-0", false);
    const failed = await waitForStatus(
      env.clients,
      namespace,
      "carts",
      (s) => s.status?.hub === 1,
      "hub 1",
      20_000,
    );
    expect(failed.status?.topology).toBe("Star");
    expect((await config(namespace, "carts")).multiLeader?.hub).toBe(1);
    const event = await waitForEvent(env.clients, namespace, "carts", "HubFailover");
    expect(event.type).toBe("Warning");
    expect(event.message).toContain("pod 1 is the hub now");

    // The old hub is back: the hub stays put until asked.
    await setPodReady(env.clients, namespace, "carts-0", true);
    await waitForStatus(env.clients, namespace, "carts", (s) => s.status?.readyReplicas === 3, "3 ready");
    expect((await config(namespace, "carts")).multiLeader?.hub).toBe(1);

    await patchSpec(env.clients, namespace, "carts", {
      multiLeader: { leaders: 3, topology: "Star", hub: 0, failoverAfter: "2s" },
      antiEntropy: { suspend: true },
    });
    await waitForStatus(env.clients, namespace, "carts", (s) => s.status?.hub === 0, "hub 0 again");
    await eventually(async () => expect((await config(namespace, "carts")).multiLeader?.hub).toBe(0));
  });

  it("Circle: takes an unready leader out of the ring and puts it back when ready", async () => {
    const namespace = await createNamespace(env.clients, "circle");
    await createStore(env.clients, namespace, "rings", {
      replicas: 4,
      mode: "MultiLeader",
      multiLeader: { leaders: 3, topology: "Circle", failoverAfter: "2s" },
      replication: { writeQuorum: 1, readQuorum: 1, consistency: "Eventual" },
    });
    await podsReady(namespace, ["rings-0", "rings-1", "rings-2", "rings-3"]);
    await waitForStatus(env.clients, namespace, "rings", (s) => s.status?.readyReplicas === 4, "4 ready");
    expect((await config(namespace, "rings")).multiLeader?.ring).toEqual(["rings-0", "rings-1", "rings-2"]);

    await setPodReady(env.clients, namespace, "rings-1", false);
    const out = await waitForStatus(
      env.clients,
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
    await waitForEvent(env.clients, namespace, "rings", "RingChanged");

    await setPodReady(env.clients, namespace, "rings-1", true);
    await waitForStatus(
      env.clients,
      namespace,
      "rings",
      (s) => JSON.stringify(s.status?.leaders) === "[0,1,2]",
      "ring healed",
    );
    await eventually(async () =>
      expect((await config(namespace, "rings")).multiLeader?.ring).toEqual(["rings-0", "rings-1", "rings-2"]),
    );
    await waitForEvent(env.clients, namespace, "rings", "RingHealed");
  });
});
