import { describe, expect, it } from "vitest";
import {
  type ConflictRecord,
  compareVersionStrings,
  conflictId,
  mergeRecords,
  revision,
} from "../../../src/node/conflicts/record.ts";

const base: ConflictRecord = {
  id: "x",
  key: "k",
  kind: "partial_write",
  versions: [
    { version: "20:0:a", value: Buffer.from("new"), origin: "a", role: "partial" },
    { version: "10:0:b", value: undefined, origin: "b", role: "replaced" },
  ],
  applied: "20:0:a",
  detectedAt: "2026-11-22T00:00:00.000Z",
  detectedBy: "a",
  status: "pending",
  resolution: null,
};
const resolvedAs = (written: string): ConflictRecord => ({
  ...base,
  status: "resolved",
  resolution: { by: "x", at: "2026-11-22T01:00:00.000Z", kept: null, written, note: "" },
});

describe("conflict records", () => {
  it("get the same id wherever the same conflict is detected, whatever the version order", () => {
    expect(conflictId("concurrent", "k", ["2:0:a", "1:0:b"])).toBe(
      conflictId("concurrent", "k", ["1:0:b", "2:0:a"]),
    );
    expect(conflictId("concurrent", "k", ["1:0:b"])).not.toBe(conflictId("partial_write", "k", ["1:0:b"]));
  });

  it("merge: resolved beats pending in either order, and of two resolutions the later-written wins", () => {
    const r = resolvedAs("30:0:c");
    expect(mergeRecords(base, r)).toBe(r);
    expect(mergeRecords(r, base)).toBe(r);
    const later = resolvedAs("31:0:a");
    expect(mergeRecords(r, later)).toBe(later);
    expect(mergeRecords(later, r)).toBe(later);
  });

  it("merge of pending copies keeps the one that knows more values; revision tells them apart", () => {
    const richer: ConflictRecord = {
      ...base,
      versions: base.versions.map((v) => ({ ...v, value: v.value ?? Buffer.from("old") })),
    };
    expect(mergeRecords(base, richer)).toBe(richer);
    expect(revision(base)).not.toBe(revision(richer));
    expect(revision(resolvedAs("30:0:c"))).not.toBe(revision(resolvedAs("31:0:c")));
  });

  it("orders version strings as HLC timestamps, not as text", () => {
    expect(compareVersionStrings("9:0:a", "10:0:a")).toBeLessThan(0);
    expect(compareVersionStrings("10:2:a", "10:10:a")).toBeLessThan(0);
    expect(compareVersionStrings("10:0:b", "10:0:a")).toBeGreaterThan(0);
  });
});
