/** Conflict records and digests a peer's gossip answer carries: checked before any is stored. */
import { describe, expect, it } from "vitest";
import { HybridClock } from "../../../src/node/clock/hlc.ts";
import { checkPeerDigest, checkPeerRecord } from "../../../src/node/conflicts/peer-records.ts";

const NOW = 1_800_000_000_000;
const clock = new HybridClock("a", () => NOW);
const MAX_OFFSET = 500;

function rec(wall: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const v = `${wall}:0:b`;
  return {
    id: "c1",
    key: "k",
    kind: "concurrent",
    versions: [
      { version: `${NOW - 10}:0:a`, value: Buffer.from("x"), origin: "a", role: "concurrent" },
      { version: v, value: null, origin: "b", role: "concurrent" },
    ],
    applied: v,
    detectedAt: new Date(NOW).toISOString(),
    detectedBy: "b",
    status: "pending",
    resolution: null,
    ...extra,
  };
}

describe("conflict records from a peer's answer", () => {
  it("takes a record whose versions are within clock.maxOffset", () => {
    expect(checkPeerRecord(rec(NOW + MAX_OFFSET), clock, MAX_OFFSET)).toMatchObject({ ok: true });
  });

  it("refuses a version beyond clock.maxOffset, in versions or in the resolution", () => {
    expect(checkPeerRecord(rec(NOW + MAX_OFFSET + 1), clock, MAX_OFFSET)).toMatchObject({
      ok: false,
      future: true,
    });
    const resolved = rec(NOW, {
      status: "resolved",
      resolution: { by: "x", at: "t", kept: null, written: `${NOW + 3_600_000}:0:a`, note: "" },
    });
    const r = checkPeerRecord(resolved, clock, MAX_OFFSET);
    expect(r).toMatchObject({ ok: false, future: true });
    expect(r.ok ? "" : r.problem).toContain("3600000 ms ahead");
  });

  it("refuses a malformed or inconsistent record, naming the field", () => {
    const cases: Array<[unknown, string]> = [
      [rec(NOW, { applied: `${NOW}:0:zz` }), "applied"],
      [rec(NOW, { status: "resolved" }), "needs resolution set"],
      [rec(NOW, { key: "" }), "record.key"],
      [rec(NOW, { kind: "other" }), "record.kind"],
      [{ ...rec(NOW), versions: "none" }, "record.versions"],
      ["a string", "record"],
    ];
    for (const [value, field] of cases) {
      const r = checkPeerRecord(value, clock, MAX_OFFSET);
      expect(r.ok, field).toBe(false);
      expect(r.ok ? "" : r.problem, field).toContain(field);
      expect(r).toMatchObject({ future: false });
    }
  });

  it("checks a digest answer's shape", () => {
    expect(checkPeerDigest([["c1", "p:1"]])).toEqual([["c1", "p:1"]]);
    expect(checkPeerDigest([["c1"]])).toMatch(/^malformed digest: digest\[0\]/);
    expect(checkPeerDigest({})).toMatch(/^malformed digest/);
  });
});
