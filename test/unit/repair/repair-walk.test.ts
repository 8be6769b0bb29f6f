/** The repair job's tree walk and key table against real segment trees held in memory. */
import { describe, expect, it } from "vitest";
import { SegmentTree, treeShape } from "../../../src/node/antientropy/segment-tree.ts";
import { KeyTable } from "../../../src/repair/key-table.ts";
import { classify, decodeHashes, walkTrees } from "../../../src/repair/tree-walk.ts";
import { segmentOf, versionHash } from "../../../src/wire/segment-hash.ts";

function fill(tree: SegmentTree, keys: Map<string, number>): void {
  for (const [key, wall] of keys) {
    tree.toggle(segmentOf(key, tree.shape.segments), versionHash(key, { wall, logical: 0, node: "n" }));
  }
}

/** Leaf segments where the trees' leaves differ, computed the slow way. */
function differingLeaves(trees: SegmentTree[]): Set<number> {
  const leaves = trees.map((t) => decodeHashes(t.hashes(0)));
  const out = new Set<number>();
  for (let s = 0; s < trees[0]!.shape.segments; s++) {
    if (leaves.some((l) => l[s] !== leaves[0]![s])) out.add(s);
  }
  return out;
}

function build(segments: number, fanout: number, divergeOn: number[], changed: number) {
  const shape = treeShape(segments, fanout);
  const base = new Map(Array.from({ length: 500 }, (_, i) => [`key-${i}`, 1_000 + i]));
  return [0, 1, 2].map((owner) => {
    const keys = new Map(base);
    if (divergeOn.includes(owner)) {
      for (let i = 0; i < changed; i++) keys.set(`key-${i * 7}`, 5_000 + owner);
    }
    const tree = new SegmentTree(shape);
    fill(tree, keys);
    return tree;
  });
}

describe("walkTrees", () => {
  for (const [segments, fanout] of [
    [256, 4],
    [256, 3],
    [64, 16],
    [8, 16],
  ] as const) {
    it(`finds exactly the differing leaves (${segments} segments, fanout ${fanout})`, async () => {
      const trees = build(segments, fanout, [1], 10);
      const asked: Array<[number, number]> = [];
      const walk = await walkTrees(3, trees[0]!.shape, async (o, level, parents) => {
        asked.push([o, level]);
        return decodeHashes(trees[o]!.hashes(level, parents));
      });
      expect(new Set(walk.segments.keys())).toEqual(differingLeaves(trees));
      for (const reps of walk.segments.values()) expect([...reps]).toEqual([0, 1, 0]);
      // owner 2 equals owner 0 everywhere: below the top level it is never asked
      const top = trees[0]!.shape.levelSizes.length - 1;
      expect(asked.filter(([o, level]) => o === 2 && level < top)).toEqual([]);
    });
  }

  it("three different owners: every one is its own class where all differ", async () => {
    const trees = build(128, 4, [1, 2], 5);
    const walk = await walkTrees(3, trees[0]!.shape, async (o, level, parents) =>
      decodeHashes(trees[o]!.hashes(level, parents)),
    );
    expect(new Set(walk.segments.keys())).toEqual(differingLeaves(trees));
    expect([...walk.segments.values()].some((r) => [...r].join() === "0,1,2")).toBe(true);
  });

  it("equal trees: nothing below the top level", async () => {
    const trees = build(256, 4, [], 0);
    let calls = 0;
    const walk = await walkTrees(3, trees[0]!.shape, async (o, level, parents) => {
      calls++;
      return decodeHashes(trees[o]!.hashes(level, parents));
    });
    expect(walk.segments.size).toBe(0);
    expect(calls).toBe(3);
  });
});

describe("classify", () => {
  it("names each owner's first equal owner, or undefined when all agree", () => {
    expect(classify([5, 5, 5])).toBeUndefined();
    expect([...classify([5, 6, 5])!]).toEqual([0, 1, 0]);
    expect([...classify([5, 6, 6])!]).toEqual([0, 1, 1]);
  });
});

describe("KeyTable", () => {
  it("keeps the newest version per key and which owners lack it; ties fall to the node id", () => {
    const table = new KeyTable(3);
    table.add("a", 10, 0, "n1", 0b001);
    table.add("a", 12, 0, "n2", 0b010);
    table.add("a", 12, 0, "n2", 0b100);
    table.add("b", 10, 0, "n1", 0b111);
    table.add("c", 10, 0, "n1", 0b001);
    table.add("c", 10, 0, "n2", 0b110);
    const stale = [...table.stale()].map((s) => [s.key, s.version.node, s.holders, s.lacking]);
    expect(stale).toEqual([
      ["a", "n2", 0b110, 0b001],
      ["c", "n2", 0b110, 0b001],
    ]);
  });
});
