import { describe, expect, it } from "vitest";
import {
  compareTimestamps,
  formatTimestamp,
  HybridClock,
  MAX_LOGICAL,
  parseTimestamp,
} from "../../../src/node/clock/hlc.ts";
import { checkPeerClock } from "../../../src/node/clock/offset-guard.ts";

describe("HybridClock", () => {
  it("is strictly increasing even when the wall clock stands still or goes back", () => {
    let wall = 1000;
    const clock = new HybridClock("a", () => wall);
    const a = clock.now();
    const b = clock.now();
    wall = 900;
    const c = clock.now();
    expect(compareTimestamps(a, b)).toBeLessThan(0);
    expect(compareTimestamps(b, c)).toBeLessThan(0);
    expect(c.wall).toBe(1000);
    expect(c.logical).toBe(2);
  });

  it("orders local events after a received timestamp from a clock slightly ahead", () => {
    const clock = new HybridClock("a", () => 1000);
    clock.observe(1200, 5);
    const next = clock.now();
    expect(next.wall).toBe(1200);
    expect(next.logical).toBeGreaterThan(5);
  });

  it("resets the counter when physical time moves past everything seen", () => {
    let wall = 1000;
    const clock = new HybridClock("a", () => wall);
    clock.observe(1000, 7);
    wall = 2000;
    expect(clock.now()).toEqual({ wall: 2000, logical: 0, node: "a" });
  });

  it("carries into the wall part rather than pass the largest exact counter", () => {
    // Found by the API fuzz run: a peer batch whose clock was [now, 2^53 - 1] (valid on the wire)
    // pushed the counter to 2^53, and every answer and version of the node was then outside the schema.
    const clock = new HybridClock("a", () => 1000);
    clock.observe(1000, MAX_LOGICAL);
    const next = clock.now();
    expect(next).toEqual({ wall: 1001, logical: 1, node: "a" });
    expect(Number.isSafeInteger(next.logical)).toBe(true);
    expect(compareTimestamps({ wall: 1000, logical: MAX_LOGICAL, node: "z" }, next)).toBeLessThan(0);

    const local = new HybridClock("a", () => 2000);
    local.observe(2000, MAX_LOGICAL - 1);
    expect(local.now()).toEqual({ wall: 2001, logical: 0, node: "a" });
  });

  it("breaks exact ties by node id, identically everywhere", () => {
    const x = { wall: 5, logical: 1, node: "orders-0" };
    const y = { wall: 5, logical: 1, node: "orders-1" };
    expect(compareTimestamps(x, y)).toBeLessThan(0);
    expect(compareTimestamps(y, x)).toBeGreaterThan(0);
    expect(compareTimestamps(x, { ...x })).toBe(0);
  });

  it("round-trips the text form, node ids with colons included", () => {
    const ts = { wall: 1763777811123, logical: 42, node: "ns:orders-2" };
    expect(parseTimestamp(formatTimestamp(ts))).toEqual(ts);
    expect(parseTimestamp("abc")).toBeUndefined();
    expect(parseTimestamp("1:x:n")).toBeUndefined();
    expect(parseTimestamp("1:2:")).toBeUndefined();
  });
});

describe("checkPeerClock", () => {
  const clock = new HybridClock("a", () => 10_000);
  it("accepts a peer ahead by up to maxOffset and any peer behind", () => {
    expect(checkPeerClock(clock, 10_500, 500)).toEqual({ ok: true, offsetMs: 500 });
    expect(checkPeerClock(clock, 1, 500).ok).toBe(true);
  });
  it("refuses a peer ahead by more than maxOffset", () => {
    expect(checkPeerClock(clock, 10_501, 500)).toEqual({ ok: false, offsetMs: 501 });
  });
});
