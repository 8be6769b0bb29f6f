import { describe, expect, it } from "vitest";
import { parseBoolean, parseQuorum, validateKey } from "../../../src/node/http/validate.ts";
import { httpErrorOf } from "../../support/http-error.ts";

describe("validateKey", () => {
  it("accepts 1 to 1024 bytes of UTF-8, counting bytes not characters", () => {
    expect(validateKey("a")).toBe("a");
    expect(validateKey("x".repeat(1024))).toHaveLength(1024);
    expect(httpErrorOf(() => validateKey("é".repeat(513))).body.error).toBe("invalid_key");
    expect(httpErrorOf(() => validateKey("")).body.message).toMatch(/1 to 1024 bytes/);
  });
  it("rejects control characters", () => {
    expect(httpErrorOf(() => validateKey("a\nb")).status).toBe(400);
    expect(httpErrorOf(() => validateKey("a\u007fb")).body.message).toMatch(/control characters/);
  });
});

describe("parseQuorum", () => {
  it("defaults, accepts 1..N and names the range otherwise", () => {
    expect(parseQuorum("w", undefined, 2, 3)).toBe(2);
    expect(parseQuorum("w", "3", 2, 3)).toBe(3);
    for (const bad of ["0", "4", "abc", "1.5", "-1", ""]) {
      const e = httpErrorOf(() => parseQuorum("r", bad, 2, 3));
      expect(e.status).toBe(400);
      expect(e.body.message).toContain("r must be an integer from 1 to 3");
    }
  });
});

describe("parseBoolean", () => {
  it("takes true/false and refuses anything else", () => {
    expect(parseBoolean("local", "true")).toBe(true);
    expect(parseBoolean("local", undefined)).toBe(false);
    expect(httpErrorOf(() => parseBoolean("local", "yes")).body.error).toBe("invalid_parameter");
  });
});
