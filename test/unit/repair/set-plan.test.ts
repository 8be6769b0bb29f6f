import { describe, expect, it } from "vitest";
import type { NodeClient } from "../../../src/repair/node-client.ts";
import { planSets } from "../../../src/repair/set-plan.ts";
import type { MemberView } from "../../../src/repair/summaries.ts";
import type { TreeSummary } from "../../../src/wire/anti-entropy.ts";

const shape = { segments: 16, fanout: 4 } as TreeSummary["shape"];
const set = { id: "a,b", owners: ["a", "b"], keys: 3, root: "0000abcd" };

function member(id: string, ordinal: number, generation: number, configHash: string): MemberView {
  const summary: TreeSummary = { node: id, generation, configHash, ready: true, shape, sets: [set] };
  return { ordinal, id, url: `http://${id}`, client: {} as NodeClient, summary };
}

describe("planSets", () => {
  it("repairs a set whose owners run the same config", () => {
    const plan = planSets([member("a", 0, 4, "h1"), member("b", 1, 4, "h1")]);
    expect(plan.tasks.map((t) => t.id)).toEqual(["a,b"]);
    expect(plan.skipped).toEqual([]);
  });

  it("skips a set whose owners run different configs under the same generation (a failover or drain)", () => {
    const plan = planSets([member("a", 0, 4, "h1"), member("b", 1, 4, "h2")]);
    expect(plan.tasks).toEqual([]);
    expect(plan.skipped[0]?.reason).toContain(
      "owners run different configs (a: generation 4 (h1), b: generation 4 (h2))",
    );
  });
});
