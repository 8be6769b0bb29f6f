import { describe, expect, it } from "vitest";
import {
  ConflictError,
  InvalidError,
  NotFoundError,
  QuorumError,
  UnavailableError,
  UserError,
} from "../../../src/errors.ts";
import { errorResponse, outcomeOf } from "../../../src/node/http/error-response.ts";
import { HttpError } from "../../../src/node/http/errors.ts";
import { WireError } from "../../../src/wire/errors.ts";

/** The answer a client gets, as the server's error handler would send it. */
const answer = (err: unknown) => {
  const r = errorResponse(err);
  return r && { status: r.status, json: JSON.stringify(r.body) };
};

describe("errorResponse: one mapping from errors to HTTP", () => {
  it("maps each domain kind to its status, with code, message and details in that order", () => {
    expect(answer(new NotFoundError("not_found", "no conflict x"))).toEqual({
      status: 404,
      json: '{"error":"not_found","message":"no conflict x"}',
    });
    expect(answer(new InvalidError("unknown_version", "not in it", { versions: ["a"] }))).toEqual({
      status: 400,
      json: '{"error":"unknown_version","message":"not in it","versions":["a"]}',
    });
    expect(answer(new ConflictError("drain_refused", "too few"))?.status).toBe(409);
  });

  it("answers a quorum failure 503 with needed and reached", () => {
    const err = new QuorumError("write", 2, 1, 3);
    expect(answer(err)).toEqual({
      status: 503,
      json: JSON.stringify({ error: "quorum_unavailable", message: err.message, needed: 2, reached: 1 }),
    });
  });

  it("answers an unavailable refusal (a resolution refused while owners are down) 503 with its code", () => {
    expect(answer(new UnavailableError("resolve_refused", "nothing written", { written: false }))).toEqual({
      status: 503,
      json: '{"error":"resolve_refused","message":"nothing written","written":false}',
    });
  });

  it("keeps HttpError and WireError answers as they are, and leaves anything else to the 500", () => {
    expect(answer(new HttpError(400, "invalid_key", "bad", { max: 1 }))).toEqual({
      status: 400,
      json: '{"error":"invalid_key","message":"bad","max":1}',
    });
    expect(answer(new WireError("invalid_batch", "ops[0] must be array"))).toEqual({
      status: 400,
      json: '{"error":"invalid_batch","message":"ops[0] must be array"}',
    });
    expect(errorResponse(new Error("boom"))).toBeUndefined();
    expect(errorResponse(new UserError("fix it"))).toBeUndefined();
  });

  it("counts outcomes as requests_total always did", () => {
    expect(outcomeOf(new QuorumError("read", 2, 0, 3))).toBe("quorum_unavailable");
    expect(outcomeOf(new UnavailableError("resolve_refused", "owners down"))).toBe("quorum_unavailable");
    expect(outcomeOf(new HttpError(400, "invalid_key", "bad"))).toBe("client_error");
    expect(outcomeOf(new NotFoundError("not_found", "x"))).toBe("client_error");
    expect(outcomeOf(new Error("boom"))).toBe("error");
  });
});
