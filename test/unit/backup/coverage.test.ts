import { describe, expect, it } from "vitest";
import { coverageProblem } from "../../../src/backup/coverage.ts";

const members = ["s-0", "s-1", "s-2", "s-3", "s-4"];

describe("coverageProblem", () => {
  it("Leaderless: fewer missing nodes than W cannot miss an acknowledged write", () => {
    const c = { mode: "Leaderless" as const, writeQuorum: 2, members };
    expect(coverageProblem(c, [])).toBeUndefined();
    expect(coverageProblem(c, ["s-1"])).toBeUndefined();
    expect(coverageProblem(c, ["s-1", "s-3"])).toBe(
      "s-1, s-3 did not answer: with W=2, 2 missing nodes may hold a write no other node has",
    );
  });

  it("W=1: any missing node may hold the only copy", () => {
    expect(coverageProblem({ mode: "Leaderless", writeQuorum: 1, members }, ["s-4"])).toMatch(/W=1/);
  });

  it("MultiLeader: followers may be missing, leaders may not; unknown leaders count as leaders", () => {
    const c = { mode: "MultiLeader" as const, writeQuorum: 1, members, leaders: ["s-0", "s-1"] };
    expect(coverageProblem(c, ["s-3", "s-4"])).toBeUndefined();
    expect(coverageProblem(c, ["s-1", "s-4"])).toBe(
      "leader s-1 did not answer: a leader may hold writes the others have not received yet",
    );
    expect(coverageProblem({ mode: "MultiLeader", writeQuorum: 1, members }, ["s-4"])).toMatch(/leader s-4/);
  });

  it("no node at all is always a problem", () => {
    expect(coverageProblem({ mode: "Leaderless", writeQuorum: 9, members }, members)).toBe(
      "no node of the store answered",
    );
  });
});
