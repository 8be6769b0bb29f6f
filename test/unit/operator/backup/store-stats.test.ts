import { describe, expect, it } from "vitest";
import type { BackupView } from "../../../../src/operator/backup/backup-input.ts";
import { storeBackupStats } from "../../../../src/operator/backup/store-stats.ts";
import type { RawStore } from "../../../../src/operator/store-input.ts";

const at = (iso: string) => Date.parse(iso) / 1000;

function view(name: string, storeName: string, status: BackupView["status"], namespace = "shop"): BackupView {
  return {
    namespace,
    name,
    uid: `uid-${name}`,
    generation: 1,
    storeName,
    scheduled: false,
    tickMs: 0,
    createdAtMs: 0,
    status,
  };
}

function store(
  name: string,
  spec: Record<string, unknown>,
  lastBackup?: { name: string; completedAt: string },
): RawStore {
  return {
    apiVersion: "replistore.io/v1alpha1",
    kind: "ReplicatedStore",
    metadata: { namespace: "shop", name, uid: `uid-${name}` },
    spec,
    ...(lastBackup ? { status: { lastBackup } } : {}),
  } as RawStore;
}

describe("storeBackupStats", () => {
  it("reports a store's newest completed backup with its figures, and its alert threshold", () => {
    const stats = storeBackupStats(
      [
        view("orders-1", "orders", {
          phase: "Completed",
          completedAt: "2026-12-01T03:00:10Z",
          keys: 5,
          bytes: 50,
          durationSeconds: 9,
        }),
        view("orders-2", "orders", {
          phase: "Completed",
          completedAt: "2026-12-02T03:00:10Z",
          keys: 7,
          bytes: 70,
          durationSeconds: 11,
        }),
        view("orders-3", "orders", { phase: "Failed", completedAt: "2026-12-03T03:00:10Z" }),
      ],
      [store("orders", { backup: { alertAfter: "2h" } })],
      new Map([["uid-orders", new Date("2026-11-30T00:00:00Z")]]),
    );
    expect(stats).toEqual([
      {
        namespace: "shop",
        store: "orders",
        maxAgeSeconds: 7200,
        watchedSinceSeconds: at("2026-11-30T00:00:00Z"),
        last: { completedAtSeconds: at("2026-12-02T03:00:10Z"), durationSeconds: 11, bytes: 70, keys: 7 },
      },
    ]);
  });

  it("keeps the store's status.lastBackup when it is newer than any backup left, and defaults a bad alertAfter to 26h", () => {
    const [stats] = storeBackupStats(
      [view("orders-1", "orders", { phase: "Completed", completedAt: "2026-12-01T03:00:10Z" })],
      [
        store(
          "orders",
          { backup: { alertAfter: "soon" } },
          { name: "orders-9", completedAt: "2026-12-05T03:00:00Z" },
        ),
      ],
      new Map(),
    );
    expect(stats).toEqual({
      namespace: "shop",
      store: "orders",
      maxAgeSeconds: 26 * 3600,
      last: { completedAtSeconds: at("2026-12-05T03:00:00Z") },
    });
  });

  it("lists a deleted store's backups without a threshold, and a store without spec.backup without one either", () => {
    const stats = storeBackupStats(
      [view("gone-1", "gone", { phase: "Completed", completedAt: "2026-12-01T03:00:10Z" })],
      [store("carts", {})],
      new Map(),
    );
    expect(stats).toEqual([
      { namespace: "shop", store: "gone", last: { completedAtSeconds: at("2026-12-01T03:00:10Z") } },
      { namespace: "shop", store: "carts" },
    ]);
  });
});
