/** The one list of connection errors: every entry says what happened and what to do. */
import { describe, expect, it } from "vitest";
import { CONNECTION_ERRORS, errorCode } from "../../../src/client/connection-errors.ts";
import { unreachableFrom } from "../../../src/client/errors.ts";

describe("connection errors", () => {
  it("each has a short reason and one sentence of advice", () => {
    for (const [code, entry] of Object.entries(CONNECTION_ERRORS)) {
      expect(entry.reason, code).toMatch(/^[a-z][a-z ]+$/);
      expect(entry.advice, code).toMatch(/^[a-z].*[^.]$/);
      expect(entry.advice.split(". ").length, code).toBe(1);
    }
  });

  it("finds the code in the cause chain, as undici wraps the socket's error", () => {
    const socket = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    const wrapped = new Error("fetch failed", { cause: socket });
    expect(errorCode(wrapped)).toBe("ECONNREFUSED");
    expect(unreachableFrom("n", wrapped)?.message).toBe("n: connection refused");
  });

  it("an error outside the list is not a connection error", () => {
    expect(unreachableFrom("n", new Error("bad"))).toBeUndefined();
  });
});
