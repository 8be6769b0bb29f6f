import { describe, expect, it } from "vitest";
import { knownVersion, peerCopy } from "../../../../src/node/replication/digest-read.ts";
import type { VersionedRecord } from "../../../../src/node/storage/record.ts";

const mine: VersionedRecord = {
  version: { wall: 1_000, logical: 2, node: "node-0" },
  value: Buffer.from("mine"),
};

describe("digest reads: what a get-newer answer says of the peer's copy", () => {
  it("sends the version of our copy, or null when we hold none", () => {
    expect(knownVersion(mine)).toEqual([1_000, 2, "node-0"]);
    expect(knownVersion(undefined)).toBeNull();
  });

  it("takes a whole record as the peer's copy", () => {
    const copy = peerCopy([2_000, 0, "node-1", Buffer.from("newer")], mine);
    expect(copy).toEqual({
      version: { wall: 2_000, logical: 0, node: "node-1" },
      value: Buffer.from("newer"),
    });
  });

  it("reads our own version back as agreement: the answer is our copy, value and all", () => {
    expect(peerCopy([[1_000, 2, "node-0"]], mine)).toBe(mine);
  });

  it("reads an older version as a stale copy that can be repaired but never answered", () => {
    const copy = peerCopy([[999, 7, "node-2"]], mine);
    expect(copy).toEqual({ version: { wall: 999, logical: 7, node: "node-2" }, value: null });
  });

  it("reads [null] as a peer that holds no copy", () => {
    expect(peerCopy([null], mine)).toBeUndefined();
    expect(peerCopy([null], undefined)).toBeUndefined();
  });

  it("refuses a newer version without its value: the peer broke the protocol", () => {
    expect(peerCopy([[1_000, 3, "node-0"]], mine)).toBeInstanceOf(Error);
    expect(peerCopy([[1, 0, "node-1"]], undefined)).toBeInstanceOf(Error);
  });

  it("refuses an answer that is neither a record nor a version", () => {
    for (const answer of [null, [1, null], "x", [[1, 2]], { version: 1 }]) {
      const copy = peerCopy(answer, mine);
      expect(copy, JSON.stringify(answer)).toBeInstanceOf(Error);
      expect((copy as Error).message).toMatch(/malformed get-newer answer: result/);
    }
  });
});
