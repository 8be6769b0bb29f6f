import { describe, expect, it } from "vitest";
import { CausalBuffer } from "../../../../src/node/replication/multileader/causal-buffer.ts";
import { concurrentRecord, isConcurrent } from "../../../../src/node/replication/multileader/concurrency.ts";
import type { Update } from "../../../../src/node/replication/multileader/update.ts";
import { fromUpdateTuple, toUpdateTuple } from "../../../../src/node/replication/multileader/update.ts";
import {
  minimum,
  nodeOf,
  type VectorEntry,
  VersionVector,
} from "../../../../src/node/replication/multileader/version-vector.ts";

const A = "a@1";
const B = "b@1";
const C = "c@1";

function update(origin: string, seq: number, wall: number, deps: VectorEntry[] = [], key = "k"): Update {
  return {
    origin,
    seq,
    key,
    record: {
      version: { wall, logical: 0, node: nodeOf(origin) },
      value: new TextEncoder().encode(`${origin}:${seq}`),
    },
    deps,
    seenBy: [nodeOf(origin)],
  };
}

function applyAll(buffer: CausalBuffer, v: VersionVector): string[] {
  const order: string[] = [];
  for (let u = buffer.takeReady(v); u; u = buffer.takeReady(v)) {
    v.advance(u.origin, u.seq, u.record.version);
    order.push(`${u.origin}#${u.seq}`);
  }
  return order;
}

describe("version vectors", () => {
  it("cover, satisfy and know which versions they have seen", () => {
    const v = VersionVector.from([[A, 3, 300, 0]]);
    expect(v.covers(A, 3)).toBe(true);
    expect(v.covers(A, 4)).toBe(false);
    expect(v.satisfies([[A, 2, 200, 0]])).toBe(true);
    expect(
      v.satisfies([
        [A, 2, 200, 0],
        [B, 1, 100, 0],
      ]),
    ).toBe(false);
    expect(v.hasSeen({ wall: 250, logical: 0, node: "a" })).toBe(true);
    expect(v.hasSeen({ wall: 301, logical: 0, node: "a" })).toBe(false);
    expect(v.hasSeen({ wall: 1, logical: 0, node: "b" })).toBe(false);
  });

  it("minimum is what every vector has", () => {
    const m = minimum([
      VersionVector.from([
        [A, 3, 0, 0],
        [B, 2, 0, 0],
      ]),
      VersionVector.from([[A, 5, 0, 0]]),
    ]);
    expect(m.seq(A)).toBe(3);
    expect(m.seq(B)).toBe(0);
  });

  it("an update survives the tuple encoding", () => {
    const u = update(A, 7, 1234, [[B, 2, 99, 1]]);
    expect(fromUpdateTuple(toUpdateTuple(u))).toEqual(u);
  });
});

describe("causal buffer", () => {
  it("holds y (which depends on A's x) until x arrives, then releases both in order", () => {
    const v = new VersionVector();
    const buffer = new CausalBuffer();
    const x = update(A, 1, 100);
    const y = update(B, 1, 110, [[A, 1, 100, 0]], "y");
    buffer.add(y);
    expect(applyAll(buffer, v)).toEqual([]);
    buffer.add(x);
    expect(applyAll(buffer, v)).toEqual([`${A}#1`, `${B}#1`]);
    expect(buffer.size).toBe(0);
  });

  it("applies each origin's updates in sequence whatever order they arrive in", () => {
    const v = new VersionVector();
    const buffer = new CausalBuffer();
    for (const seq of [3, 1, 2]) buffer.add(update(C, seq, 100 + seq));
    expect(applyAll(buffer, v)).toEqual([`${C}#1`, `${C}#2`, `${C}#3`]);
  });
});

describe("concurrency", () => {
  it("flags versions neither writer had seen, and not causally later ones", () => {
    const applied = VersionVector.from([[A, 1, 100, 0]]);
    const stored = update(A, 1, 100).record;
    expect(isConcurrent(stored, update(B, 1, 90), applied)).toBe(true);
    expect(isConcurrent(stored, update(B, 1, 120, [[A, 1, 100, 0]]), applied)).toBe(false);
    // Same node: its own stream orders them.
    expect(isConcurrent(stored, update(A, 2, 130), applied)).toBe(false);
  });

  it("does not judge a version its vector does not account for (arrived by repair)", () => {
    const stored = update(A, 5, 500).record;
    expect(isConcurrent(stored, update(B, 1, 90), VersionVector.from([[A, 1, 100, 0]]))).toBe(false);
  });

  it("builds the same record, winner and id whichever version arrives first", () => {
    const a = update(A, 1, 100).record;
    const b = update(B, 1, 120).record;
    const one = concurrentRecord("k", a, b, "x");
    const two = concurrentRecord("k", b, a, "y");
    expect(one.id).toBe(two.id);
    expect(one.applied).toBe("120:0:b");
    expect(one.versions.map((v) => v.version)).toEqual(two.versions.map((v) => v.version));
    expect(one.kind).toBe("concurrent");
  });
});
