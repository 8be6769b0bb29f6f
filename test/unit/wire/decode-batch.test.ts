/**
 * The receiver's check of a peer batch: every op kind a sender makes passes unchanged; anything
 * else is a WireError whose code says what kind of problem and whose message names the field.
 */
import { describe, expect, it } from "vitest";
import { decodeBatch } from "../../../src/wire/decode-batch.ts";
import { WireError } from "../../../src/wire/errors.ts";
import {
  OP_CONFLICT_DIGEST,
  OP_CONFLICT_FETCH,
  OP_CONFLICT_PUT,
  OP_GET,
  OP_GET_NEWER,
  OP_ML_PUSH,
  OP_ML_VECTOR,
  OP_PUT,
} from "../../../src/wire/peer-batch.ts";

const now = 1_800_000_000_000;
const conflict = {
  id: "abc123",
  key: "k",
  kind: "partial_write",
  versions: [{ version: `${now}:0:node-1`, value: Buffer.from("v"), origin: "node-1", role: "partial" }],
  applied: `${now}:0:node-1`,
  detectedAt: new Date(now).toISOString(),
  detectedBy: "node-1",
  status: "pending",
  resolution: null,
  ownersReached: ["node-1"],
  ownersFailed: ["node-2"],
};

function refusal(value: unknown): WireError {
  try {
    decodeBatch(value);
  } catch (err) {
    if (err instanceof WireError) return err;
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(value)}`);
}

const batch = (...ops: unknown[]) => ({ from: "node-1", clock: [now, 3], ops });

describe("decodeBatch", () => {
  it("accepts every op a sender makes, unchanged", () => {
    const value = batch(
      [OP_PUT, "k", [now, 0, "node-1", Buffer.from("v")]],
      [OP_PUT, "gone", [now, 1, "node-1", null]],
      [OP_GET, "k"],
      [OP_CONFLICT_PUT, "abc123", conflict],
      [OP_CONFLICT_DIGEST, ""],
      [OP_CONFLICT_FETCH, "", ["abc123"]],
      [
        OP_ML_PUSH,
        "",
        [["node-1@a1", 4, now, 0, "k", Buffer.from("v"), [["node-2@b2", 3, now, 0]], ["node-1"]]],
      ],
      [OP_ML_VECTOR, ""],
      [OP_GET_NEWER, "k", [now, 2, "node-0"]],
      [OP_GET_NEWER, "k", null],
    );
    expect(decodeBatch(value)).toEqual(value);
  });

  it.each([
    [[OP_GET_NEWER, "k"], "ops[0] "],
    [[OP_GET_NEWER, "k", [now, 2]], "ops[0][2]"],
    [[OP_GET_NEWER, "k", "now"], "ops[0][2]"],
    [[OP_GET_NEWER, "", null], "ops[0][1]"],
  ])("a get-newer %j is invalid_batch naming %s", (op, field) => {
    const err = refusal(batch(op));
    expect(err.code).toBe("invalid_batch");
    expect(err.message).toMatch(/^get-newer op: /);
    expect(err.message).toContain(field);
  });

  it.each([
    [["x", 0], "ops[1][2][0]"],
    [[now, 0, "node-1", "text"], "ops[1][2][3]"],
    [[now, -1, "node-1", null], "ops[1][2][1]"],
    [[now, 0, "", null], "ops[1][2][2]"],
    [[now + 0.5, 0, "node-1", null], "ops[1][2][0]"],
  ])("a put with record %j is invalid_record naming %s", (record, field) => {
    const err = refusal(batch([OP_GET, "k"], [OP_PUT, "k", record]));
    expect(err.code).toBe("invalid_record");
    expect(err.status).toBe(400);
    expect(err.message).toContain(field);
    expect(err.message).toMatch(/^put op: /);
  });

  it("a put whose key no client could write is refused, with the key rule in the message", () => {
    for (const key of ["", "bad\u0000key", "k".repeat(1025)]) {
      const err = refusal(batch([OP_PUT, key, [now, 0, "node-1", null]]));
      expect(err.code, JSON.stringify(key)).toBe("invalid_batch");
      expect(err.message).toMatch(/^put op: ops\[0\]\[1\] (key must|must not have fewer than 1 characters)/);
    }
  });

  it.each([
    [{ hello: 1 }, "batch: body"],
    [5, "batch: body"],
    [{ from: "node-1", clock: [now], ops: [] }, "body.clock"],
    [{ from: "", clock: [now, 0], ops: [] }, "body.from"],
    [{ from: "node-1", clock: [now, 0], ops: {} }, "body.ops"],
    [batch("op"), "body.ops[0]"],
    [batch([]), "body.ops[0]"],
  ])("an envelope %j is invalid_batch naming %s", (value, field) => {
    const err = refusal(value);
    expect(err.code).toBe("invalid_batch");
    expect(err.message).toContain(field);
  });

  it("an unknown op code is invalid_batch listing the known ones", () => {
    const err = refusal(batch([99, "k"]));
    expect(err.code).toBe("invalid_batch");
    expect(err.message).toBe("ops[0][0] is not an op code (0, 1, 2, 3, 4, 5, 6, 7); got 99");
  });

  it("an op code that is a map, even one whose toString is not a function, is invalid_batch", () => {
    // Found by the API fuzz run (hack/fuzz): String() of such a map threw, and the route answered 500.
    for (const [code, got] of [
      [{ toString: 1 }, "a map"],
      [{}, "a map"],
      [[1], "an array"],
      [null, "null"],
      [Buffer.from("x"), "bytes"],
    ] as const) {
      const err = refusal(batch([code, "k"]));
      expect(err.code).toBe("invalid_batch");
      expect(err.message).toBe(`ops[0][0] is not an op code (0, 1, 2, 3, 4, 5, 6, 7); got ${got}`);
    }
  });

  it("malformed conflict records and multi-leader updates are invalid_batch", () => {
    expect(refusal(batch([OP_CONFLICT_PUT, "abc123", { ...conflict, versions: [] }])).message).toContain(
      "ops[0][2].versions",
    );
    expect(
      refusal(batch([OP_ML_PUSH, "", [["node-1@a1", 4, now, 0, "k", "text", [], []]]])).message,
    ).toContain("ops[0][2][0][5]");
    expect(refusal(batch([OP_CONFLICT_FETCH, "", "abc123"])).code).toBe("invalid_batch");
  });
});
