import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureToken, readToken } from "../../../src/runtime/token.ts";
import { tempDir } from "./helpers.ts";

describe("ensureToken", () => {
  it("creates a random token readable only by its owner", () => {
    const path = join(tempDir("token"), "token");
    const token = ensureToken(path);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readToken(path)).toBe(token);
  });

  it("keeps the same token across runs", () => {
    const path = join(tempDir("token"), "token");
    expect(ensureToken(path)).toBe(ensureToken(path));
  });

  it("differs between stores", () => {
    expect(ensureToken(join(tempDir("token"), "token"))).not.toBe(
      ensureToken(join(tempDir("token"), "token")),
    );
  });

  it("refuses an empty token file instead of running without auth", () => {
    const path = join(tempDir("token"), "token");
    writeFileSync(path, "\n");
    expect(() => ensureToken(path)).toThrow(`${path} is empty: delete it and run replistore up again`);
  });
});
