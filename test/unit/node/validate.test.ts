import { describe, expect, it } from "vitest";
import { HttpError } from "../../../src/node/http/errors.ts";
import { parseBoolean, parseQuorum, validateKey } from "../../../src/node/http/validate.ts";

const errorOf = (fn: () => unknown): HttpError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error("expected an HttpError");
};

describe("validateKey", () => {
  it("accepts 1 to 1024 bytes of UTF-8, counting bytes not characters", () => {
    expect(validateKey("a")).toBe("a");
    expect(validateKey("x".repeat(1024))).toHaveLength(1024);
    expect(errorOf(() => validateKey("é".repeat(513))).body.error).toBe("invalid_key");
    expect(errorOf(() => validateKey("")).body.message).toMatch(/1 to 1024 bytes/);
  });
  it("rejects control characters", () => {
    expect(errorOf(() => validateKey("a\nb")).status).toBe(400);
    expect(errorOf(() => validateKey("a\u007fb")).body.message).toMatch(/control characters/);
  });
});

describe("parseQuorum", () => {
  it("defaults, accepts 1..N and names the range otherwise", () => {
    expect(parseQuorum("w", undefined, 2, 3)).toBe(2);
    expect(parseQuorum("w", "3", 2, 3)).toBe(3);
    for (const bad of ["0", "4", "abc", "1.5", "-1", ""]) {
      const e = errorOf(() => parseQuorum("r", bad, 2, 3));
      expect(e.status).toBe(400);
      expect(e.body.message).toContain("r must be an integer from 1 to 3");
    }
  });
});

describe("parseBoolean", () => {
  it("takes true/false and refuses anything else", () => {
    expect(parseBoolean("local", "true")).toBe(true);
    expect(parseBoolean("local", undefined)).toBe(false);
    expect(errorOf(() => parseBoolean("local", "yes")).body.error).toBe("invalid_parameter");
  });
});
