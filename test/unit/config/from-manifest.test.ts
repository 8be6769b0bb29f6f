import { describe, expect, it } from "vitest";
import { validateManifest } from "../../../src/api/validate.ts";
import type { Member } from "../../../src/config/cluster-config.ts";
import { DEFAULT_VNODES, fromManifest } from "../../../src/config/from-manifest.ts";
import { checkClusterConfig } from "../../../src/config/load.ts";

const members: Member[] = [0, 1, 2].map((i) => ({ id: `orders-${i}`, url: `http://127.0.0.1:${7070 + i}` }));

function validManifest(
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = { name: "orders" },
) {
  const result = validateManifest({
    apiVersion: "replistore.io/v1alpha1",
    kind: "ReplicatedStore",
    metadata,
    spec,
  });
  if (!result.ok) throw new Error(result.errors.join("; "));
  return result.manifest;
}

describe("fromManifest", () => {
  it("turns durations into ms and sizes into bytes", () => {
    const config = fromManifest(
      validManifest({
        replicas: 3,
        replication: { factor: 3, writeQuorum: 2, readQuorum: 2 },
        conflicts: { policy: "Automatic", retention: "1h30m" },
        clock: { maxOffset: "250ms" },
        tombstones: { gracePeriod: "48h" },
        hintedHandoff: { enabled: false, window: "10m", maxSize: "64Mi" },
        limits: { maxValueSize: "512Ki", requestTimeout: "1.5s" },
      }),
      members,
      7,
    );
    expect(config).toEqual({
      version: 1,
      store: { name: "orders", namespace: "default" },
      generation: 7,
      mode: "Leaderless",
      members,
      replication: { factor: 3, writeQuorum: 2, readQuorum: 2, consistency: "Strong" },
      conflicts: { policy: "Automatic", retentionMs: 5_400_000 },
      clock: { maxOffsetMs: 250 },
      tombstones: { gracePeriodMs: 172_800_000 },
      hintedHandoff: { enabled: false, windowMs: 600_000, maxBytes: 67_108_864 },
      limits: { maxValueBytes: 524_288, requestTimeoutMs: 1_500 },
      ring: { vnodes: DEFAULT_VNODES },
    });
  });

  it("applies the defaults that depend on other fields", () => {
    const config = fromManifest(validManifest({ replicas: 3 }), members, 1);
    expect(config.replication).toEqual({ factor: 3, writeQuorum: 2, readQuorum: 2, consistency: "Strong" });
    expect(config.limits).toEqual({ maxValueBytes: 1_048_576, requestTimeoutMs: 2_000 });
  });

  it("carries multi-leader settings only in MultiLeader mode", () => {
    const config = fromManifest(
      validManifest({
        mode: "MultiLeader",
        multiLeader: { leaders: 2, topology: "Star", hub: 1, failoverAfter: "30s" },
      }),
      members,
      1,
    );
    expect(config.mode).toBe("MultiLeader");
    expect(config.multiLeader).toEqual({ leaders: 2, topology: "Star", hub: 1, failoverAfterMs: 30_000 });
    expect(fromManifest(validManifest({}), members, 1)).not.toHaveProperty("multiLeader");
  });

  it("takes the namespace from metadata", () => {
    const config = fromManifest(validManifest({}, { name: "orders", namespace: "shop" }), members, 1);
    expect(config.store).toEqual({ name: "orders", namespace: "shop" });
  });

  it("produces a config the node's loader accepts", () => {
    const config = fromManifest(
      validManifest({ replication: { consistency: "Eventual", writeQuorum: 1, readQuorum: 1 } }),
      members,
      3,
    );
    expect(checkClusterConfig(config, "generated")).toEqual(config);
  });

  it("copies members without extra fields", () => {
    const extra = members.map((m) => ({ ...m, listen: "x" }));
    expect(fromManifest(validManifest({}), extra, 1).members).toEqual(members);
  });
});
