import { describe, expect, it } from "vitest";
import { bootstrapPlan, completedBootstrap } from "../../../../src/operator/bootstrap/plan.ts";

const from = { destination: { path: "s3://backups/orders" } };
const chosen = { backupId: "orders-20261206-220236", destination: "s3://backups/orders" };

describe("bootstrapPlan", () => {
  it("chooses the backup for a new store, once", () => {
    expect(bootstrapPlan({ fromBackup: from, chosen: undefined, storeExists: false })).toEqual({
      action: "choose",
      from,
    });
    expect(bootstrapPlan({ fromBackup: from, chosen, storeExists: true })).toEqual({
      action: "keep",
      chosen,
    });
  });

  it("never applies to a store that already runs without one", () => {
    expect(bootstrapPlan({ fromBackup: from, chosen: undefined, storeExists: true })).toEqual({
      action: "too-late",
    });
  });

  it("is done once every node has loaded it, and nothing without spec.bootstrap", () => {
    const done = { ...chosen, completedAt: "2026-12-06T22:10:00.000Z" };
    expect(bootstrapPlan({ fromBackup: from, chosen: done, storeExists: true })).toEqual({ action: "none" });
    expect(bootstrapPlan({ fromBackup: undefined, chosen: undefined, storeExists: false })).toEqual({
      action: "none",
    });
  });

  it("completes when the store is first ready, and keeps that time", () => {
    const now = new Date("2026-12-06T22:10:00.000Z");
    expect(completedBootstrap(chosen, false, now)).toEqual(chosen);
    const done = completedBootstrap(chosen, true, now);
    expect(done.completedAt).toBe(now.toISOString());
    expect(completedBootstrap(done, true, new Date("2027-01-01T00:00:00Z"))).toEqual(done);
  });
});
