import { describe, expect, it } from "vitest";
import type { BackupView } from "../../../../src/operator/backup/backup-input.ts";
import { lastBackupOf } from "../../../../src/operator/backup/last-backup.ts";
import { objectsToPrune } from "../../../../src/operator/backup/retention.ts";

function view(
  name: string,
  over: Partial<BackupView> = {},
  completedAt = "2026-12-01T00:00:00Z",
): BackupView {
  return {
    namespace: "shop",
    name,
    uid: name,
    generation: 1,
    storeName: "orders",
    scheduled: true,
    tickMs: 0,
    createdAtMs: 0,
    status: { phase: "Completed", destination: "s3://b/shop/", completedAt, keys: 1, bytes: 2 },
    ...over,
  };
}

describe("objectsToPrune", () => {
  const done = view("orders-3");
  it("deletes the objects of the pruned ids of the same store and destination only", () => {
    const all = [
      view("orders-1"),
      view("orders-2", { storeName: "carts" }),
      view("orders-4", { status: { phase: "Completed", destination: "s3://other/" } }),
      view("orders-5", { status: { phase: "Failed", destination: "s3://b/shop/" } }),
      view("orders-6"),
      done,
    ];
    expect(objectsToPrune(done, ["orders-1", "orders-2", "orders-4", "orders-5", "orders-3"], all)).toEqual([
      "orders-1",
    ]);
  });
});

describe("lastBackupOf", () => {
  it("is the newest Completed backup of the store", () => {
    const all = [
      view("orders-1", {}, "2026-12-01T00:00:00Z"),
      view("orders-2", {}, "2026-12-03T00:00:00Z"),
      view("orders-3", { status: { phase: "Failed", completedAt: "2026-12-04T00:00:00Z" } }),
      view("carts-1", { storeName: "carts" }, "2026-12-05T00:00:00Z"),
    ];
    expect(lastBackupOf(all, "orders")).toEqual({
      name: "orders-2",
      completedAt: "2026-12-03T00:00:00Z",
      destination: "s3://b/shop/",
      keys: 1,
      bytes: 2,
    });
    expect(lastBackupOf(all, "none")).toBeUndefined();
  });
});
