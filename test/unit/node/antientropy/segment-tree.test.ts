import { describe, expect, it } from "vitest";
import { SegmentTree, treeShape } from "../../../../src/node/antientropy/segment-tree.ts";
import { TreeRegistry } from "../../../../src/node/antientropy/tree-registry.ts";
import { HashRing } from "../../../../src/node/ring/hash-ring.ts";
import { segmentOf, versionHash } from "../../../../src/wire/segment-hash.ts";

const v = (wall: number, node = "a") => ({ wall, logical: 0, node });
const words = (bytes: Uint8Array) => [
  ...new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4),
];

describe("treeShape", () => {
  it("divides by the fan-out until the top fits one node", () => {
    expect(treeShape(1 << 18, 16).levelSizes).toEqual([262144, 16384, 1024, 64, 4]);
    expect(treeShape(1024, 32).levelSizes).toEqual([1024, 32]);
    expect(() => treeShape(1000, 16)).toThrow(/power of two/);
  });
});

describe("SegmentTree", () => {
  it("gives equal roots for the same (key, version) pairs in any order, and differs otherwise", () => {
    const shape = treeShape(1024, 16);
    const pairs = Array.from({ length: 500 }, (_, i) => [`k${i}`, v(i)] as const);
    const a = new SegmentTree(shape);
    const b = new SegmentTree(shape);
    for (const [k, ver] of pairs) a.toggle(segmentOf(k, 1024), versionHash(k, ver));
    for (const [k, ver] of [...pairs].reverse()) b.toggle(segmentOf(k, 1024), versionHash(k, ver));
    expect(a.root()).toBe(b.root());
    b.toggle(segmentOf("k7", 1024), versionHash("k7", v(7)));
    b.toggle(segmentOf("k7", 1024), versionHash("k7", v(8)));
    expect(a.root()).not.toBe(b.root());
  });

  it("returns a parent's children, so a walk finds the one differing leaf", () => {
    const shape = treeShape(256, 4);
    const a = new SegmentTree(shape);
    const b = new SegmentTree(shape);
    a.toggle(77, 0xdeadbeef);
    // walk down from the top: at each level keep the children that differ
    let parents: number[] | undefined;
    for (let level = shape.levelSizes.length - 1; level >= 0; level--) {
      const ha = words(a.hashes(level, parents));
      const hb = words(b.hashes(level, parents));
      const base = parents ? parents.flatMap((p) => [0, 1, 2, 3].map((c) => p * 4 + c)) : ha.map((_, i) => i);
      parents = base.filter((_, i) => ha[i] !== hb[i]);
    }
    expect(parents).toEqual([77]);
  });

  it("undoes an update when the same hash is toggled again (overwrite, purge)", () => {
    const t = new SegmentTree(treeShape(64, 8));
    t.toggle(3, 12345);
    t.toggle(3, 12345);
    expect(t.root()).toBe(0);
    expect(() => t.hashes(9)).toThrow(RangeError);
  });
});

describe("versionHash", () => {
  it("depends on every part of the version", () => {
    const base = versionHash("k", { wall: 1_763_777_811_123, logical: 1, node: "n0" });
    expect(versionHash("k", { wall: 1_763_777_811_124, logical: 1, node: "n0" })).not.toBe(base);
    expect(versionHash("k", { wall: 1_763_777_811_123, logical: 2, node: "n0" })).not.toBe(base);
    expect(versionHash("k", { wall: 1_763_777_811_123, logical: 1, node: "n1" })).not.toBe(base);
    expect(versionHash("j", { wall: 1_763_777_811_123, logical: 1, node: "n0" })).not.toBe(base);
  });
});

describe("TreeRegistry", () => {
  it("keeps one tree per owner set this node is in, with the same roots as its co-owners", () => {
    const members = ["s-0", "s-1", "s-2", "s-3", "s-4"];
    const ring = new HashRing(members, 64);
    const shape = treeShape(1024, 16);
    const regs = members.map((id) => new TreeRegistry(shape, id, ring, 3));
    for (let i = 0; i < 2000; i++) {
      const key = `key-${i}`;
      for (const owner of ring.owners(key, 3)) regs[members.indexOf(owner)]!.onWrite(key, undefined, v(i));
    }
    const roots = new Map<string, Set<string>>();
    for (const reg of regs) {
      for (const s of reg.summaries()) roots.set(s.id, (roots.get(s.id) ?? new Set()).add(s.root));
      expect(reg.summaries().every((s) => s.owners.length === 3)).toBe(true);
    }
    expect(roots.size).toBeGreaterThan(1);
    for (const r of roots.values()) expect(r.size).toBe(1);
  });
});
