import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeNewest } from "../../../src/backup/merge.ts";
import { compareKeys, type KeyRecord } from "../../../src/wire/backup.ts";
import { compareTimestamps } from "../../../src/wire/version.ts";

/** The records in batches of `size` (an empty batch first: a stream may send one), as snapshots come. */
async function* from(records: KeyRecord[], size = 2): AsyncGenerator<readonly KeyRecord[]> {
  yield [];
  for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size);
}

async function collect(it: AsyncIterable<readonly KeyRecord[]>): Promise<KeyRecord[]> {
  const out: KeyRecord[] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}

const rec = (key: string, wall: number, node: string, value: string | null): KeyRecord => [
  key,
  [wall, 0, node, value === null ? null : Buffer.from(value)],
];

describe("mergeNewest", () => {
  it("gives each key once, with the newest version any stream holds, tombstones included", async () => {
    const a = [rec("a", 1, "n0", "a1"), rec("b", 5, "n0", null), rec("d", 2, "n0", "d2")];
    const b = [rec("a", 3, "n1", "a3"), rec("b", 4, "n1", "b4"), rec("c", 1, "n1", "c1")];
    const c = [rec("a", 3, "n2", "a3-n2"), rec("e", 9, "n2", "e9")];
    const merged = await collect(
      mergeNewest(
        [from(a), from(b, 1), from(c, 5)].map((g) => g[Symbol.asyncIterator]()),
        2,
      ),
    );
    expect(
      merged.map(([k, t]) => [k, t[0], t[2], t[3] === null ? null : Buffer.from(t[3]).toString()]),
    ).toEqual([
      ["a", 3, "n2", "a3-n2"], // same wall and logical: the node id breaks the tie, as in the store
      ["b", 5, "n0", null],
      ["c", 1, "n1", "c1"],
      ["d", 2, "n0", "d2"],
      ["e", 9, "n2", "e9"],
    ]);
  });

  it("equals a map of the newest version per key, in UTF-8 key order, for any streams", async () => {
    const key = fc.stringMatching(/^[a-zA-Z0-9\u00e9\u4e16\u{1F600}\uFFFD]{1,4}$/u);
    const version = fc.record({
      wall: fc.nat(50),
      logical: fc.nat(3),
      node: fc.constantFrom("n0", "n1", "n2"),
    });
    const stream = fc.dictionary(key, version, { maxKeys: 30 });
    await fc.assert(
      fc.asyncProperty(fc.array(stream, { minLength: 1, maxLength: 4 }), async (streams) => {
        const expected = new Map<string, { wall: number; logical: number; node: string }>();
        for (const s of streams) {
          for (const [k, v] of Object.entries(s)) {
            const have = expected.get(k);
            if (!have || compareTimestamps(v, have) > 0) expected.set(k, v);
          }
        }
        const iterators = streams.map((s) =>
          from(
            Object.entries(s)
              .sort(([x], [y]) => compareKeys(x, y))
              .map(([k, v]) => [k, [v.wall, v.logical, v.node, null]] as KeyRecord),
            1 + (Object.keys(s).length % 4),
          )[Symbol.asyncIterator](),
        );
        const merged = await collect(mergeNewest(iterators, 3));
        expect(merged.map(([k]) => k)).toEqual([...expected.keys()].sort(compareKeys));
        for (const [k, t] of merged)
          expect({ wall: t[0], logical: t[1], node: t[2] }).toEqual(expected.get(k));
      }),
      { numRuns: 200 },
    );
  });
});
