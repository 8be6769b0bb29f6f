import { describe, expect, it } from "vitest";
import { HashRing } from "../../../src/node/ring/hash-ring.ts";

const ids = (n: number) => Array.from({ length: n }, (_, i) => `s-${i}`);
const keys = Array.from({ length: 20_000 }, (_, i) => `key-${i}`);

describe("HashRing", () => {
  it("gives each key N distinct owners, at most the member count", () => {
    const ring = new HashRing(ids(5), 64);
    for (const k of keys.slice(0, 500)) {
      const owners = ring.owners(k, 3);
      expect(owners).toHaveLength(3);
      expect(new Set(owners).size).toBe(3);
    }
    expect(ring.owners("k", 9)).toHaveLength(5);
  });

  it("hands out one frozen list per ring point and count, the same a fresh ring computes", () => {
    const ring = new HashRing(ids(5), 64);
    const first = ring.owners("key-1", 3);
    expect(ring.owners("key-1", 3)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // A different count is its own list, not a slice of another.
    expect(ring.owners("key-1", 2)).toEqual(first.slice(0, 2));
    expect(ring.owners("key-1", 2)).not.toBe(first);
    const fresh = new HashRing(ids(5), 64);
    for (const k of keys.slice(0, 2000)) expect(ring.owners(k, 3)).toEqual(fresh.owners(k, 3));
  });

  it("is deterministic regardless of construction", () => {
    const a = new HashRing(ids(5), 64);
    const b = new HashRing(ids(5), 64);
    for (const k of keys.slice(0, 200)) expect(a.owners(k, 3)).toEqual(b.owners(k, 3));
  });

  it("spreads primaries evenly (within 25% of the mean with 128 vnodes)", () => {
    const ring = new HashRing(ids(5), 128);
    const counts = new Map<string, number>();
    for (const k of keys) {
      const p = ring.owners(k, 1)[0]!;
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    const mean = keys.length / 5;
    for (const c of counts.values()) expect(Math.abs(c - mean) / mean).toBeLessThan(0.25);
  });

  it("moves only about 1/(n+1) of primaries when a member joins", () => {
    const before = new HashRing(ids(4), 128);
    const after = new HashRing(ids(5), 128);
    let moved = 0;
    for (const k of keys) {
      const b = before.owners(k, 1)[0];
      const a = after.owners(k, 1)[0];
      if (a !== b) {
        moved++;
        expect(a).toBe("s-4");
      }
    }
    expect(moved / keys.length).toBeGreaterThan(0.12);
    expect(moved / keys.length).toBeLessThan(0.28);
  });
});
