import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REFERENCE_FILE, renderReference } from "../../../src/api/reference-doc.ts";
import { CROSS_FIELD_RULES } from "../../../src/api/rules.ts";

describe("docs/manifest-reference.md", () => {
  const text = renderReference();

  it("is up to date with the schema (run npm run gen:docs)", () => {
    expect(readFileSync(new URL(`../../../${REFERENCE_FILE}`, import.meta.url), "utf8")).toBe(text);
  });

  it("lists nested fields with their type and default, and every cross-field rule", () => {
    expect(text).toMatch(/\| `spec\.multiLeader\.failoverAfter` +\| duration [^|]*\| `10s` +\|/);
    expect(text).toMatch(/\| `spec\.multiLeader\.leaders` +\| integer ≥ 1 +\| required +\|/);
    expect(text).toMatch(/\| `spec\.mode` +\| `Leaderless` \\\| `MultiLeader` +\| `Leaderless` +\|/);
    for (const rule of CROSS_FIELD_RULES)
      expect(text).toContain(rule.message.replaceAll("|", "\\|").replaceAll("*", "\\*"));
  });
});
