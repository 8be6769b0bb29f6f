import { describe, expect, it } from "vitest";
import type { ReplicatedStoreSpec } from "../../../../src/api/replicated-store.ts";
import type { ReplicatedStoreStatus } from "../../../../src/api/status.ts";
import type { BackupView } from "../../../../src/operator/backup/backup-input.ts";
import { planBackup, type StoreState } from "../../../../src/operator/backup/plan.ts";
import { store as storeFixture } from "../../builders/fixtures.ts";

const NOW = new Date("2026-12-06T22:00:00Z");
const DEST = { path: "s3://backups/shop" };

function backup(over: Partial<BackupView> = {}): BackupView {
  return {
    namespace: "shop",
    name: "orders-1",
    uid: "u1",
    generation: 1,
    storeName: "orders",
    scheduled: false,
    tickMs: 0,
    createdAtMs: 0,
    status: undefined,
    ...over,
  };
}

const quorum = (status: "True" | "False"): ReplicatedStoreStatus => ({
  conditions: [
    {
      type: "QuorumAvailable",
      status,
      reason: status === "True" ? "AllReplicasReady" : "QuorumLost",
      message: "2 of 3 ready",
      lastTransitionTime: NOW.toISOString(),
    },
  ],
});

function present(spec: Record<string, unknown>, status?: ReplicatedStoreStatus): StoreState {
  const s = storeFixture(spec);
  return { state: "present", spec: s.spec as ReplicatedStoreSpec, status };
}

describe("planBackup", () => {
  it("waits (Pending) for a store that does not exist, saying what to do", () => {
    const plan = planBackup({ backup: backup(), store: { state: "missing" }, job: undefined, now: NOW });
    expect(plan.createJob).toBeUndefined();
    expect(plan.status?.phase).toBe("Pending");
    expect(plan.status?.message).toBe(
      "ReplicatedStore orders does not exist in namespace shop: create it, or delete this backup",
    );
    expect(plan.events.map((e) => e.reason)).toEqual(["BackupPending"]);
  });

  it("records the Pending event once, not on every pass", () => {
    const first = planBackup({ backup: backup(), store: { state: "missing" }, job: undefined, now: NOW });
    const again = planBackup({
      backup: backup({ status: first.status }),
      store: { state: "missing" },
      job: undefined,
      now: NOW,
    });
    expect(again.events).toEqual([]);
  });

  it("waits while the store has no quorum", () => {
    const plan = planBackup({
      backup: backup(),
      store: present({ backup: { destination: DEST } }, quorum("False")),
      job: undefined,
      now: NOW,
    });
    expect(plan.status?.phase).toBe("Pending");
    expect(plan.status?.message).toContain("its quorum is not available (QuorumLost: 2 of 3 ready)");
    expect(plan.createJob).toBeUndefined();
  });

  it("fails at once without any destination", () => {
    const plan = planBackup({
      backup: backup(),
      store: present({}, quorum("True")),
      job: undefined,
      now: NOW,
    });
    expect(plan.status?.phase).toBe("Failed");
    expect(plan.status?.message).toContain(
      "has no spec.backup.destination and this backup names no spec.destination",
    );
    expect(plan.finished).toBe("failed");
    expect(plan.events[0]).toMatchObject({ type: "Warning", reason: "BackupFailed", onStore: true });
  });

  it("creates the Job with the store's destination and retention once the store has quorum", () => {
    const plan = planBackup({
      backup: backup(),
      store: present({ backup: { destination: DEST, retention: { keep: 3 } } }, quorum("True")),
      job: undefined,
      now: NOW,
    });
    expect(plan.createJob).toEqual({ destination: DEST, retention: { keep: 3 } });
    expect(plan.status).toMatchObject({ phase: "Pending", jobName: "orders-1", destination: DEST.path });
  });

  it("does not apply the store's retention to another destination", () => {
    const plan = planBackup({
      backup: backup({ destination: { path: "s3://elsewhere/x" } }),
      store: present({ backup: { destination: DEST, retention: { keep: 3 } } }, quorum("True")),
      job: undefined,
      now: NOW,
    });
    expect(plan.createJob).toEqual({ destination: { path: "s3://elsewhere/x" } });
  });

  it("is Running while the Job runs", () => {
    const plan = planBackup({
      backup: backup(),
      store: { state: "missing" },
      job: { state: "running", startedAt: new Date("2026-12-06T21:59:00Z") },
      now: NOW,
    });
    expect(plan.status).toMatchObject({
      phase: "Running",
      jobName: "orders-1",
      startedAt: "2026-12-06T21:59:00Z",
    });
  });

  it("is Completed with the result's figures, and names what retention pruned", () => {
    const plan = planBackup({
      backup: backup({ status: { phase: "Running" } }),
      store: present({ backup: { destination: DEST } }, quorum("True")),
      job: {
        state: "finished",
        result: {
          status: "completed",
          id: "orders-1",
          destination: "s3://backups/shop/",
          cut: "1765058400000:0:orders-0",
          keys: 10,
          tombstones: 2,
          conflicts: 1,
          bytes: 4096,
          startedAt: "2026-12-06T21:59:00.000Z",
          finishedAt: "2026-12-06T21:59:30.000Z",
          durationMs: 30_000,
          pruned: ["orders-0"],
        },
      },
      now: NOW,
    });
    expect(plan.status).toEqual({
      phase: "Completed",
      backupId: "orders-1",
      jobName: "orders-1",
      observedGeneration: 1,
      destination: "s3://backups/shop/",
      startedAt: "2026-12-06T21:59:00Z",
      completedAt: "2026-12-06T21:59:30Z",
      durationSeconds: 30,
      cut: "1765058400000:0:orders-0",
      keys: 10,
      tombstones: 2,
      conflicts: 1,
      bytes: 4096,
      message: "10 keys, 4096 bytes at s3://backups/shop/; retention deleted orders-0",
    });
    expect(plan.finished).toBe("completed");
    expect(plan.pruned).toEqual(["orders-0"]);
  });

  it("is Failed with the run's error, or with why the Job left no result", () => {
    const failed = planBackup({
      backup: backup(),
      store: { state: "missing" },
      job: {
        state: "finished",
        result: {
          status: "failed",
          id: "orders-1",
          destination: "s3://nope/",
          error: "bucket nope does not exist",
        },
      },
      now: NOW,
    });
    expect(failed.status).toMatchObject({ phase: "Failed", message: "bucket nope does not exist" });
    const unreadable = planBackup({
      backup: backup(),
      store: { state: "missing" },
      job: {
        state: "unreadable",
        reason: "the Job failed (DeadlineExceeded) and its pod left no termination message",
      },
      now: NOW,
    });
    expect(unreadable.status?.phase).toBe("Failed");
    expect(unreadable.status?.message).toBe(
      "the Job failed (DeadlineExceeded) and its pod left no termination message; see kubectl logs job/orders-1",
    );
  });

  it("never touches a final backup again", () => {
    for (const phase of ["Completed", "Failed"] as const) {
      const plan = planBackup({
        backup: backup({ status: { phase } }),
        store: { state: "missing" },
        job: { state: "running" },
        now: NOW,
      });
      expect(plan).toEqual({ events: [] });
    }
  });
});
