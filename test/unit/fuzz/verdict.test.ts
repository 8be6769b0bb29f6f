/**
 * The msgpack fuzzer's judgement of one answer (hack/fuzz/msgpack-fuzz.ts): each kind of wrong
 * answer is caught, so a run reporting zero failures means the node answered well.
 */
import { pack } from "msgpackr";
import { describe, expect, it } from "vitest";
import type { Answer } from "../../../hack/fuzz/http.ts";
import { unreached, verdict } from "../../../hack/fuzz/msgpack-fuzz.ts";
import { AE_APPLY, AE_LOCK } from "../../../src/wire/anti-entropy.ts";
import { BATCH_PATH, MSGPACK, OP_GET, OP_PUT } from "../../../src/wire/peer-batch.ts";

const msgpack = (status: number, value: unknown): Answer => ({
  status,
  headers: { "content-type": MSGPACK },
  body: pack(value),
});
const json = (status: number, value: unknown): Answer => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8" },
  body: Buffer.from(JSON.stringify(value)),
});
const error = { error: "invalid_request", message: "records[0] must be bytes" };
const batch = pack({
  from: "n1",
  clock: [1, 0],
  ops: [
    [OP_GET, "k"],
    [OP_PUT, "k", [1, 0, "n1", null]],
  ],
});

describe("msgpack fuzz verdict", () => {
  it("accepts a well-formed answer and a JSON refusal", () => {
    expect(verdict(AE_APPLY, Buffer.from([]), msgpack(200, { applied: 1, refused: 0 }))).toBeUndefined();
    expect(verdict(AE_APPLY, Buffer.from([]), json(400, error))).toBeUndefined();
    expect(
      verdict(AE_LOCK, Buffer.from([]), msgpack(409, { acquired: false, holder: "x", sinceMs: 3 })),
    ).toBeUndefined();
    const ok = msgpack(200, { clock: [2, 0], results: [null, [1, null]] });
    expect(verdict(BATCH_PATH, batch, ok)).toBeUndefined();
  });

  it("catches a 5xx, an undocumented status, a wrong content type and answers outside the schema", () => {
    expect(verdict(AE_APPLY, Buffer.from([]), json(500, error))?.what).toMatch(/server error/);
    expect(verdict(AE_APPLY, Buffer.from([]), json(404, error))?.what).toMatch(/undocumented status 404/);
    expect(verdict(AE_APPLY, Buffer.from([]), json(200, { applied: 1, refused: 0 }))?.what).toMatch(
      /content-type/,
    );
    expect(verdict(AE_APPLY, Buffer.from([]), msgpack(200, { applied: -1, refused: 0 }))?.what).toMatch(
      /outside its schema/,
    );
    expect(verdict(AE_APPLY, Buffer.from([]), json(400, { error: "x" }))?.what).toMatch(
      /error outside its schema/,
    );
    expect(
      verdict(AE_APPLY, Buffer.from([]), { ...json(400, error), body: Buffer.from("<html>") })?.what,
    ).toMatch(/not JSON/);
  });

  it("checks each op's result of a batch against its op's schema, and the count", () => {
    const wrongOp = msgpack(200, {
      clock: [2, 0],
      results: [
        [1, null],
        [1, null],
      ],
    });
    expect(verdict(BATCH_PATH, batch, wrongOp)?.what).toMatch(/result of op 0 \(get\)/);
    const short = msgpack(200, { clock: [2, 0], results: [null] });
    expect(verdict(BATCH_PATH, batch, short)?.what).toMatch(/2 ops answered with 1 results/);
  });
});

describe("unreached", () => {
  it("names the routes that only refused, such as every route when the peer credentials are wrong", () => {
    const refusedOnly = { [BATCH_PATH]: { 403: 10 }, [AE_APPLY]: { 200: 3, 400: 2 }, [AE_LOCK]: { 409: 4 } };
    const routes = unreached(refusedOnly);
    expect(routes).toContain(BATCH_PATH);
    expect(routes).not.toContain(AE_APPLY);
    expect(routes).not.toContain(AE_LOCK);
  });
});
