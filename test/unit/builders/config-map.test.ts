import { describe, expect, it } from "vitest";
import { buildConfigMap, CONFIG_HASH_ANNOTATION } from "../../../src/builders/config-map.ts";
import type { ClusterConfig } from "../../../src/config/cluster-config.ts";
import { checkClusterConfig } from "../../../src/config/load.ts";
import { context, store } from "./fixtures.ts";

function config(spec: Record<string, unknown>, ctx = context()): ClusterConfig {
  const text = buildConfigMap(store(spec), ctx).data?.["cluster.json"];
  if (text === undefined) throw new Error("no cluster.json");
  return JSON.parse(text) as ClusterConfig;
}

describe("ConfigMap <name>-config", () => {
  it("lists members <name>-<i> at their stable DNS names under the peers Service, https and a peer port", () => {
    expect(config({ replicas: 3 }).members).toEqual(
      [0, 1, 2].map((i) => ({
        id: `orders-${i}`,
        url: `https://orders-${i}.orders-peers.shop.svc:7070`,
        peerUrl: `https://orders-${i}.orders-peers.shop.svc:7071`,
      })),
    );
  });

  it("uses http for both URLs when TLS is Disabled", () => {
    const [first] = config({ replicas: 1, tls: { mode: "Disabled" } }).members;
    expect(first).toEqual({
      id: "orders-0",
      url: "http://orders-0.orders-peers.shop.svc:7070",
      peerUrl: "http://orders-0.orders-peers.shop.svc:7071",
    });
  });

  it("follows replicas when the store scales", () => {
    const members = config({ replicas: 5, replication: { factor: 3 } }).members;
    expect(members.map((m) => m.id)).toEqual(["orders-0", "orders-1", "orders-2", "orders-3", "orders-4"]);
  });

  it("uses the cluster domain when one is configured", () => {
    const [first] = config({ replicas: 1 }, context({ clusterDomain: "cluster.local" })).members;
    expect(first?.url).toBe("https://orders-0.orders-peers.shop.svc.cluster.local:7070");
  });

  it("is a config file the nodes accept, with the store's quorums and generation", () => {
    const c = config(
      { replicas: 3, replication: { writeQuorum: 3, readQuorum: 1 } },
      context({ configGeneration: 7 }),
    );
    expect(() => checkClusterConfig(c, "cluster.json")).not.toThrow();
    expect(c.store).toEqual({ name: "orders", namespace: "shop" });
    expect(c.generation).toBe(7);
    expect(c.replication).toEqual({ factor: 3, writeQuorum: 3, readQuorum: 1, consistency: "Strong" });
  });

  it("annotates the hash of its content, which changes exactly when the content does", () => {
    const hash = (spec: Record<string, unknown>, generation = 4) =>
      buildConfigMap(store(spec), context({ configGeneration: generation })).metadata?.annotations?.[
        CONFIG_HASH_ANNOTATION
      ];
    expect(hash({ replicas: 3 })).toMatch(/^[0-9a-f]{16}$/);
    expect(hash({ replicas: 3 })).toBe(hash({ replicas: 3 }));
    expect(hash({ replicas: 3 })).not.toBe(hash({ replicas: 4 }));
    expect(hash({ replicas: 3 })).not.toBe(hash({ replicas: 3 }, 5));
    // Fields the nodes do not read (storage, image) leave the config alone.
    expect(hash({ replicas: 3 })).toBe(hash({ replicas: 3, storage: { size: "9Gi" }, image: "x:1" }));
  });
});

describe("ConfigMap with a failover in force", () => {
  const star = { replicas: 3, mode: "MultiLeader", multiLeader: { leaders: 3, topology: "Star", hub: 0 } };

  it("writes the operator's hub instead of the spec's", () => {
    expect(config(star).multiLeader?.hub).toBe(0);
    expect(config(star, context({ failover: { hub: 2 } })).multiLeader?.hub).toBe(2);
  });

  it("writes the Circle ring as member ids, which the node's loader accepts", () => {
    const circle = { ...star, multiLeader: { leaders: 3, topology: "Circle" } };
    const c = config(circle, context({ failover: { ring: [0, 2] } }));
    expect(c.multiLeader?.ring).toEqual(["orders-0", "orders-2"]);
    expect(() => checkClusterConfig(c, "cluster.json")).not.toThrow();
  });
});
