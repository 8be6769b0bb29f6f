import { describe, expect, it } from "vitest";
import { validateManifest } from "../../../src/api/validate.ts";
import { manifest } from "./manifests.ts";

function valid(input: unknown) {
  const result = validateManifest(input);
  if (!result.ok) throw new Error(`expected valid, got: ${result.errors.join("; ")}`);
  return result;
}

describe("validateManifest defaults", () => {
  it("fills every default into a minimal manifest", () => {
    const { manifest: m, warnings } = valid(manifest());
    expect(warnings).toEqual([]);
    expect(m.spec).toEqual({
      replicas: 3,
      mode: "Leaderless",
      replication: { factor: 3, writeQuorum: 2, readQuorum: 2, consistency: "Strong" },
      conflicts: { policy: "Review", retention: "720h" },
      clock: { maxOffset: "500ms" },
      antiEntropy: { schedule: "*/15 * * * *", suspend: false },
      tombstones: { gracePeriod: "24h" },
      hintedHandoff: { enabled: true, window: "3h", maxSize: "256Mi" },
      limits: { maxValueSize: "1Mi", requestTimeout: "2s" },
      storage: { size: "1Gi", retainOnDelete: true },
      monitoring: { serviceMonitor: false, prometheusRule: false, dashboard: false },
      tls: { mode: "Auto" },
    });
  });

  it("defaults a missing spec entirely", () => {
    const { manifest: m } = valid({
      apiVersion: "replistore.io/v1alpha1",
      kind: "ReplicatedStore",
      metadata: { name: "a" },
    });
    expect(m.spec.replicas).toBe(3);
  });

  it.each([
    [1, 1],
    [2, 2],
    [4, 3],
    [5, 3],
    [6, 4],
  ])("with factor %d, W and R default to the majority %d", (factor, quorum) => {
    const { manifest: m } = valid(manifest({ replicas: 6, replication: { factor } }));
    expect(m.spec.replication).toMatchObject({ factor, writeQuorum: quorum, readQuorum: quorum });
  });

  it("defaults factor to replicas", () => {
    const { manifest: m } = valid(manifest({ replicas: 5 }));
    expect(m.spec.replication.factor).toBe(5);
  });

  it("keeps explicit values and fills only what is missing in a section", () => {
    const { manifest: m } = valid(manifest({ hintedHandoff: { window: "1h" }, multiLeader: undefined }));
    expect(m.spec.hintedHandoff).toEqual({ enabled: true, window: "1h", maxSize: "256Mi" });
  });

  it("defaults topology, hub and failover delay for multi-leader", () => {
    const { manifest: m } = valid(manifest({ mode: "MultiLeader", multiLeader: { leaders: 2 } }));
    expect(m.spec.multiLeader).toEqual({ leaders: 2, topology: "AllToAll", hub: 0, failoverAfter: "10s" });
  });

  it("does not modify its input", () => {
    const input = manifest({ replicas: 3 });
    const copy = structuredClone(input);
    valid(input);
    expect(input).toEqual(copy);
  });

  it("lets metadata fields other than name through (kubectl output)", () => {
    const input = manifest();
    input.metadata = { name: "orders", namespace: "shop", labels: { team: "a" }, uid: "x" };
    expect(valid(input).manifest.metadata).toMatchObject({ name: "orders", namespace: "shop" });
  });

  it("accepts free-form Kubernetes objects in scheduling and resources", () => {
    const { manifest: m } = valid(
      manifest({
        resources: { requests: { cpu: "100m", memory: "128Mi" } },
        scheduling: {
          nodeSelector: { "kubernetes.io/os": "linux" },
          tolerations: [{ key: "dedicated", operator: "Exists" }],
          affinity: { podAntiAffinity: {} },
        },
      }),
    );
    expect(m.spec.scheduling?.tolerations).toHaveLength(1);
  });
});
