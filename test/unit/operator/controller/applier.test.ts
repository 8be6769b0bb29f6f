import { describe, expect, it } from "vitest";
import type { ReplicatedStoreStatus } from "../../../../src/api/status.ts";
import {
  APPLIED_HASH_ANNOTATION,
  appliedHashOf,
  stamped,
} from "../../../../src/operator/controller/applier.ts";
import { statusChanged } from "../../../../src/operator/controller/status-writer.ts";

describe("applied hash", () => {
  const desired = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "a", annotations: { x: "1" } },
    data: { k: "v" },
  };

  it("stamps the hash of the desired object, keeping its own annotations", () => {
    const { object, hash } = stamped(desired);
    expect(object.metadata.annotations).toEqual({ x: "1", [APPLIED_HASH_ANNOTATION]: hash });
    expect(appliedHashOf(object)).toBe(hash);
    expect(desired.metadata.annotations).toEqual({ x: "1" });
  });

  it("does not depend on key order, and changes with any value", () => {
    const reordered = {
      data: { k: "v" },
      metadata: { annotations: { x: "1" }, name: "a" },
      kind: "ConfigMap",
      apiVersion: "v1",
    };
    expect(stamped(reordered).hash).toBe(stamped(desired).hash);
    expect(stamped({ ...desired, data: { k: "w" } }).hash).not.toBe(stamped(desired).hash);
  });
});

describe("statusChanged", () => {
  const status: ReplicatedStoreStatus = {
    observedGeneration: 1,
    phase: "Ready",
    replicas: 3,
    readyReplicas: 3,
    quorum: "N=3 W=2 R=2",
    conditions: [
      {
        type: "Ready",
        status: "True",
        reason: "AllReplicasReady",
        message: "",
        lastTransitionTime: "2025-01-01T00:00:00Z",
      },
    ],
  };

  it("is false for an equal status and ignores fields the operator does not manage", () => {
    expect(statusChanged(status, { ...status })).toBe(false);
    const unmanaged = { ...status, writtenByLaterFeature: 4 } as ReplicatedStoreStatus;
    expect(statusChanged(unmanaged, status)).toBe(false);
  });

  it("is true for a first status, a changed field, or a field to remove", () => {
    expect(statusChanged(undefined, status)).toBe(true);
    expect(statusChanged(status, { ...status, readyReplicas: 2 })).toBe(true);
    expect(statusChanged({ ...status, hub: 1 }, status)).toBe(true);
    expect(statusChanged({ ...status, conflictsPending: 4 }, status)).toBe(true);
    expect(statusChanged(status, { ...status, lastAntiEntropy: { jobName: "orders-repair-1" } })).toBe(true);
  });
});
