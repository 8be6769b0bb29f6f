import { describe, expect, it } from "vitest";
import { RepairLease } from "../../../../src/node/antientropy/repair-lease.ts";

describe("RepairLease", () => {
  it("lets one holder in at a time until it releases or its lease expires", () => {
    const lease = new RepairLease();
    expect(lease.acquire("a", 1000, 0)).toEqual({ acquired: true, holder: "a", sinceMs: 0 });
    expect(lease.acquire("b", 1000, 500)).toEqual({ acquired: false, holder: "a", sinceMs: 0 });
    // renewal keeps the original start time
    expect(lease.acquire("a", 1000, 900)).toEqual({ acquired: true, holder: "a", sinceMs: 0 });
    expect(lease.acquire("b", 1000, 1800).acquired).toBe(false);
    expect(lease.acquire("b", 1000, 1901)).toEqual({ acquired: true, holder: "b", sinceMs: 1901 });
    expect(lease.release("a")).toBe(false);
    expect(lease.release("b")).toBe(true);
    expect(lease.acquire("c", 1000, 1902).acquired).toBe(true);
  });
});
